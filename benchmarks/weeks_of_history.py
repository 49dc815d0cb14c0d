"""Weeks of training history through the game's side of the pipe, in minutes.

    .venv/bin/python benchmarks/weeks_of_history.py [--days 28] [--steps-per-second 60]

A kiosk's trainer runs for weeks without a restart; the 30-minute soak cannot reach the point
where the loss history and the progress grids start to be thinned (about an hour). This feeds
the client's `SnapshotAssembler` with the Progress messages such a run sends — loss rows at
`--steps-per-second`, a 5x5 grid every 25 steps — packed ten simulated seconds to a message, and at
every simulated day prints what the game then holds and what it costs: the rows and grids kept,
the UI process's resident memory, the time to render the loss chart from that history, and the
history's share of a checkpoint. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
import pygame  # noqa: E402

from counterfeit_game import protocol  # noqa: E402
from counterfeit_game.game.fonts import Fonts  # noqa: E402
from counterfeit_game.game.widgets.loss_chart import LossChart  # noqa: E402
from counterfeit_game.snapshot import GridFrame  # noqa: E402
from counterfeit_game.worker import SnapshotAssembler  # noqa: E402

GRID_INTERVAL = 25  # GameSettings.grid_interval
MESSAGE_SECONDS = 10  # simulated seconds packed into one message
CHART_RECT = (0, 0, 420, 250)  # about the workshop's chart at 1280x720


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def chart_render_ms(fonts, history, repeats: int = 5) -> float:
    """Median time to rebuild the chart's surface from this history (what a new row costs at most
    ten times a second)."""
    times = []
    for i in range(repeats):
        chart = LossChart(fonts, CHART_RECT)
        began = time.perf_counter()
        chart.update(history, now=float(i))
        times.append((time.perf_counter() - began) * 1000)
    return float(np.median(times))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=28.0)
    parser.add_argument("--steps-per-second", type=float, default=60.0)
    args = parser.parse_args()

    pygame.init()
    fonts = Fonts()
    rng = np.random.default_rng(0)
    rows_per_message = int(args.steps_per_second * MESSAGE_SECONDS)
    losses = np.column_stack([
        np.zeros(rows_per_message),
        0.6 + 0.1 * rng.standard_normal(rows_per_message),
        0.7 + 0.1 * rng.standard_normal(rows_per_message),
        1.0 + 0.3 * rng.standard_normal(rows_per_message),
        np.zeros(rows_per_message),
    ])
    grid_images = rng.integers(0, 256, (25, 28, 28), dtype=np.uint8)  # one array shared, as a view
    assembler = SnapshotAssembler()
    messages_per_day = int(86_400 / MESSAGE_SECONDS)
    total_messages = int(args.days * messages_per_day)

    print(f"load average: {os.getloadavg()[0]:.2f}; {args.steps_per_second:g} steps/s, "
          f"{args.days:g} days, {rows_per_message} rows a message")
    print(f"{'day':>5} {'steps':>12} {'rows kept':>10} {'first..last step':>24} {'grids':>6} "
          f"{'UI RSS':>8} {'chart':>8} {'in checkpoint':>14}")
    start_rss = rss_mb()
    began = time.perf_counter()
    step = 0
    next_grid = 0
    for index in range(total_messages + 1):
        block = losses.copy()
        block[:, 0] = np.arange(step, step + rows_per_message)
        block[:, 4] = block[:, 0] / args.steps_per_second
        new_grids = []
        while next_grid < step + rows_per_message:
            new_grids.append(GridFrame(next_grid, grid_images))
            next_grid += GRID_INTERVAL
        step += rows_per_message
        snapshot = assembler.apply(protocol.Progress(
            status="running", step=step - 1, speed=None, steps_per_second=args.steps_per_second,
            generation=0, architecture="dcgan", seed=0, batch_size=32, history_rows=block,
            reset_history=index == 0, new_grids=tuple(new_grids), reset_grids=index == 0,
        ))
        if index % messages_per_day == 0:
            gc.collect()
            history = snapshot.history
            checkpoint_mb = assembler.history.rows().nbytes / 2**20  # stored as float64 columns
            print(f"{index / messages_per_day:5.0f} {step:12,d} {len(history):10,d} "
                  f"{int(history.step[0]):>11,d}..{int(history.step[-1]):<12,d} {len(snapshot.grids):6d} "
                  f"{rss_mb():6.0f} MB {chart_render_ms(fonts, history):5.1f} ms {checkpoint_mb:9.1f} MB",
                  flush=True)
    print(f"UI RSS {start_rss:.0f} MB at start, {rss_mb():.0f} MB at the end; "
          f"{time.perf_counter() - began:.0f} s to run; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
