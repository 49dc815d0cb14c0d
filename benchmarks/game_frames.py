"""Frame time of the game while training runs at full speed, beside training's headless speed.

One trainer (TrainerClient in a worker process, as the game runs it) is started and warmed up
(XLA compiles the step during the first steps). Then, alternately, ROUNDS times:
  - headless: nobody draws; the trainer is polled 60 times a second, steps/s measured;
  - game: the real game loop (GameApp, the workshop at 1280x720, SDL's dummy video driver unless
    SDL_VIDEODRIVER says otherwise) runs SECONDS*60 frames on the same trainer.
Alternating on one trainer keeps background load and warm-up out of the comparison. Frame time is
the wall time of one frame's work (events, trainer poll, update, draw, flip), without the wait for
the next frame; still frames are not redrawn, so the time of drawn frames is printed apart, and so
is their CPU time (the main thread's own), which background load on a shared machine cannot
inflate. The wait-inclusive interval is printed too. A final screenshot is written.

The same figures for one run of the real command: `counterfeit-game --frames N
--measure-after-step K --stats FILE.json --screenshot FILE.png` (N frames counted from step K).

    .venv/bin/python benchmarks/game_frames.py [--seconds 20] [--rounds 2] [--tf-threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average unknown"


def headless(client, seconds: float) -> float:
    snap = client.poll()
    t0, s0 = time.monotonic(), snap.step
    while time.monotonic() - t0 < seconds:
        time.sleep(1 / 60)
        snap = client.poll()
    return (snap.step - s0) / (time.monotonic() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds per measured phase")
    parser.add_argument("--rounds", type=int, default=2, help="headless/game alternations")
    parser.add_argument("--warmup", type=int, default=300, help="training steps before measuring")
    parser.add_argument("--tf-threads", type=int, default=None)
    parser.add_argument("--architecture", choices=("dcgan", "original"), default="dcgan",
                        help="the pair the game trains (default: the game's own, with the examiner's reports)")
    parser.add_argument("--screenshot", type=Path, default=Path(tempfile.gettempdir()) / "game_frames.png")
    args = parser.parse_args()

    from counterfeit_game.game.app import FrameStats, GameApp
    from counterfeit_game.game.play_command import lower_worker_priority
    from counterfeit_game.game.scenes.workshop import WorkshopScene
    from counterfeit_game.game.settings import GameSettings
    from counterfeit_game.hyperparams import game_config, game_quality_interval
    from counterfeit_game.worker import TrainerClient

    print(f"architecture: {args.architecture}  cpu cores: {os.cpu_count()}  video driver: {os.environ['SDL_VIDEODRIVER']}  "
          f"tf threads: {args.tf_threads or 'default'}  {load()}")
    started = time.monotonic()
    interval = game_quality_interval(args.architecture)
    client = TrainerClient(config=game_config(args.architecture), mode="process", tf_threads=args.tf_threads,
                           quality_interval=interval).start()
    lower_worker_priority()  # as `counterfeit-game` does
    tmp = Path(tempfile.mkdtemp())
    settings = GameSettings(sound=False, exports_dir=tmp / "exports", scores_path=tmp / "scores.json",
                            quality_interval=interval)
    try:
        while client.poll().step < args.warmup:
            if time.monotonic() - started > 900:
                raise SystemExit("the trainer did not warm up in 15 minutes")
            time.sleep(0.05)
        print(f"trainer ready and warmed up ({args.warmup} steps) after {time.monotonic() - started:.0f} s")
        app = GameApp(client, settings)
        app.start(WorkshopScene(app), start_client=False)
        results = []
        for round_index in range(args.rounds):
            rate_headless = headless(client, args.seconds)
            app.stats = FrameStats()
            app.run(max_frames=int(args.seconds * 60), screenshot=args.screenshot)
            game = app.stats.summary()
            results.append((rate_headless, game))
            print(f"round {round_index + 1}: headless {rate_headless:6.1f} steps/s | game {game['train_steps_per_s']:6.1f}"
                  f" steps/s ({game['train_steps_per_s'] / max(rate_headless, 1e-9) * 100:3.0f}%), frame p50 "
                  f"{game['frame_ms_p50']:.2f} ms p95 {game['frame_ms_p95']:.2f} ms max {game['frame_ms_max']:.1f} ms,"
                  f" interval p95 {game['interval_ms_p95']:.1f} ms, {game['frames_drawn']}/{game['frames']} frames"
                  f" drawn (drawn p95 {game['drawn_frame_ms_p95']:.2f} ms; CPU per drawn frame p50 "
                  f"{game['drawn_frame_cpu_ms_p50']:.2f} ms p95 {game['drawn_frame_cpu_ms_p95']:.2f} ms)  [{load()}]")
    finally:
        client.close()
    headless_rate = statistics.median(r for r, _ in results)
    game_rate = statistics.median(g["train_steps_per_s"] for _, g in results)
    p95 = statistics.median(g["frame_ms_p95"] for _, g in results)
    p50 = statistics.median(g["frame_ms_p50"] for _, g in results)
    drawn95 = statistics.median(g["drawn_frame_ms_p95"] for _, g in results)
    cpu95 = statistics.median(g["drawn_frame_cpu_ms_p95"] for _, g in results)
    print(f"median: headless {headless_rate:.1f} steps/s, with the game {game_rate:.1f} steps/s "
          f"({game_rate / max(headless_rate, 1e-9) * 100:.0f}%); frame p50 {p50:.2f} ms, p95 {p95:.2f} ms; "
          f"drawn frames p95 {drawn95:.2f} ms, CPU per drawn frame p95 {cpu95:.2f} ms")
    print(f"screenshot: {args.screenshot}")
    print(json.dumps({"headless_steps_per_s": headless_rate, "rounds": [g for _, g in results]}))


if __name__ == "__main__":
    main()
