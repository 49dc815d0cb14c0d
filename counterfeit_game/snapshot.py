"""The frozen records the UI reads. No TensorFlow here: the game imports this before TF loads.

Arrays inside a snapshot are read-only numpy arrays; a renderer may keep a snapshot as long as it
likes, the trainer never changes it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

IMAGE_SIDE = 28
GRID_SIDE = 5  # the progress grid is GRID_SIDE x GRID_SIDE bills from one fixed noise batch

STATUS_LOADING = "loading"  # the engine is still starting (TensorFlow importing, data loading)
STATUS_RUNNING = "running"
STATUS_PAUSED = "paused"
STATUS_FAILED = "failed"  # training raised; see TrainingSnapshot.message
STATUS_CLOSED = "closed"


def frozen_array(values, dtype=None) -> np.ndarray:
    """A read-only copy, so a snapshot cannot be changed behind a renderer's back."""
    array = np.array(values, dtype=dtype, copy=True)
    array.setflags(write=False)
    return array


def to_pixels(images) -> np.ndarray:
    """[-1, 1] float images (any leading shape, trailing 28x28[x1]) -> uint8 0..255, 28x28."""
    array = np.nan_to_num(np.asarray(images, dtype=np.float32), nan=-1.0, posinf=1.0, neginf=-1.0)
    if array.shape[-1] == 1:
        array = array[..., 0]
    return np.clip(np.rint((array + 1.0) * 127.5), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class StepBills:
    """The bills of one training step and what the police said about each of them.

    ``real`` and ``fake`` are (n, 28, 28) uint8; the scores are the discriminator's probability
    of "real" for those very images, computed inside that step's phase 1.
    """

    step: int
    real: np.ndarray
    fake: np.ndarray
    real_scores: np.ndarray
    fake_scores: np.ndarray

    @property
    def police_accuracy(self) -> float:
        caught = np.count_nonzero(self.fake_scores < 0.5) + np.count_nonzero(self.real_scores >= 0.5)
        return caught / max(1, len(self.real_scores) + len(self.fake_scores))


@dataclass(frozen=True)
class LossHistory:
    """Every step's losses so far; each array has one entry per step, in step order."""

    step: np.ndarray
    d_loss: np.ndarray
    d_acc: np.ndarray
    g_loss: np.ndarray
    elapsed: np.ndarray | None = None  # seconds since the run began, where known

    def __len__(self) -> int:
        return int(self.step.shape[0])

    @staticmethod
    def empty() -> "LossHistory":
        return LossHistory(
            frozen_array([], np.int64),
            frozen_array([], np.float32),
            frozen_array([], np.float32),
            frozen_array([], np.float32),
        )


MAX_HISTORY_ROWS = 200_000  # loss rows kept per run (about 5 MB); beyond it the older half is thinned


class HistoryBuffer:
    """Append-only loss history that hands out frozen views without copying.

    Appends write past the end of every view handed out so far, so old views never change. Past
    ``max_rows`` the older half is thinned to every other row (into new arrays), which keeps a
    kiosk that trains for weeks at bounded memory while the chart still spans the whole run.
    """

    COLUMNS = ("step", "d_loss", "d_acc", "g_loss", "elapsed")
    _DTYPES = (np.int64, np.float32, np.float32, np.float32, np.float32)

    def __init__(self, max_rows: int | None = None, rows=None):
        self.max_rows = MAX_HISTORY_ROWS if max_rows is None else max_rows
        self._columns = [np.zeros(1024, dtype) for dtype in self._DTYPES]
        self._length = 0
        if rows is not None:
            self.extend(rows)

    def __len__(self) -> int:
        return self._length

    def extend(self, rows) -> None:
        """Add rows of (step, d_loss, d_acc, g_loss, elapsed)."""
        rows = np.asarray(rows, np.float64)
        if rows.size == 0:
            return
        rows = rows.reshape(-1, len(self.COLUMNS))
        needed = self._length + len(rows)
        if needed > len(self._columns[0]):
            capacity = max(needed, 2 * len(self._columns[0]))
            self._columns = [self._grown(column, capacity) for column in self._columns]
        for index, column in enumerate(self._columns):
            column[self._length : needed] = rows[:, index]
        self._length = needed
        if self._length > self.max_rows:
            self._thin()

    def append(self, step, d_loss, d_acc, g_loss, elapsed=0.0) -> None:
        self.extend([[step, d_loss, d_acc, g_loss, elapsed]])

    def _grown(self, column: np.ndarray, capacity: int) -> np.ndarray:
        grown = np.zeros(capacity, column.dtype)
        grown[: self._length] = column[: self._length]
        return grown

    def _thin(self) -> None:
        half = self._length // 2
        kept = [np.concatenate([c[:half:2], c[half : self._length]]) for c in self._columns]
        self._length = len(kept[0])
        self._columns = [self._grown(column, 2 * self._length) for column in kept]

    def rows_after(self, step: int) -> np.ndarray:
        """Rows whose step is past ``step``: what a reader that has seen up to ``step`` lacks. By
        step, not by index, because thinning moves the rows a reader has seen to lower indices."""
        start = int(np.searchsorted(self._columns[0][: self._length], step, side="right"))
        return self.rows(start)

    def rows(self, start: int = 0) -> np.ndarray:
        """A (k, 5) float64 copy of rows [start:], e.g. to send across a process boundary."""
        return np.stack([c[start : self._length].astype(np.float64) for c in self._columns], axis=1)

    def view(self) -> LossHistory:
        views = []
        for column in self._columns:
            view = column[: self._length]
            view.setflags(write=False)
            views.append(view)
        return LossHistory(*views)


@dataclass(frozen=True)
class GridFrame:
    """The 5x5 bills printed from the FIXED noise at one step: comparable from step to step."""

    step: int
    images: np.ndarray  # (25, 28, 28) uint8


@dataclass(frozen=True)
class QualityReport:
    """The examiner's verdict on a batch of counterfeits (see quality.py)."""

    step: int
    fed: float  # Frechet examiner distance to real test digits; lower is better
    score: float  # 0..100 "forgery quality" derived from fed
    confidence: float  # examiner's mean top-class probability on the counterfeits
    coverage: int  # how many of the 10 digits the counterfeiter produces
    histogram: tuple[int, ...]  # counterfeits read as 0..9


@dataclass(frozen=True)
class TrainingSnapshot:
    status: str
    step: int  # steps completed since the counterfeiter was hired (0 = untrained)
    speed: float | None  # requested steps per second; None means as fast as possible
    steps_per_second: float  # measured recently
    history: LossHistory
    bills: StepBills | None
    grids: tuple[GridFrame, ...]
    quality: QualityReport | None = None
    architecture: str = "original"
    seed: int = 0
    generation: int = 0  # changes on reset/load, so caches derived from older runs can be dropped
    message: str | None = None  # the latest notice or error, for the status line
    batch_size: int = 32
    extra: dict = field(default_factory=dict)

    @staticmethod
    def loading(message: str | None = None) -> "TrainingSnapshot":
        return TrainingSnapshot(
            status=STATUS_LOADING,
            step=0,
            speed=None,
            steps_per_second=0.0,
            history=LossHistory.empty(),
            bills=None,
            grids=(),
            message=message,
        )


MAX_GRID_FRAMES = 240  # filmstrip frames kept per run; beyond it the older half is thinned


def thin_frames(frames: list, max_frames: int | None = None) -> list:
    """Keep the first frame, every other one of the older half, and all of the newer half (again,
    where one message brought so many frames that once is not enough)."""
    max_frames = MAX_GRID_FRAMES if max_frames is None else max_frames
    while len(frames) > max(3, max_frames):  # below four frames thinning would not shorten the list
        half = len(frames) // 2
        frames = frames[:half:2] + frames[half:]
    return frames
