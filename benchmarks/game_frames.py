"""Frame time of the game while training runs at full speed, beside training's headless speed.

Prints, in one run:
  1. headless: the trainer alone (TrainerClient in a worker process, no window), steps/s;
  2. game: `counterfeit-game --frames N --stats ... --screenshot ...` under SDL's dummy video
     driver (or a real one if you set SDL_VIDEODRIVER), with the same trainer at full speed;
and the ratio of the two training speeds. Both runs skip the first WARMUP steps (XLA compiles
the step then). Frame time is the work of one frame (events, update, draw, flip), not the wait
for the next frame; the wait-inclusive interval is printed too.

    .venv/bin/python benchmarks/game_frames.py [--seconds 40] [--warmup 300] [--tf-threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def headless_steps_per_s(seconds: float, warmup: int, tf_threads: int | None) -> dict:
    from counterfeit_game.worker import TrainerClient

    client = TrainerClient(mode="process", tf_threads=tf_threads).start()
    try:
        started = time.monotonic()
        snap = client.poll()
        while snap.step < warmup:
            if time.monotonic() - started > 600:
                raise SystemExit("headless trainer did not reach the warm-up step in 10 minutes")
            time.sleep(0.05)
            snap = client.poll()
        t0, s0 = time.monotonic(), snap.step
        while time.monotonic() - t0 < seconds:
            time.sleep(1 / 60)  # poll like a 60 fps window would, without drawing
            snap = client.poll()
        t1, s1 = time.monotonic(), snap.step
    finally:
        client.close()
    return {"train_steps": s1 - s0, "train_steps_per_s": round((s1 - s0) / (t1 - t0), 2)}


def game_run(seconds: float, warmup: int, tf_threads: int | None, screenshot: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stats.json"
        # Enough frames for the engine to load and warm up, then `seconds` of measured frames.
        command = [sys.executable, "-m", "counterfeit_game", "--frames", str(int(60 * seconds)),
                   "--measure-after-step", str(warmup), "--stats", str(stats), "--screenshot", str(screenshot),
                   "--no-sound", "--exports", tmp, "--scores", str(Path(tmp) / "scores.json")]
        if tf_threads:
            command += ["--tf-threads", str(tf_threads)]
        env = dict(os.environ)
        env.setdefault("SDL_VIDEODRIVER", "dummy")
        env.setdefault("SDL_AUDIODRIVER", "dummy")
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return json.loads(stats.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=int, default=300, help="training steps skipped before measuring")
    parser.add_argument("--tf-threads", type=int, default=None)
    parser.add_argument("--screenshot", type=Path, default=Path(tempfile.gettempdir()) / "game_frames.png")
    args = parser.parse_args()
    print(f"cpu cores: {os.cpu_count()}  video driver: {os.environ.get('SDL_VIDEODRIVER', 'dummy')}")
    headless = headless_steps_per_s(args.seconds, args.warmup, args.tf_threads)
    print(f"headless trainer:  {headless['train_steps_per_s']:8.1f} steps/s  ({headless['train_steps']} steps)")
    game = game_run(args.seconds, args.warmup, args.tf_threads, args.screenshot)
    print(f"game at 1280x720:  frame p50 {game['frame_ms_p50']:.2f} ms  p95 {game['frame_ms_p95']:.2f} ms  "
          f"max {game['frame_ms_max']:.1f} ms  over {game['frames']} frames while training")
    print(f"                   frame interval p50 {game['interval_ms_p50']:.2f} ms  "
          f"p95 {game['interval_ms_p95']:.2f} ms (includes waiting for the next 60 Hz frame)")
    print(f"                   training {game['train_steps_per_s']:8.1f} steps/s  ({game['train_steps']} steps)")
    ratio = game["train_steps_per_s"] / max(1e-9, headless["train_steps_per_s"])
    print(f"training speed with the game open: {ratio * 100:.0f}% of headless")
    print(f"title on screen after {game['first_frame_s']:.2f} s; engine ready after {game['ready_s']:.1f} s")
    print(f"screenshot: {args.screenshot}")
    print(json.dumps({"headless": headless, "game": game}))


if __name__ == "__main__":
    main()
