"""Training speed: the original article's loop against our engine, side by side in one process.

    .venv/bin/python benchmarks/train_speed.py [--rounds 3] [--steps-original 60] [--steps-ours 400]

Prints steps/s of each (median of interleaved rounds, so background load hits both alike), the
ratio, and images/s of our engine at batch 32, 64, 128 and 256. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402


def time_original(model, images, steps):
    start = time.perf_counter()
    for _ in range(steps):
        model.train_step(model.sample_batch(images))
    return steps / (time.perf_counter() - start)


def time_ours(run, steps, chunked=True):
    from counterfeit_game.trainer import CHUNK

    start_step, start = run.step, time.perf_counter()
    while run.step - start_step < steps:
        run.train_chunk(CHUNK) if chunked else run.train_step()
    return (run.step - start_step) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps-original", type=int, default=60)
    parser.add_argument("--steps-ours", type=int, default=400)
    args = parser.parse_args()

    from original_keras_gan import OriginalKerasGAN

    from counterfeit_game.data import load_mnist, scale_images
    from counterfeit_game.hyperparams import GanConfig
    from counterfeit_game.trainer import TrainingRun

    data = load_mnist("bundled")
    images = scale_images(data.x_train)
    print(f"CPU cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")

    original = OriginalKerasGAN(seed=0)
    ours = TrainingRun(GanConfig(seed=0), data)
    time_original(original, images, 5)  # warm up: trace and compile both
    time_ours(ours, 16)
    time_ours(ours, 3, chunked=False)

    rates = {"original": [], "ours": [], "ours_single": []}
    for round_index in range(args.rounds):
        rates["original"].append(time_original(original, images, args.steps_original))
        rates["ours"].append(time_ours(ours, args.steps_ours))
        rates["ours_single"].append(time_ours(ours, args.steps_ours // 4, chunked=False))
        print(f"round {round_index + 1}: original {rates['original'][-1]:.1f} steps/s, "
              f"ours {rates['ours'][-1]:.1f} steps/s (one step per call: {rates['ours_single'][-1]:.1f})")
    original_rate = statistics.median(rates["original"])
    ours_rate = statistics.median(rates["ours"])
    single_rate = statistics.median(rates["ours_single"])
    print()
    print("batch 32, median of interleaved rounds")
    print(f"  original loop (train_on_batch x3 + predict): {original_rate:6.1f} steps/s")
    print(f"  ours, fused XLA step, 8 steps per call:      {ours_rate:6.1f} steps/s")
    print(f"  ours, fused XLA step, 1 step per call:       {single_rate:6.1f} steps/s")
    print(f"  ratio ours / original: {ours_rate / original_rate:.1f}x "
          f"(one step per call: {single_rate / original_rate:.1f}x)")
    print()
    print("our engine at larger batches (images/s = steps/s x batch, real and fake each)")
    for batch in (32, 64, 128, 256):
        run = ours if batch == 32 else TrainingRun(GanConfig(seed=0, batch_size=batch), data)
        time_ours(run, 16)
        steps = max(40, 6400 // batch)
        rate = time_ours(run, steps)
        print(f"  batch {batch:3d}: {rate:6.1f} steps/s = {rate * batch:8.0f} images/s")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
