"""Argument types shared by the subcommands: a bad value is one argparse error line, exit code 2."""

from __future__ import annotations

import argparse


def int_at_least(minimum: int):
    """An argparse type for whole numbers >= minimum."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} must be at least {minimum}")
        return value

    parse.__name__ = f"int_at_least_{minimum}"
    return parse


def int_between(minimum: int, maximum: int, why: str = ""):
    """An argparse type for whole numbers in minimum..maximum; ``why`` explains the upper bound."""
    at_least = int_at_least(minimum)

    def parse(text: str) -> int:
        value = at_least(text)
        if value > maximum:
            reason = f" ({why})" if why else ""
            raise argparse.ArgumentTypeError(f"{value} must be at most {maximum}{reason}")
        return value

    parse.__name__ = f"int_between_{minimum}_{maximum}"
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)

# How many threads TensorFlow may be asked for (--tf-threads): far above any machine this runs on,
# far below the thread count at which creating the pool would exhaust memory.
MAX_TF_THREADS = 256
tf_threads_value = int_between(1, MAX_TF_THREADS, "more threads than cores only slows TensorFlow down")


def unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} is outside 0..1")
    return value


SEED_MAX = 2**32 - 1  # NumPy's and TensorFlow's seeds are unsigned 32-bit


def seed_value(text: str) -> int:
    """A random seed NumPy and TensorFlow both accept, refused here rather than deep in the trainer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"{value} is outside 0..{SEED_MAX} (2**32 - 1)")
    return value
