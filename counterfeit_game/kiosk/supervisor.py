"""Keeps training alive for weeks: spots a crashed, hung, diverged or collapsed trainer and brings
it back from the last good checkpoint, writing those checkpoints as it goes.

``update()`` is called from the main loop every frame and never blocks: commands to the trainer
are queued, and closing a dead or hung worker (which can take seconds) happens on a helper thread.

What counts as a failure, and what is done about it:

* crash: the worker is gone, or it reported a fatal error -> a new worker, loaded from the newest
  good checkpoint (after a growing pause when it keeps failing, so a broken install cannot spin);
* hang: no message for ``hang_timeout_s`` -> the worker is killed and replaced as for a crash.
  Until a new worker has trained its first step the limit is ``startup_timeout_s``: TensorFlow's
  import and the first step's XLA compile send nothing for tens of seconds on a slow machine;
* divergence: non-finite losses, or the worker saying so, or its run marked failed -> the
  checkpoint is loaded into the same worker (no TensorFlow reload needed);
* collapse: the fixed-noise grid's 25 bills nearly identical on two grids in a row, or the
  examiner finding at most 2 digits -> as for divergence.

Checkpoints (``kiosk-<n>.npz``, the newest ``keep_checkpoints`` kept) are written only from a healthy
run, and count as good only once a later step has come out finite: a save that was queued behind a
fault (say, weights turned NaN between two steps) is deleted instead of trusted. A checkpoint that
the worker refuses is moved aside (``*.corrupt-<time>``) and the next older one is tried, then a
fresh start. One that leads straight back into divergence or collapse twice in a row is set aside
too (``*.failed-<time>``): a reloaded run replays exactly, so it would only fail again. Set-aside
files are named by errors.set_aside (``kiosk-000004.npz.corrupt-20261204-083456``), the newest 3 kept.

The save at exit (``save_now`` then ``close``) cannot be confirmed, as no step follows it; it is kept
with the newest confirmed ones, ``keep_checkpoints`` files in all, the newest confirmed always among
them. A visitor reset that cannot reload its checkpoint leaves training as it is ("continue").
"""

from __future__ import annotations

import collections
import json
import logging
import math
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from counterfeit_game.atomic import remove_unfinished
from counterfeit_game.errors import SET_ASIDE_KEPT, set_aside
from counterfeit_game.snapshot import (
    STATUS_FAILED,
    STATUS_LOADING,
    STATUS_PAUSED,
    STATUS_RUNNING,
    TrainingSnapshot,
)

log = logging.getLogger(__name__)

# Mean pairwise pixel distance (0..1) between the 25 fixed-noise bills. Measured on real grids:
# 25 random MNIST digits ~0.165 (min 0.149); 25 of the least varied digit ("1") ~0.073 (min 0.055);
# a healthy counterfeiter from step 500 on 0.16-0.20; an untrained one 0.08 at step 0, then ~0.38
# (noise). Nearly identical bills sit near 0. The threshold is below every healthy value measured.
COLLAPSE_DIVERSITY = 0.04
COLLAPSE_MIN_STEP = 500  # before this the counterfeiter is still finding its feet
COLLAPSE_GRIDS = 2  # low diversity on this many grids in a row
COLLAPSE_COVERAGE = 2  # an examiner report with this many digits or fewer

CRASH, HANG, DIVERGED, COLLAPSE = "crash", "hang", "diverged", "collapse"
RECOVERY_KEYS = {
    CRASH: "kiosk.recovery.crash",
    HANG: "kiosk.recovery.crash",
    DIVERGED: "kiosk.recovery.diverged",
    COLLAPSE: "kiosk.recovery.collapse",
}
DETAIL_FROM_CHECKPOINT = "kiosk.recovery.from_checkpoint"  # fields: step (None if unreadable)
DETAIL_FROM_SCRATCH = "kiosk.recovery.from_scratch"

CHECKPOINT_PATTERN = re.compile(r"kiosk-(\d{6,})\.npz")
SESSION_START_FILE = "session-start.npz"
SET_ASIDE_GROUP = "*.npz.*"  # corrupt and failing checkpoints share one cap (errors.SET_ASIDE_KEPT)
HEALTHY_AFTER_S = 120.0  # this long without a failure after a recovery and the streak is over
MAX_BACKOFF_S = 60.0
MIN_FREE_BYTES = 100_000_000


def grid_diversity(images: np.ndarray) -> float:
    """Mean pairwise L1 distance between images, in 0..1 pixel units."""
    flat = np.asarray(images, np.float32).reshape(len(images), -1) / 255.0
    count = len(flat)
    if count < 2:
        return 0.0
    total = 0.0
    for index in range(count - 1):  # row by row: 25x784 floats, no (25, 25, 784) temporary
        total += float(np.abs(flat[index + 1 :] - flat[index]).mean(axis=1).sum())
    return total / (count * (count - 1) / 2)


def checkpoint_step(path: Path) -> int | None:
    """The step a checkpoint holds, read from its metadata alone (no TensorFlow, no weights)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return int(json.loads(bytes(archive["meta"]).decode("utf-8")).get("step", 0))
    except Exception:  # unreadable: the worker will say so properly when asked to load it
        return None


@dataclass(frozen=True)
class RecoveryNotice:
    """What the screen says while training is brought back. Keys are i18n keys."""

    reason: str
    title_key: str
    detail_key: str
    fields: dict = field(default_factory=dict)
    since: float = 0.0


class TrainingSupervisor:
    def __init__(
        self,
        client_factory: Callable[[], object],
        checkpoint_dir: str | Path,
        clock: Callable[[], float] = time.monotonic,
        checkpoint_interval_s: float = 300.0,
        hang_timeout_s: float = 60.0,
        startup_timeout_s: float = 300.0,
        keep_checkpoints: int = 3,
        message_seconds: float = 8.0,
        reset_checkpoint: str | Path | None = None,
        wall_clock: Callable[[], float] = time.time,
        collapse_diversity: float = COLLAPSE_DIVERSITY,
        collapse_min_step: int = COLLAPSE_MIN_STEP,
        close_in_background: bool = True,
    ):
        """``clock`` must be the clock the clients stamp ``last_heartbeat`` with."""
        self.client_factory = client_factory
        self.checkpoint_dir = Path(checkpoint_dir)
        self.clock = clock
        self.wall_clock = wall_clock
        self.checkpoint_interval_s = float(checkpoint_interval_s)
        self.hang_timeout_s = float(hang_timeout_s)
        self.startup_timeout_s = max(float(startup_timeout_s), self.hang_timeout_s)
        self.keep_checkpoints = max(1, int(keep_checkpoints))
        self.message_seconds = float(message_seconds)
        self.reset_checkpoint = Path(reset_checkpoint) if reset_checkpoint else None
        self.collapse_diversity = collapse_diversity
        self.collapse_min_step = collapse_min_step
        self.close_in_background = close_in_background

        self.client = None
        self.snapshot: TrainingSnapshot = TrainingSnapshot.loading()
        self.stats: collections.Counter = collections.Counter()
        self.notice: RecoveryNotice | None = None
        self.last_diversity: float | None = None

        self._relaunch_at: float | None = None  # set while waiting out a back-off
        self._pending_load: Path | None = None
        self._pending_saves: set[str] = set()
        # Written but not yet known good: path -> (generation, step when written). A save queued
        # behind a fault could hold its damage; one healthy step later proves it did not.
        self._unconfirmed: dict[str, tuple[int, int]] = {}
        self._load_queue: list[Path] = []  # older checkpoints to try if the pending load fails
        self._loaded_from: Path | None = None
        self._loaded_at = -math.inf
        self._await_generation: int | None = None  # in-place recovery: the failed run's generation
        self._failure_streak = 0
        self._last_failure_at = -math.inf
        self._last_failure_reason: str | None = None
        self._recovering_since: float | None = None
        self._recovering_reason: str | None = None
        self._next_checkpoint_at = 0.0
        self._last_saved_step = -1
        self._baseline_seq = -1  # checkpoints at or below this are not from the current run
        self._session_start_saved = False
        self._generation = None
        self._checked_step = -1
        self._last_grid_step = -1
        self._low_grids = 0
        self._last_quality_step = -1
        self._reapers: list[threading.Thread] = []
        self._warm = False  # the current worker has trained a step (so it is past compiling)
        self._warm_mark: tuple[int, int] | None = None  # (generation, step) when first seen ready
        self._last_space_warning = -math.inf
        self._reset_load = False  # the pending load is a visitor reset: if refused, training continues
        self._refused_reset_file: tuple | None = None  # _file_mark of the reset_checkpoint refused
        self._final_save: Path | None = None  # asked for by save_now, confirmed or not

    @classmethod
    def from_config(cls, config, client_factory: Callable[[], object], clock=time.monotonic, **options):
        """Checkpoint folder, interval, hang timeout and reset file from a KioskConfig.

        Each architecture keeps its checkpoints in its own folder: an operator who tries the other
        one and switches back finds the first one's training where it was, and a checkpoint of
        another architecture is never mistaken for a corrupt one and set aside."""
        settings = dict(
            checkpoint_dir=config.checkpoint_dir / config.training.architecture,
            checkpoint_interval_s=config.checkpoint_interval_s,
            hang_timeout_s=config.training.hang_seconds,
            reset_checkpoint=config.session.reset_checkpoint,
        )
        settings.update(options)
        return cls(client_factory, clock=clock, **settings)

    # === lifecycle ==============================================================================

    def start(self) -> "TrainingSupervisor":
        """Start training from the newest good checkpoint (or fresh). Call once."""
        self._ensure_dir()
        self._remove_stale_temporaries()
        self._launch(self._candidates())
        return self

    def close(self, timeout: float = 5.0) -> None:
        """At program exit: the worker is asked to finish; this may block up to ``timeout``.

        A checkpoint asked for by ``save_now`` just before is written by the worker on its way out,
        after its last step, so nothing can confirm it; it is kept all the same (the next start
        resumes from it), and with it the newest confirmed ones, keep_checkpoints in all. The newest
        confirmed one is never deleted for it: if the final save was bad, that is where training
        resumes (the worker refuses a damaged checkpoint and the next older one is tried)."""
        client, self.client = self.client, None
        if client is not None:
            client.close(timeout=timeout)
        for reaper in self._reapers:
            reaper.join(timeout)
        self._reapers.clear()
        self._rotate_after_final_save()

    # === the per-frame check ====================================================================

    def update(self) -> TrainingSnapshot:
        now = self.clock()
        self._reapers = [r for r in self._reapers if r.is_alive()]
        if self.client is None:
            if self._relaunch_at is not None and now >= self._relaunch_at:
                self._relaunch_at = None
                self._launch(self._candidates())
            return self.snapshot
        client = self.client
        self.snapshot = snapshot = client.poll()
        for notice in client.notices():
            self._on_notice(notice)
        failure = None
        for error in client.errors():
            failure = self._on_error(error) or failure
        if self.client is not client:  # a handler above already replaced it
            return self.snapshot
        failure = failure or self._check_alive(now) or self._check_training(snapshot)
        if failure:
            self._fail(failure, now)
            return self.snapshot
        self._confirm_checkpoints(snapshot)
        self._check_recovered(now, snapshot)
        self._maybe_checkpoint(now, snapshot)
        if self._failure_streak and now - self._last_failure_at >= HEALTHY_AFTER_S:
            log.info("training healthy again for %.0f s", HEALTHY_AFTER_S)
            self._failure_streak = 0
        return self.snapshot

    # === what the game asks for =================================================================

    @property
    def recovery_visible(self) -> bool:
        """True while the friendly message should be on screen."""
        if self.notice is None:
            return False
        return self._recovering_since is not None or self.clock() - self.notice.since < self.message_seconds

    def begin_session(self, reset_policy: str) -> None:
        """A visitor arrived. With "checkpoint" (and no operator file) the state is saved so the
        end of the session can bring it back, undoing whatever the visitor changed."""
        self._session_start_saved = False
        if reset_policy == "checkpoint" and self.reset_checkpoint is None and self._usable(self.snapshot):
            path = self.checkpoint_dir / SESSION_START_FILE
            self._save(path)

    def end_session(self, reset_policy: str) -> None:
        """The visitor left: carry out the operator's reset policy, then keep training."""
        client = self.client
        if client is None:
            return
        if reset_policy == "restart":
            log.info("visitor left: a new counterfeiter and police (reset policy restart)")
            self._baseline_seq = self._newest_seq()
            self._load_queue = []
            self._pending_load = None
            self._reset_load = False
            self._loaded_from = None
            client.reset()
        elif reset_policy == "checkpoint":
            if self.reset_checkpoint is not None:
                refused = self._refused_reset_file
                if refused is not None and refused == _file_mark(self.reset_checkpoint):
                    log.debug("visitor left: %s was refused before and has not changed; training continues",
                              self.reset_checkpoint)
                    client.resume()
                    return
                paths = [self.reset_checkpoint]
            elif self._session_start_saved:
                paths = [self.checkpoint_dir / SESSION_START_FILE]
            else:
                paths = self._candidates()
            log.info("visitor left: reloading %s (reset policy checkpoint)", paths[0] if paths else "nothing")
            self._load_first(paths, in_place=True)
            self._reset_load = self._pending_load is not None
        client.resume()

    def save_now(self) -> Path | None:
        """A checkpoint at once if training is in a good state (e.g. before a planned exit)."""
        if not self._usable(self.snapshot) or not self._healthy(self.snapshot):
            return None
        path = self._save(self._next_checkpoint_path())
        if path is not None:
            self._final_save = path
        return path

    def good_checkpoints(self) -> list[Path]:
        """The rotation, newest first: confirmed checkpoints only."""
        return [path for path in self._checkpoint_files() if str(path) not in self._unconfirmed]

    def _checkpoint_files(self) -> list[Path]:
        found = []
        try:
            entries = list(self.checkpoint_dir.iterdir())
        except OSError:
            return []
        for path in entries:
            match = CHECKPOINT_PATTERN.fullmatch(path.name)
            if match:
                found.append((int(match.group(1)), path))
        return [path for _, path in sorted(found, reverse=True)]

    # === detection ==============================================================================

    def _on_notice(self, notice) -> None:
        if notice.kind == "saved" and notice.path:
            self._pending_saves.discard(notice.path)
            if Path(notice.path).name == SESSION_START_FILE:
                self._session_start_saved = True
            else:
                self._unconfirmed[notice.path] = (self.snapshot.generation, self.snapshot.step)
                log.info("checkpoint written: %s", notice.path)
        elif notice.kind == "loaded":
            log.info("checkpoint loaded: %s", notice.path)
            if self._pending_load is not None and notice.path == str(self._pending_load):
                self._loaded_from = self._pending_load
                self._loaded_at = self.clock()
                if self._pending_load == self.reset_checkpoint:
                    self._refused_reset_file = None  # loadable (again)
                self._pending_load = None
                self._load_queue = []
                self._reset_load = False
        elif notice.kind == "ready":
            log.info("training engine ready")
        else:
            log.info("trainer: %s", notice.text)

    def _on_error(self, error) -> str | None:
        # The trainer has logged this itself (its lines reach this log too); what follows is what
        # the supervisor makes of it.
        log.debug("trainer error (%s%s): %s", error.kind, ", fatal" if error.fatal else "", error.message)
        if error.kind == "checkpoint":
            saves = [path for path in self._pending_saves if path in error.message]
            if saves:
                self._pending_saves.difference_update(saves)
                log.error("checkpoint not written: %s", error.message)
            elif self._pending_load is not None:
                self._on_bad_checkpoint(self._pending_load, error.message)
            return None
        if error.fatal:
            return CRASH
        if error.kind == "diverged":
            return DIVERGED
        return None  # an ordinary error leaves the run failed or not; the snapshot tells

    def _check_alive(self, now: float) -> str | None:
        client = self.client
        if not client.alive:
            return CRASH
        limit = self.hang_timeout_s if self._is_warm(client) else self.startup_timeout_s
        if now - client.last_heartbeat > limit:
            log.error("no word from the trainer for %.0f s", now - client.last_heartbeat)
            return HANG
        return None

    def _is_warm(self, client) -> bool:
        if self._warm or not client.ready or self.snapshot.status == STATUS_LOADING:
            return self._warm
        mark = (self.snapshot.generation, self.snapshot.step)
        if self._warm_mark is None or self._warm_mark[0] != mark[0]:
            self._warm_mark = mark
        elif mark[1] != self._warm_mark[1]:
            self._warm = True
        return self._warm

    def _check_training(self, snapshot: TrainingSnapshot) -> str | None:
        if snapshot.status == STATUS_LOADING:
            return None
        if self._await_generation is not None:
            if snapshot.generation == self._await_generation:
                return None  # the failed run, until the queued load or reset replaces it
            self._await_generation = None
        if snapshot.generation != self._generation:
            self._generation = snapshot.generation
            self._checked_step = snapshot.step - 1
            self._last_grid_step = -1
            self._low_grids = 0
            self._last_quality_step = -1
        if snapshot.status == STATUS_FAILED:
            return DIVERGED
        if not self._losses_finite(snapshot, since_step=self._checked_step):
            return DIVERGED
        self._checked_step = snapshot.step
        return self._check_collapse(snapshot)

    def _losses_finite(self, snapshot: TrainingSnapshot, since_step: int) -> bool:
        history = snapshot.history
        if len(history) == 0:
            return True
        start = int(np.searchsorted(history.step, since_step, side="right"))
        return bool(
            np.isfinite(history.d_loss[start:]).all() and np.isfinite(history.g_loss[start:]).all()
        )

    def _check_collapse(self, snapshot: TrainingSnapshot) -> str | None:
        if snapshot.grids:
            grid = snapshot.grids[-1]
            if grid.step > self._last_grid_step:
                self._last_grid_step = grid.step
                self.last_diversity = grid_diversity(grid.images)
                if grid.step >= self.collapse_min_step and self.last_diversity < self.collapse_diversity:
                    self._low_grids += 1
                    log.warning(
                        "step %d: the 25 test bills are nearly identical (diversity %.3f)",
                        grid.step, self.last_diversity,
                    )
                else:
                    self._low_grids = 0
        if self._low_grids >= COLLAPSE_GRIDS:
            return COLLAPSE
        quality = snapshot.quality
        if quality is not None and quality.step > self._last_quality_step:
            self._last_quality_step = quality.step
            if quality.step >= self.collapse_min_step and quality.coverage <= COLLAPSE_COVERAGE:
                log.warning("step %d: the examiner reads only %d kinds of digit", quality.step, quality.coverage)
                return COLLAPSE
        return None

    def _healthy(self, snapshot: TrainingSnapshot) -> bool:
        """Good enough to checkpoint: finite latest losses and no sign of collapse."""
        history = snapshot.history
        if len(history) == 0 or self._low_grids:
            return False
        return math.isfinite(float(history.d_loss[-1])) and math.isfinite(float(history.g_loss[-1]))

    @staticmethod
    def _usable(snapshot: TrainingSnapshot) -> bool:
        return snapshot.status in (STATUS_RUNNING, STATUS_PAUSED)

    # === recovery ===============================================================================

    def _fail(self, reason: str, now: float) -> None:
        self.stats[{CRASH: "crashes", HANG: "hangs", DIVERGED: "divergences", COLLAPSE: "collapses"}[reason]] += 1
        self._failure_streak += 1
        self._last_failure_at = now
        log.warning(
            "training %s at step %d (failure %d in a row)", reason, self.snapshot.step, self._failure_streak
        )
        training_failure = (DIVERGED, COLLAPSE)
        relapse = (
            reason in training_failure
            and self._last_failure_reason in training_failure
            and self._loaded_from in self.good_checkpoints()
            and now - self._loaded_at < HEALTHY_AFTER_S
        )
        if relapse:  # training went wrong again soon after coming back from this checkpoint
            self._set_aside(self._loaded_from, "failed")
        self._last_failure_reason = reason
        self._drop_unconfirmed("written just before a failure")
        self._loaded_from = None
        self._await_generation = None
        self._low_grids = 0
        self._pending_load = None
        self._load_queue = []
        self._pending_saves.clear()
        candidates = self._candidates()
        detail, fields = (
            (DETAIL_FROM_CHECKPOINT, {"step": checkpoint_step(candidates[0])})
            if candidates
            else (DETAIL_FROM_SCRATCH, {})
        )
        self.notice = RecoveryNotice(reason, RECOVERY_KEYS[reason], detail, fields, now)
        self._recovering_since = now
        self._recovering_reason = reason
        if reason in (CRASH, HANG):
            self._discard_client(kill=reason == HANG)
            delay = 0.0 if self._failure_streak <= 1 else min(MAX_BACKOFF_S, 2.0 ** (self._failure_streak - 1))
            if delay:
                log.warning("restarting the trainer in %.0f s", delay)
                self._relaunch_at = now + delay
            else:
                self._launch(candidates)
        else:
            self._await_generation = self.snapshot.generation
            self._load_first(candidates, in_place=True)
            self.client.resume()

    def _check_recovered(self, now: float, snapshot: TrainingSnapshot) -> None:
        if self._recovering_since is None or self._pending_load is not None:
            return
        if self._await_generation is not None:
            return
        if not self._usable(snapshot) or not self.client.ready:
            return
        self.stats["recoveries"] += 1
        log.warning(
            "recovered from %s in %.1f s, at step %d",
            self._recovering_reason, now - self._recovering_since, snapshot.step,
        )
        self._recovering_since = None
        self._recovering_reason = None
        self._next_checkpoint_at = now + self.checkpoint_interval_s

    def _launch(self, checkpoints: list[Path]) -> None:
        self.client = self.client_factory()
        self.stats["launches"] += 1
        self._warm, self._warm_mark = False, None
        self._generation = None
        self._pending_saves.clear()
        self._session_start_saved = False
        try:
            self.client.start()
        except Exception as exc:  # e.g. the OS refused a new process: try again later
            log.error("could not start the trainer: %s", exc)
            self._discard_client(kill=True)
            self._relaunch_at = self.clock() + min(MAX_BACKOFF_S, 2.0 ** max(1, self._failure_streak))
            self._failure_streak += 1
            return
        self.snapshot = self.client.poll()
        self._next_checkpoint_at = self.clock() + self.checkpoint_interval_s
        self._load_first(checkpoints, in_place=False)

    def _load_first(self, paths: list[Path], in_place: bool) -> None:
        """Queue a load of the first path; the rest are tried in turn if the worker refuses it.
        A new load (not the next in the queue) is not a visitor reset until end_session says so."""
        self._reset_load = False
        if not paths:
            self._pending_load = None
            self._load_queue = []
            if in_place:
                log.warning("no good checkpoint: starting over with a new counterfeiter")
                self.client.reset()
            else:
                log.info("no checkpoint: training starts fresh")
            return
        self._pending_load = paths[0]
        self._load_queue = list(paths[1:])
        log.info("loading checkpoint %s", paths[0])
        self.client.load(paths[0])

    def _on_bad_checkpoint(self, path: Path, message: str) -> None:
        reset = self._reset_load
        if reset and path == self.reset_checkpoint:
            # The operator's file was fine at start (the config checks it) and has changed since.
            # Losing the training of weeks at every visitor would be far worse than keeping one
            # visitor's changes: say so once, and try the file again only once it changes.
            self.stats["reset_checkpoint_refused"] += 1
            self._refused_reset_file = _file_mark(path)
            log.error("session.reset_checkpoint %s refused (%s): visitors' changes are no longer undone "
                      "and training continues (reset policy \"continue\") until the file is replaced",
                      path, message.removeprefix(f"{path}: "))
        else:
            self.stats["corrupt_checkpoints"] += 1
            log.error("checkpoint %s refused (%s)", path, message)
            if path.parent == self.checkpoint_dir:  # never move an operator's own file
                self._set_aside(path, "corrupt")
        if self._load_queue:
            self._load_first(self._load_queue, in_place=True)
            self._reset_load = reset
        elif reset:  # a refused load changes nothing in the worker: the run goes on as it was
            self._pending_load = None
            self._reset_load = False
            if path != self.reset_checkpoint:  # (the operator's file has had its own line)
                log.warning("visitor reset: no checkpoint could be reloaded; training continues where it was")
        else:
            self._pending_load = None
            log.warning("no loadable checkpoint left: training starts fresh")
            self.client.reset()
            self.client.resume()
            if self.notice is not None:
                self.notice = RecoveryNotice(
                    self.notice.reason, self.notice.title_key, DETAIL_FROM_SCRATCH, {}, self.notice.since
                )

    def _discard_client(self, kill: bool) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        closer = client.kill if kill else (lambda: client.close(timeout=2.0))
        if not self.close_in_background:
            _quietly(closer)
            return
        reaper = threading.Thread(target=_quietly, args=(closer,), name="trainer-reaper", daemon=True)
        reaper.start()
        self._reapers.append(reaper)

    # === checkpoints ============================================================================

    def _maybe_checkpoint(self, now: float, snapshot: TrainingSnapshot) -> None:
        if now < self._next_checkpoint_at or self._pending_load is not None or self._recovering_since:
            return
        if not self._usable(snapshot) or snapshot.step == self._last_saved_step:
            return
        if not self._healthy(snapshot):
            log.info("checkpoint skipped at step %d: training does not look healthy", snapshot.step)
            self._next_checkpoint_at = now + min(60.0, self.checkpoint_interval_s)
            return
        self._next_checkpoint_at = now + self.checkpoint_interval_s
        if not self._enough_space(now):
            return
        self._save(self._next_checkpoint_path())
        self._last_saved_step = snapshot.step

    def _confirm_checkpoints(self, snapshot: TrainingSnapshot) -> None:
        for path, (generation, step) in list(self._unconfirmed.items()):
            if snapshot.generation != generation:
                self._drop_unconfirmed("the run changed before it was confirmed", [path])
            elif snapshot.step > step:  # a healthy step after it (failures are checked first)
                del self._unconfirmed[path]
                self.stats["checkpoints_saved"] += 1
                log.info("checkpoint good: %s", path)
                self._rotate()

    def _drop_unconfirmed(self, why: str, paths=None) -> None:
        for path in list(self._unconfirmed) if paths is None else paths:
            self._unconfirmed.pop(path, None)
            try:
                Path(path).unlink()
                log.warning("checkpoint %s removed: %s", Path(path).name, why)
            except OSError:
                pass

    def _save(self, path: Path) -> Path | None:
        if not self._ensure_dir():
            return None
        self._pending_saves.add(str(path))
        self.client.save(path)
        return path

    def _next_checkpoint_path(self) -> Path:
        return self.checkpoint_dir / f"kiosk-{self._newest_seq() + 1:06d}.npz"

    def _newest_seq(self) -> int:
        newest = self._checkpoint_files()
        numbers = [int(CHECKPOINT_PATTERN.fullmatch(p.name).group(1)) for p in newest[:1]]
        pending = [
            int(m.group(1)) for m in (CHECKPOINT_PATTERN.fullmatch(Path(p).name) for p in self._pending_saves) if m
        ]
        return max(numbers + pending + [self._baseline_seq, 0])

    def _candidates(self) -> list[Path]:
        """Checkpoints to resume from, newest first, only those of the current run."""
        return [
            path for path in self.good_checkpoints()
            if int(CHECKPOINT_PATTERN.fullmatch(path.name).group(1)) > self._baseline_seq
        ]

    def _rotate(self) -> None:
        for old in self.good_checkpoints()[self.keep_checkpoints :]:
            try:
                old.unlink()
                log.info("old checkpoint removed: %s", old.name)
            except OSError as exc:
                log.warning("could not remove old checkpoint %s: %s", old, exc)

    def _set_aside(self, path: Path, why: str) -> None:
        try:
            target = set_aside(path, why, self.wall_clock(), SET_ASIDE_KEPT, SET_ASIDE_GROUP)
            log.warning("checkpoint %s moved aside as %s", path.name, target.name)
        except OSError as exc:
            log.error("could not move checkpoint %s aside (%s); deleting it", path, exc)
            try:
                path.unlink()
            except OSError:
                pass

    def _rotate_after_final_save(self) -> None:
        """At close: the final save (if the worker wrote it) and the newest confirmed checkpoints,
        keep_checkpoints in all but never fewer than one confirmed; any other unconfirmed save of
        this run is older than the final one and goes."""
        final, self._final_save = self._final_save, None
        if final is None or str(final) not in self._pending_saves | set(self._unconfirmed):
            return  # none asked for, or confirmed (and rotated) while training went on
        files = self._checkpoint_files()
        if not files or files[0] != final:
            return  # not written (a worker killed mid-save leaves only a temporary file): nothing changes
        doubtful = {Path(p) for p in set(self._unconfirmed) | self._pending_saves
                    if CHECKPOINT_PATTERN.fullmatch(Path(p).name)} - {final}
        self._unconfirmed.clear()
        self._pending_saves.clear()
        for path in doubtful:
            try:
                path.unlink()
                log.info("checkpoint %s removed: superseded by the final one", path.name)
            except OSError:
                pass
        confirmed = [path for path in self._checkpoint_files() if path != final and path not in doubtful]
        for old in confirmed[max(1, self.keep_checkpoints - 1):]:
            try:
                old.unlink()
                log.info("old checkpoint removed: %s", old.name)
            except OSError as exc:
                log.warning("could not remove old checkpoint %s: %s", old, exc)

    def _ensure_dir(self) -> bool:
        try:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
            return True
        except OSError as exc:
            log.error("cannot create checkpoint folder %s: %s", self.checkpoint_dir, exc)
            return False

    def _remove_stale_temporaries(self) -> None:
        """A power cut during a save leaves the temporary file behind; the target is intact."""
        for temp in remove_unfinished(self.checkpoint_dir):
            log.info("removed unfinished checkpoint %s", temp.name)

    def _enough_space(self, now: float) -> bool:
        try:
            free = shutil.disk_usage(self.checkpoint_dir).free
        except OSError:
            return True
        if free >= MIN_FREE_BYTES:
            return True
        if now - self._last_space_warning > 3600:
            self._last_space_warning = now
            log.error("only %d MB free in %s: checkpoints paused", free // 1_000_000, self.checkpoint_dir)
        return False


def _file_mark(path: Path) -> tuple:
    """What changes when a file is replaced, edited or given other permissions (or appears, or goes)."""
    try:
        info = path.stat()
    except OSError:
        return ("missing",)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _quietly(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception as exc:  # a dying worker may fail to close cleanly; it is gone either way
        log.warning("closing the old trainer: %s", exc)
