"""Kiosk soak: the real kiosk (real trainer process, supervisor, scenes) left to a scripted visitor.

    .venv/bin/python benchmarks/kiosk_soak.py --minutes 30 [--fps 30] [--tf-threads 1] [--json out.json]

Runs under SDL's dummy video driver in real time. The visitor comes in bursts of random taps
(each delivered as a finger event plus the mouse event emulated from it, as touch screens do),
then walks away long enough for "Are you still there?" and the reset; sometimes it answers the
countdown first. The reset policy rotates continue -> restart -> checkpoint. Trainer faults are
injected on a schedule, alternating a hard crash of the worker process and NaN weights.

Prints resident memory (UI and worker) at start, after warm-up and at the end with the slope
per hour after warm-up, crashes of the kiosk loop, the supervisor's failures and recoveries,
frame-time percentiles and sessions completed. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
import traceback
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
import pygame  # noqa: E402

from counterfeit_game.kiosk import session as ks  # noqa: E402
from counterfeit_game.kiosk.app import KioskApp  # noqa: E402
from counterfeit_game.kiosk.config import KioskConfig  # noqa: E402
from counterfeit_game.kiosk.logs import setup_kiosk_logging  # noqa: E402

MB = 1024 * 1024
POLICIES = ("continue", "continue", "checkpoint", "continue", "continue", "restart")


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        return psutil.Process(pid).memory_info().rss / MB
    except psutil.Error:
        return None


def worker_pid(app: KioskApp) -> int | None:
    client = app.supervisor.client
    worker = getattr(client, "_worker", None)
    return getattr(worker, "pid", None)


class Visitor:
    """Bursts of taps, then idle spells that outlast the idle timeout and the countdown."""

    def __init__(self, app: KioskApp, rng: random.Random, idle_s: float):
        self.app = app
        self.rng = rng
        self.idle_s = idle_s
        self.next_at = time.monotonic() + 3.0
        self.taps_left = 0
        self.answered = False
        self.taps = 0

    def tap(self) -> None:
        w, h = self.app.game.display.viewport.window
        while True:  # anywhere but the operator's corner
            x, y = self.rng.uniform(0, w), self.rng.uniform(0, h)
            if not self.app.gate.in_corner(self.app.game.display.viewport.to_logical((x, y))):
                break
        finger = self.rng.randrange(1, 1000)
        for finger_type, mouse_type in ((pygame.FINGERDOWN, pygame.MOUSEBUTTONDOWN),
                                        (pygame.FINGERUP, pygame.MOUSEBUTTONUP)):
            pygame.event.post(pygame.event.Event(finger_type, x=x / w, y=y / h, dx=0, dy=0,
                                                 finger_id=finger, touch_id=1, pressure=1.0))
            pygame.event.post(pygame.event.Event(mouse_type, pos=(int(x), int(y)), button=1, touch=True))
        self.taps += 1

    def update(self) -> None:
        now = time.monotonic()
        if now < self.next_at:
            return
        sessions = self.app.sessions
        if sessions.state == ks.COUNTDOWN and not self.answered and self.rng.random() < 0.3:
            self.answered = True  # "I'm still here", then wander off again
            self.tap()
            self.next_at = now + self.idle_s
            return
        if self.taps_left > 0:
            self.tap()
            self.taps_left -= 1
            self.next_at = now + self.rng.uniform(0.15, 0.8)
            if self.taps_left == 0:  # walk away: long enough for the countdown and the reset
                self.next_at = now + self.idle_s
            return
        if sessions.state == ks.ATTRACT:
            sessions.reset_policy = POLICIES[sessions.sessions_completed % len(POLICIES)]
            self.answered = False
            self.taps_left = self.rng.randint(8, 40)
            self.next_at = now + self.rng.uniform(1.0, 6.0)  # attract mode shows for a while first
        else:
            self.next_at = now + 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--tf-threads", type=int, default=1, help="trainer threads (the machine is shared)")
    parser.add_argument("--fault-every", type=float, default=0.0,
                        help="minutes between injected faults (default: a quarter of the run)")
    parser.add_argument("--warmup", type=float, default=0.0,
                        help="minutes before the memory baseline (default: a tenth of the run, 1 to 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--folder", type=Path, default=None, help="data and logs (default: a temp folder)")
    args = parser.parse_args()

    folder = args.folder or Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    base = KioskConfig()
    config = replace(
        base,
        session=replace(base.session, idle_timeout=6.0, countdown_seconds=4.0),
        display=replace(base.display, fullscreen=False),
        paths=replace(base.paths, data_dir=folder / "data", log_dir=folder / "logs"),
        training=replace(base.training, checkpoint_minutes=0.5, hang_seconds=30.0),
    )
    setup_kiosk_logging(config.paths.log_dir)
    logging.getLogger("counterfeit_game.kiosk.session").setLevel(logging.WARNING)
    idle_s = config.session.idle_timeout + config.session.countdown_seconds + 2.0
    fault_every = (args.fault_every or args.minutes / 4) * 60.0
    warmup = (args.warmup or min(3.0, max(1.0, args.minutes / 10))) * 60.0

    app = KioskApp(config, window_size=(1280, 720), tf_threads=args.tf_threads)
    ui_pid = os.getpid()
    visitor = Visitor(app, random.Random(args.seed), idle_s)
    app.start()
    start = time.monotonic()
    end = start + args.minutes * 60.0
    samples = []  # (seconds, ui rss, worker rss)
    samples.append((0.0, rss_mb(ui_pid), rss_mb(worker_pid(app))))
    baseline = None
    next_sample = start + 30.0
    next_fault = start + fault_every
    faults = []
    loop_crashes = 0
    frame_ms: list[float] = []
    clock = pygame.time.Clock()
    dt = 0.0
    print(f"soak: {args.minutes:g} min, data in {folder}, load average {os.getloadavg()}", flush=True)
    while time.monotonic() < end and app.running:
        visitor.update()
        begin = time.perf_counter()
        try:
            app.frame(dt)
        except Exception:  # noqa: BLE001 - counted and reported: the figure this benchmark exists for
            loop_crashes += 1
            traceback.print_exc()
        frame_ms.append((time.perf_counter() - begin) * 1000.0)
        now = time.monotonic()
        supervisor = app.supervisor
        if (now >= next_fault and supervisor.client is not None and supervisor.snapshot.status == "running"
                and supervisor.snapshot.step > 0 and not supervisor.recovery_visible):
            kind = "crash" if len(faults) % 2 == 0 else "nan"
            app.game.client.inject_fault(kind)
            faults.append((round(now - start), kind, supervisor.snapshot.step))
            print(f"{now - start:7.0f} s  injected {kind} at step {supervisor.snapshot.step}", flush=True)
            next_fault = now + fault_every
        if now >= next_sample:
            sample = (now - start, rss_mb(ui_pid), rss_mb(worker_pid(app)))
            samples.append(sample)
            if baseline is None and now - start >= warmup:
                baseline = sample
            stats = app.supervisor.stats
            print(f"{now - start:7.0f} s  ui {sample[1]:.0f} MB  worker {sample[2] or 0:.0f} MB  "
                  f"step {app.supervisor.snapshot.step}  sessions {app.sessions.sessions_completed}  "
                  f"recoveries {stats['recoveries']}  load {os.getloadavg()[0]:.2f}", flush=True)
            next_sample = now + 30.0
        dt = min(0.1, clock.tick(args.fps) / 1000.0)
    final = (time.monotonic() - start, rss_mb(ui_pid), rss_mb(worker_pid(app)))
    samples.append(final)
    stats = dict(app.supervisor.stats)
    sessions = app.sessions.sessions_completed
    closing = time.monotonic()
    app.close()
    close_seconds = time.monotonic() - closing
    pygame.quit()

    def slope(index):
        points = [(s[0], s[index]) for s in samples if baseline and s[0] >= baseline[0] and s[index] is not None]
        if len(points) < 3:
            return None
        x, y = np.array(points).T
        return float(np.polyfit(x / 3600.0, y, 1)[0])

    frames = np.asarray(frame_ms[int(args.fps * 10):] or frame_ms)  # skip the first seconds of start-up
    failures = sum(stats.get(k, 0) for k in ("crashes", "hangs", "divergences", "collapses"))
    summary = {
        "minutes": round((final[0]) / 60.0, 2),
        "fps_target": args.fps,
        "ui_rss_mb_start": round(samples[0][1], 1),
        "ui_rss_mb_after_warmup": None if baseline is None else round(baseline[1], 1),
        "ui_rss_mb_end": round(final[1], 1),
        "ui_rss_growth_after_warmup_mb": None if baseline is None else round(final[1] - baseline[1], 1),
        "ui_rss_slope_mb_per_hour": None if slope(1) is None else round(slope(1), 2),
        "worker_rss_mb_start": None if samples[0][2] is None else round(samples[0][2], 1),
        "worker_rss_mb_after_warmup": None if baseline is None or baseline[2] is None else round(baseline[2], 1),
        "worker_rss_mb_end": None if final[2] is None else round(final[2], 1),
        "kiosk_loop_crashes": loop_crashes,
        "faults_injected": len(faults),
        "faults": faults,
        "trainer_failures_detected": failures,
        "recoveries": stats.get("recoveries", 0),
        "supervisor": stats,
        "frame_ms_p50": round(float(np.percentile(frames, 50)), 2),
        "frame_ms_p95": round(float(np.percentile(frames, 95)), 2),
        "frame_ms_max": round(float(frames.max()), 2),
        "frames": int(len(frame_ms)),
        "sessions_completed": sessions,
        "close_seconds": round(close_seconds, 2),
        "visitor_taps": visitor.taps,
        "load_average_end": os.getloadavg(),
        "data_folder": str(folder),
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
