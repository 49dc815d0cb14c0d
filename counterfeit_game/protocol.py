"""What travels between the UI and the training worker. No TensorFlow here.

Commands go in; messages come out. Messages carry *deltas* (new loss rows, new grids) so a long
run does not copy its whole history across a process boundary many times a second; the client
(worker.py) assembles them into immutable TrainingSnapshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from counterfeit_game.snapshot import GridFrame, QualityReport, StepBills

# Command names.
START = "start"  # begin training (running) once the engine is ready
PAUSE = "pause"
RESUME = "resume"
STEP = "step"  # one step while paused
SET_SPEED = "set_speed"  # value: steps per second (float > 0) or None for unlimited
RESET = "reset"  # value: seed or None; a new random counterfeiter and police
SAVE = "save"  # value: checkpoint path
LOAD = "load"  # value: checkpoint path
SAMPLE = "sample"  # value: (request_id, n, fake_age, best_of); n fresh fakes with police scores
CLOSE = "close"  # the sentinel: the worker finishes and exits
INJECT_FAULT = "inject_fault"  # value: "crash" | "nan" | "hang"; for tests and the soak benchmark

COMMANDS = {START, PAUSE, RESUME, STEP, SET_SPEED, RESET, SAVE, LOAD, SAMPLE, CLOSE, INJECT_FAULT}


def check_sample_options(fake_age: float, best_of: int) -> tuple[float, int]:
    """request_sample's difficulty options as numbers, or ValueError naming the bad one."""
    fake_age = float(fake_age)
    if not 0.0 < fake_age <= 1.0:
        raise ValueError(f"fake_age must be in (0, 1], not {fake_age}")
    if int(best_of) != best_of or best_of < 1:
        raise ValueError(f"best_of must be a whole number >= 1, not {best_of}")
    return fake_age, int(best_of)


class ReceiverGone(Exception):
    """The game's end of the message pipe is closed: the game is gone, so the worker stops quietly
    (a broken pipe then is the end of the conversation, not a training failure to report)."""


@dataclass(frozen=True)
class Command:
    name: str
    value: Any = None

    def __post_init__(self):
        if self.name not in COMMANDS:
            raise ValueError(f"unknown trainer command {self.name!r}")


@dataclass(frozen=True)
class Progress:
    """Everything that changed since the previous Progress message."""

    status: str
    step: int
    speed: float | None
    steps_per_second: float
    generation: int
    architecture: str
    seed: int
    batch_size: int
    history_rows: np.ndarray  # (k, 4) float64: step, d_loss, d_acc, g_loss
    reset_history: bool = False  # True: drop the history held so far (after reset or load)
    bills: StepBills | None = None
    new_grids: tuple[GridFrame, ...] = ()
    reset_grids: bool = False
    quality: QualityReport | None = None
    message: str | None = None


def _no_digits() -> np.ndarray:
    return np.zeros(0, np.int64)


def _no_confidences() -> np.ndarray:
    return np.zeros(0, np.float32)


@dataclass(frozen=True)
class Sample:
    """Fresh counterfeits (and real bills) with police scores, answering a SAMPLE command.

    The scores are always the police's as they are now, even when the fakes come from an earlier
    counterfeiter (``fake_step`` < ``bills.step``). The examiner's readings are empty when no
    examiner is available; otherwise one entry per bill: the digit it reads and its probability.
    """

    request_id: int
    bills: StepBills
    labels: np.ndarray = field(default_factory=_no_digits)  # real bills' digits
    fake_digits: np.ndarray = field(default_factory=_no_digits)  # int64 (n,)
    fake_digit_confidence: np.ndarray = field(default_factory=_no_confidences)  # float32 (n,)
    real_digits: np.ndarray = field(default_factory=_no_digits)
    real_digit_confidence: np.ndarray = field(default_factory=_no_confidences)
    fake_step: int = -1  # the step of the counterfeiter that printed the fakes (-1: not said)


@dataclass(frozen=True)
class Notice:
    """Something finished: kind is "ready", "saved", "loaded" or "reset"."""

    kind: str
    text: str
    path: str | None = None


@dataclass(frozen=True)
class LogLine:
    """One of the worker's log records, re-logged by the game under the same logger name, so that
    the trainer's warnings land where the game's go (a kiosk's rotating file), in one format."""

    level: int
    name: str
    text: str  # the formatted message, with its traceback if it had one


@dataclass(frozen=True)
class WorkerError:
    """A failure inside the worker; the worker keeps running (paused) unless fatal is True."""

    message: str  # one line for a person
    detail: str = ""  # the traceback, for the log only
    fatal: bool = False
    kind: str = "error"  # "error" | "diverged" | "checkpoint"


@dataclass(frozen=True)
class Heartbeat:
    """Sent at least once a second while the worker is alive, so a supervisor can spot a hang."""

    time: float
    step: int
