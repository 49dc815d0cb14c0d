"""Best scores of "You be the police", kept on disk.

Written atomically (temp file, fsync, rename). A file that cannot be read is moved aside
(``scores.json.corrupt-20261204-083456``, the newest 3 kept) with a log line and the game starts
from empty scores: losing a high-score table is never fatal.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import MISSING, asdict, dataclass, field
from pathlib import Path

from counterfeit_game.atomic import atomic_write_text, remove_unfinished
from counterfeit_game import errors
from counterfeit_game.errors import UserFacingError, read_bytes, set_aside

log = logging.getLogger(__name__)

TOP_N = 5
FORMAT_VERSION = 1
MAX_BYTES = 1_000_000  # five rounds and four counts take about 2 kB


@dataclass(frozen=True)
class RoundResult:
    """One finished round: the player's and the police's verdicts on the same bills."""

    correct: int
    total: int
    police_correct: int
    fakes_caught: int
    fakes_total: int
    reals_passed: int
    reals_total: int
    best_streak: int
    police_fakes_caught: int = 0
    police_reals_passed: int = 0
    step: int = 0  # the training step the counterfeiter had reached
    when: float = 0.0  # unix time

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def police_accuracy(self) -> float:
        return self.police_correct / self.total if self.total else 0.0


@dataclass
class ScoreBoard:
    best: list[dict] = field(default_factory=list)  # RoundResult dicts, best first
    best_streak: int = 0
    rounds_played: int = 0
    rounds_beating_police: int = 0


def checked_entry(entry) -> dict:
    """One stored round, as the game will use it; TypeError/ValueError for anything hand-edited
    into a shape that would break sorting or drawing later (a count as text, a negative total)."""
    if not isinstance(entry, dict):
        raise TypeError(f"a best-score entry is {type(entry).__name__}, not an object")
    values = {}
    for name, spec in RoundResult.__dataclass_fields__.items():
        if name not in entry:
            if spec.default is MISSING:
                raise ValueError(f"a best-score entry has no {name!r}")
            continue
        value = entry[name]
        kinds = (int, float) if name == "when" else (int,)
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise TypeError(f"{name!r} is {value!r}, not a whole number" if kinds == (int,)
                            else f"{name!r} is {value!r}, not a time")
        if not 0 <= value < 1e15:
            raise ValueError(f"{name!r} is {value!r}, out of range")
        values[name] = value
    result = RoundResult(**values)
    if result.correct > result.total or result.police_correct > result.total:
        raise ValueError(f"{result.correct} or {result.police_correct} right out of {result.total}")
    return asdict(result)


def _rank(entry: dict) -> tuple:
    return (entry.get("correct", 0), -entry.get("when", 0.0))


class ScoreStore:
    def __init__(self, path: Path, now=time.time):
        self.path = Path(path)
        self._now = now
        self.board = self._load()

    def _load(self) -> ScoreBoard:
        for temp in remove_unfinished(self.path.parent, self.path.name):
            log.info("removed an unfinished save of the best scores: %s", temp.name)
        try:
            raw = read_bytes(self.path, UserFacingError, "best-scores file", limit=MAX_BYTES)
        except UserFacingError as exc:
            reason = getattr(exc, "reason", None)
            if reason == errors.MISSING:
                return ScoreBoard()
            if reason == errors.TOO_LARGE:  # an ordinary file, but no score table: kept for a look
                return self._set_aside(str(exc).removeprefix(f"{self.path}: "))
            # A folder, a device or pipe, no permission: nothing to move; the next save replaces it.
            log.warning("best scores unreadable: %s; starting fresh", exc)
            return ScoreBoard()
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            stored = data.get("best", [])
            if not isinstance(stored, list):
                raise TypeError("'best' is not a list")
            best = [checked_entry(e) for e in stored]
            board = ScoreBoard(
                best=sorted(best, key=_rank, reverse=True)[:TOP_N],
                best_streak=int(data.get("best_streak", 0)),
                rounds_played=int(data.get("rounds_played", 0)),
                rounds_beating_police=int(data.get("rounds_beating_police", 0)),
            )
        except (ValueError, TypeError, KeyError, OverflowError) as exc:  # UnicodeDecodeError too
            return self._set_aside(str(exc))
        return board

    def _set_aside(self, why: str) -> ScoreBoard:
        try:
            aside = set_aside(self.path, "corrupt", self._now())
            log.warning("best scores file %s is corrupt (%s); moved it to %s and started fresh",
                        self.path, why, aside.name)
        except OSError as move_exc:
            log.warning("best scores file %s is corrupt (%s) and could not be moved (%s)",
                        self.path, why, move_exc)
        return ScoreBoard()

    def record(self, result: RoundResult) -> int | None:
        """Adds a finished round; returns its rank among the best (0 = new best) or None."""
        board = self.board
        entry = asdict(result)
        if not entry["when"]:
            entry["when"] = self._now()
        board.rounds_played += 1
        if result.correct > result.police_correct:
            board.rounds_beating_police += 1
        board.best_streak = max(board.best_streak, result.best_streak)
        board.best = sorted(board.best + [entry], key=_rank, reverse=True)[:TOP_N]
        rank = next((i for i, e in enumerate(board.best) if e is entry), None)
        self.save()
        return rank

    def save(self) -> bool:
        data = {"version": FORMAT_VERSION, **asdict(self.board)}
        try:
            atomic_write_text(self.path, json.dumps(data, indent=2))
        except OSError as exc:
            log.warning("could not save best scores to %s: %s", self.path, exc)
            return False
        return True

