"""Time to good digits: wall seconds from a fresh counterfeiter until the examiner is satisfied.

    .venv/bin/python benchmarks/time_to_quality.py [--json out.json]

"Good digits" means coverage 10/10 and a FED no worse than the original loop's FED after 5000
steps (both measured by the examiner on the same 1000 noise vectors). This run measures that
target itself, with the original article's loop (benchmarks/original_keras_gan.py), and the
seconds each contender needs to reach it:

- the original loop (train_on_batch on a compiled discriminator and a stacked combined model),
- our game settings (hyperparams.GAME_PRESET) on our engine (trainer.TrainingRun, as the game),
- optionally (--with-engine-original) the original settings on our engine.

The contenders train in turns, in one process, so background load on the shared CPU hits them
alike. Each one's stopwatch runs only while it builds and trains (the first call's tracing and XLA
compile included); the examiner's checks are not counted. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

EVAL_N = 1000
EVAL_SEED = 12345


class Contender:
    """One GAN being timed: trains in slices, is examined every ``check_every`` steps."""

    def __init__(self, name, build, train_until, images_of, check_every, max_seconds=None):
        self.name = name
        self._build, self._train_until, self._images_of = build, train_until, images_of
        self.check_every = check_every
        self.max_seconds = max_seconds
        self.model = None
        self.step = 0
        self.seconds = 0.0  # building and training only
        self.checks: list[dict] = []  # step, seconds and the examiner's metrics

    def advance(self, examiner, noise) -> dict:
        """Build (first time) and train up to the next check, then examine; returns the check."""
        started = time.perf_counter()
        if self.model is None:
            self.model = self._build()
        target = self.step + self.check_every
        self.step = self._train_until(self.model, self.step, target)
        self.seconds += time.perf_counter() - started
        metrics = examiner.metrics(self._images_of(self.model, noise))
        check = {"step": self.step, "seconds": round(self.seconds, 2),
                 **{k: metrics[k] for k in ("fed", "score", "coverage", "confidence", "histogram")}}
        self.checks.append(check)
        return check

    def first_reaching(self, target_fed: float) -> dict | None:
        for check in self.checks:
            if check["coverage"] == 10 and check["fed"] <= target_fed:
                return check
        return None


def original_loop(images, seed, check_every):
    from original_keras_gan import OriginalKerasGAN

    def build():
        return OriginalKerasGAN(seed=seed)

    def train_until(model, step, target):
        while step < target:
            model.train_step(model.sample_batch(images))
            step += 1
        return step

    def images_of(model, noise):
        return np.concatenate([np.asarray(model.generator(noise[i:i + 500], training=False))
                               for i in range(0, len(noise), 500)])

    return Contender("original loop", build, train_until, images_of, check_every)


def engine(name, config, data, check_every, max_seconds):
    from counterfeit_game.trainer import CHUNK, TrainingRun

    def build():
        return TrainingRun(config, data)

    def train_until(run, step, target):
        while run.step < target:
            run.train_chunk(min(CHUNK, target - run.step))
        return run.step

    def images_of(run, noise):
        return run.gan.print_bills(noise)[0]

    return Contender(name, build, train_until, images_of, check_every, max_seconds)


def describe(check: dict | None) -> str:
    if check is None:
        return "not reached"
    return (f"{check['seconds']:7.1f} s  (step {check['step']:5d}, FED {check['fed']:6.1f}, "
            f"coverage {check['coverage']}/10, score {check['score']:4.1f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--original-steps", type=int, default=5000,
                        help="the original loop's run length that defines the target FED")
    parser.add_argument("--original-max-steps", type=int, default=8000,
                        help="if the original loop's coverage is short of 10/10 at --original-steps, "
                        "it goes on to at most this many steps")
    parser.add_argument("--target-fed", type=float, default=None,
                        help="skip the original loop and use this target FED instead")
    parser.add_argument("--check-original", type=int, default=250,
                        help="steps between the examiner's checks of the original loop")
    parser.add_argument("--check-ours", type=int, default=50,
                        help="steps between the examiner's checks of our engine")
    parser.add_argument("--stop-fed", type=float, default=60.0,
                        help="our runs stop once coverage is 10/10 and FED is at most this (and at "
                        "most the target, once known)")
    parser.add_argument("--max-seconds", type=float, default=600.0,
                        help="give up on one of our runs after this many of its own seconds (the "
                        "original loop always runs its --original-steps)")
    parser.add_argument("--with-engine-original", action="store_true",
                        help="also time the original settings on our engine")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write every check here")
    args = parser.parse_args()

    import tensorflow as tf

    from counterfeit_game.data import load_mnist, scale_images
    from counterfeit_game.hyperparams import GAME_PRESET, GanConfig
    from counterfeit_game.quality import Examiner

    data = load_mnist("bundled")
    images = scale_images(data.x_train)
    examiner = Examiner.load_bundled()
    noise = np.random.default_rng(EVAL_SEED).standard_normal((EVAL_N, 100)).astype(np.float32)
    preset = GanConfig.from_dict({**GAME_PRESET.as_dict(), "seed": args.seed})
    load_start = os.getloadavg()
    print(f"CPU cores: {os.cpu_count()}, TF threads intra/inter: "
          f"{tf.config.threading.get_intra_op_parallelism_threads()}/"
          f"{tf.config.threading.get_inter_op_parallelism_threads()} (0 = all), "
          f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
    print(f"game preset: {preset}")

    original = None
    if args.target_fed is None:
        original = original_loop(images, args.seed, args.check_original)
    ours = [engine("ours: game preset", preset, data, args.check_ours, args.max_seconds)]
    if args.with_engine_original:
        ours.append(engine("ours: original settings", GanConfig(seed=args.seed), data,
                           args.check_original, args.max_seconds))

    target = args.target_fed
    active = ([original] if original else []) + ours
    while active:
        for contender in list(active):
            check = contender.advance(examiner, noise)
            print(f"  {contender.name:26s} step {check['step']:5d}  {check['seconds']:7.1f} s  "
                  f"FED {check['fed']:7.2f}  coverage {check['coverage']:2d}  "
                  f"score {check['score']:5.1f}", flush=True)
            if contender is original:
                # The original loop runs to the end whatever it costs: it defines the target.
                if target is None and check["step"] >= args.original_steps:
                    target = check["fed"]
                    print(f"  -> target FED (original loop at step {check['step']}): {target:.2f}")
                    # Ours may have stopped at --stop-fed before the target was known.
                    active += [c for c in ours if c not in active and c.first_reaching(target) is None
                               and c.seconds < c.max_seconds]
                # Past its run length only while its coverage is still short of 10/10.
                if target is not None and (original.first_reaching(target) is not None
                                           or check["step"] >= args.original_max_steps):
                    active.remove(contender)
                continue
            bar = args.stop_fed if target is None else min(args.stop_fed, target)
            if (check["coverage"] == 10 and check["fed"] <= bar) or (
                contender.seconds >= contender.max_seconds
            ):
                active.remove(contender)

    load_end = os.getloadavg()
    print()
    print(f"target: coverage 10/10 and FED <= {target:.2f} "
          f"({'original loop after ' + str(args.original_steps) + ' steps' if original else 'given'})")
    results = {}
    for contender in ([original] if original else []) + ours:
        reached = contender.first_reaching(target)
        results[contender.name] = {"reached": reached, "checks": contender.checks}
        print(f"  {contender.name:26s} {describe(reached)}")
    if original:
        at_target = next(c for c in original.checks if c["step"] >= args.original_steps)
        print(f"  (the original loop's {at_target['step']} steps took {at_target['seconds']:.1f} s)")
    print(f"load average at end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({
            "target_fed": target, "preset": preset.as_dict(), "load_start": load_start,
            "load_end": load_end, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
