"""`counterfeit-game evaluate GENERATOR.keras`: the examiner's verdict on a saved counterfeiter.

Prints one JSON object on one line (fed, score, confidence, coverage, histogram, and what was
measured) so runs can be compared by script. TensorFlow loads only inside ``run_evaluate``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from counterfeit_game.cli_types import seed_value
from counterfeit_game.errors import UserFacingError

DEFAULT_N = 1000  # the same n as the meter's anchors and BENCHMARKS.md's reference values


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("generator", type=Path,
                        help="a saved counterfeiter, e.g. DIR/generator.keras from `train`")
    parser.add_argument("--n", type=int, default=DEFAULT_N,
                        help=f"counterfeits to print and examine (default {DEFAULT_N}; FED is "
                        "only comparable between equal n)")
    parser.add_argument("--seed", type=seed_value, default=0, help="seed of the noise (default 0)")
    return parser


def run_evaluate(args: argparse.Namespace) -> int:
    try:
        print(json.dumps(evaluate(args.generator, n=args.n, seed=args.seed)))
    except UserFacingError as exc:
        print(f"counterfeit-game: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


def evaluate(path: Path, n: int = DEFAULT_N, seed: int = 0) -> dict:
    if n < 10:
        raise UserFacingError(f"--n {n}: examine at least 10 counterfeits")
    from counterfeit_game.quality import Examiner, generate, load_generator

    generator = load_generator(path)
    examiner = Examiner.load_bundled()
    started = time.perf_counter()
    metrics = examiner.metrics(generate(generator, n, seed))
    return {
        "fed": round(metrics["fed"], 4),
        "score": round(metrics["score"], 2),
        "confidence": round(metrics["confidence"], 4),
        "coverage": metrics["coverage"],
        "histogram": metrics["histogram"],
        "n": n,
        "seed": seed,
        "generator": str(path),
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = add_evaluate_arguments(argparse.ArgumentParser(prog="counterfeit-game evaluate"))
    return run_evaluate(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
