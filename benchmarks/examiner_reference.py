"""The examiner's reference figures: its test accuracy, and the FEDs that anchor the quality meter.

    .venv/bin/python benchmarks/examiner_reference.py

Prints the bundled examiner's accuracy on the 10,000 MNIST test digits; the FED, score, confidence
and coverage of real training digits (real against real), of untrained counterfeiters (both
architectures, three seeds), of uniform noise and of a "collapsed" counterfeiter that only prints
real ones; and how long one report takes. All with n = 1000 bills unless said. Asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402


def row(name, metrics):
    print(f"  {name:38s} FED {metrics['fed']:8.2f}  score {metrics['score']:5.1f}  "
          f"confidence {metrics['confidence']:.3f}  coverage {metrics['coverage']:2d}")


def main() -> int:
    import keras

    from counterfeit_game.architectures import build_pair
    from counterfeit_game.data import load_mnist, scale_images
    from counterfeit_game.quality import Examiner

    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    data = load_mnist("bundled")
    examiner = Examiner.load_bundled()
    digits, _ = examiner.read_digit(data.x_test)
    print(f"examiner test accuracy (10,000 MNIST test digits): "
          f"{100 * np.mean(digits == data.y_test):.2f}%")

    rng = np.random.default_rng(0)
    print("real against real (random training digits vs the test set's statistics)")
    for n in (500, 1000, 2000):
        feds = []
        for _ in range(5):
            pick = rng.choice(len(data.x_train), n, replace=False)
            metrics = examiner.metrics(scale_images(data.x_train[pick]))
            feds.append(metrics["fed"])
        print(f"  n = {n:4d}: FED median {statistics.median(feds):.2f} "
              f"(min {min(feds):.2f}, max {max(feds):.2f}, 5 draws); last coverage "
              f"{metrics['coverage']}, confidence {metrics['confidence']:.3f}")

    print("untrained counterfeiters (fresh weights, inference mode, n = 1000)")
    noise = rng.standard_normal((1000, 100)).astype(np.float32)
    for architecture in ("original", "dcgan"):
        for seed in range(3):
            keras.utils.set_random_seed(seed)
            generator, _ = build_pair(architecture)
            row(f"{architecture}, seed {seed}", examiner.metrics(
                np.asarray(generator(noise, training=False))))
    row("uniform noise", examiner.metrics(rng.uniform(-1, 1, (1000, 28, 28, 1)).astype(np.float32)))
    row("collapsed: 1000 real ones", examiner.metrics(data.x_train[data.y_train == 1][:1000]))

    print("time for one report (median of 5)")
    for n in (500, 1000):
        images = scale_images(data.x_train[:n])
        times = []
        for _ in range(5):
            started = time.perf_counter()
            examiner.report(images, step=0)
            times.append(time.perf_counter() - started)
        print(f"  n = {n:4d}: {1000 * statistics.median(times):.0f} ms")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
