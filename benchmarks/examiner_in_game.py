"""What the examiner and the guessing game's difficulty cost inside the game's trainer.

    .venv/bin/python benchmarks/examiner_in_game.py [--rounds 3]

For each network pair the game can train (hyperparams.game_config): training speed on the fast path
(8-step chunks, warm), the cost of one quality report (quality.RECOMMENDED_N counterfeits printed
and examined, as TrainerCore does), the share of training time that costs at the game's interval
(hyperparams.game_quality_interval), what a guessing round's sample costs (10 fakes and 10 reals
read by the examiner; plain, and easy/hard: fake_age 1/3 from a remembered counterfeiter, best of
3), and the memory of the remembered counterfeiters (trainer.GeneratorLadder). Medians over
interleaved rounds. With --live SECONDS it also runs the game's dcgan trainer in its worker
process, as the game does, alternately without and with the examiner's reports, and prints the
steps per second of each and the steps the reports came at. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(action, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def live(interval: int | None, seconds: float) -> None:
    """The dcgan trainer in its process at full speed for ``seconds`` after a short warm-up."""
    from counterfeit_game.hyperparams import game_config, game_quality_interval
    from counterfeit_game.worker import TrainerClient

    interval = game_quality_interval("dcgan") if interval is None else interval
    client = TrainerClient(config=game_config("dcgan"), mode="process", quality_interval=interval).start()
    try:
        deadline = time.monotonic() + 180
        while (not client.ready or client.poll().step < 50) and time.monotonic() < deadline:
            time.sleep(0.05)
        start, first = time.monotonic(), client.poll().step
        reports = []
        while time.monotonic() - start < seconds:
            quality = client.poll().quality
            if quality is not None and (not reports or reports[-1] != quality.step):
                reports.append(quality.step)
            time.sleep(0.05)
        rate = (client.poll().step - first) / (time.monotonic() - start)
        print(f"live, quality every {interval or '-'} steps: {rate:.1f} steps/s, reports at {reports}, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--live", type=float, default=0.0, metavar="SECONDS",
                        help="also time the worker process with and without reports (2 rounds each)")
    args = parser.parse_args()
    if args.live:
        for _ in range(2):
            for interval in (0, None):
                live(interval, args.live)

    from counterfeit_game.data import load_mnist
    from counterfeit_game.hyperparams import GAME_ARCHITECTURES, game_config, game_quality_interval
    from counterfeit_game.quality import RECOMMENDED_N, Examiner
    from counterfeit_game.trainer import TrainingRun

    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    data = load_mnist("bundled")
    runs = {name: TrainingRun(game_config(name), data) for name in GAME_ARCHITECTURES}
    start = time.perf_counter()
    examiner = Examiner.load_bundled()
    print(f"examiner load: {1000 * (time.perf_counter() - start):.0f} ms (once per worker, TF up)")
    figures = {name: {"steps/s": [], "print": [], "examine": [], "report": [], "sample": [],
                      "sample easy": [], "sample hard": []} for name in runs}

    def sample(run, **options):
        bills, _, _ = run.sample(10, **options)
        examiner.read_digit(bills.fake)
        examiner.read_digit(bills.real)

    for run in runs.values():  # warm-up: tracing, first calls, a remembered counterfeiter
        run.remember_generator()
        run.train_chunk(8)
        run.train_chunk(8)
        examiner.report(run.generator_images(RECOMMENDED_N, seed=0), run.step)
        sample(run)
        sample(run, fake_age=1 / 3, best_of=3)
    for _ in range(args.rounds):
        for name, run in runs.items():
            f = figures[name]
            f["steps/s"].append(8 / timed(lambda: run.train_chunk(8), 25))
            run.remember_generator()
            images = []
            f["print"].append(timed(lambda: images.append(run.generator_images(RECOMMENDED_N, seed=run.step))))
            f["examine"].append(timed(lambda: examiner.report(images[-1], run.step)))
            f["report"].append(f["print"][-1] + f["examine"][-1])
            f["sample"].append(timed(lambda: sample(run), 3))
            f["sample easy"].append(timed(lambda: sample(run, fake_age=1 / 3), 3))
            f["sample hard"].append(timed(lambda: sample(run, best_of=3), 3))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    for name, run in runs.items():
        f = {key: statistics.median(values) for key, values in figures[name].items()}
        interval = game_quality_interval(name)
        train_s = interval / f["steps/s"]
        per_copy = sum(v.numpy().nbytes for v in run.gan.generator.variables)
        print(f"{name}: {f['steps/s']:.1f} steps/s; one report {1000 * f['report']:.0f} ms (printing "
              f"{1000 * f['print']:.0f}, examining {1000 * f['examine']:.0f}); every "
              f"{interval} steps = {100 * f['report'] / (train_s + f['report']):.1f}% of training time "
              f"(a report every {train_s + f['report']:.1f} s)")
        print(f"  sample of 10+10 with readings: {1000 * f['sample']:.0f} ms plain, "
              f"{1000 * f['sample easy']:.0f} ms fake_age 1/3, {1000 * f['sample hard']:.0f} ms best of 3")
        print(f"  remembered counterfeiters: {per_copy / 2**20:.2f} MB each, at most "
              f"{run.ladder.max_kept} kept = {run.ladder.max_kept * per_copy / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
