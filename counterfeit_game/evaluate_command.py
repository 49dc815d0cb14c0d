"""`counterfeit-game evaluate GENERATOR.keras`: the examiner's verdict on a saved counterfeiter.

Prints one JSON object on one line (fed, score, confidence, coverage, histogram, and what was
measured) so runs can be compared by script. TensorFlow loads only inside ``run_evaluate``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from pathlib import Path

from counterfeit_game.cli_types import int_between, seed_value
from counterfeit_game.errors import UserFacingError

DEFAULT_N = 1000  # the same n as the meter's anchors and BENCHMARKS.md's reference values
MIN_N = 10
# Printing and examining one bill holds about 15 KB at once (the noise, the 28x28 images in a few
# float32 copies, the examiner's 128 features in float64): 100,000 bills take about 1.5 GB of memory
# and half a minute on a 2-core laptop; FED is already stable at the default 1000.
MAX_N = 100_000
CONFIDENT_READ = 0.95  # quality.CONFIDENT, named here without loading TensorFlow for --help

DESCRIPTION = (
    "Print and examine N counterfeits from a saved generator and print the examiner's verdict as "
    "one JSON object: fed (distance to real digits, lower is better), score (the game's 0-100 "
    "meter), confidence (the examiner's mean top probability), histogram (how many bills the "
    f"examiner read as each digit 0..9 with at least {CONFIDENT_READ} confidence; bills it could "
    "not read that surely are not counted, so the histogram sums to read, at most n), read, "
    "read_threshold, coverage (digits making up at least 2% of the n bills in that histogram), n, "
    "seed, generator and seconds."
)


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.description = DESCRIPTION
    parser.add_argument("generator", type=Path,
                        help="a saved counterfeiter, e.g. DIR/generator.keras from `train` (also "
                             "written when a training run is interrupted)")
    parser.add_argument("--n", type=int_between(MIN_N, MAX_N, "about 1.5 GB of memory at most"),
                        default=DEFAULT_N,
                        help=f"counterfeits to print and examine, {MIN_N} to {MAX_N:,} (default "
                             f"{DEFAULT_N}; FED is only comparable between equal n; each 10,000 "
                             "bills take about 150 MB of memory)")
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
    if n < MIN_N:
        raise UserFacingError(f"--n {n}: examine at least {MIN_N} counterfeits")
    if n > MAX_N:
        raise UserFacingError(f"--n {n}: examine at most {MAX_N} counterfeits (memory)")
    from counterfeit_game.quality import CONFIDENT, Examiner, GeneratorFileError, generate, load_generator

    try:
        generator = load_generator(path)
    except GeneratorFileError:
        problem = unloadable_layer(Path(path))
        if problem is None:
            raise
        raise GeneratorFileError(f"{path}: not a counterfeiter saved by this program: {problem}") from None
    examiner = Examiner.load_bundled()
    started = time.perf_counter()
    metrics = examiner.metrics(generate(generator, n, seed))
    return {
        "fed": round(metrics["fed"], 4),
        "score": round(metrics["score"], 2),
        "confidence": round(metrics["confidence"], 4),
        "coverage": metrics["coverage"],
        "histogram": metrics["histogram"],
        "read": int(sum(metrics["histogram"])),
        "read_threshold": CONFIDENT,
        "n": n,
        "seed": seed,
        "generator": str(path),
        "seconds": round(time.perf_counter() - started, 3),
    }


def unloadable_layer(path: Path) -> str | None:
    """What in a .keras file Keras refuses to load safely, in words, or None (TF-free).

    A Lambda layer stores Python bytecode and a custom layer needs the code that defined it; Keras's
    own messages for both are paragraphs about `safe_mode` and `from_config`. Counterfeiters that
    `train` and the game save hold only Keras's built-in layers."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError):
        return None
    return _first_unloadable(config)


def _first_unloadable(node, layer: str | None = None) -> str | None:
    if isinstance(node, list):
        for item in node:
            found = _first_unloadable(item, layer)
            if found:
                return found
        return None
    if not isinstance(node, dict):
        return None
    config = node.get("config")
    if isinstance(config, dict) and isinstance(config.get("name"), str):
        layer = config["name"]
    class_name = node.get("class_name")
    named = f" {layer!r}" if layer else ""
    if class_name == "__lambda__":
        return f"its Lambda layer{named} holds Python code, which evaluate never runs"
    if isinstance(class_name, str) and "module" in node:
        module, registered = node.get("module"), node.get("registered_name")
        if registered is not None or not (isinstance(module, str) and module.split(".")[0] == "keras"):
            where = f" (layer{named})" if layer else ""
            return (f"it uses the custom class {registered or class_name!r}{where}, which only the "
                    "code that defined it can load")
    for key, value in node.items():
        if key != "compile_config":  # never read: generators are loaded with compile=False
            found = _first_unloadable(value, layer)
            if found:
                return found
    return None


def main(argv: list[str] | None = None) -> int:
    parser = add_evaluate_arguments(argparse.ArgumentParser(prog="counterfeit-game evaluate"))
    return run_evaluate(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
