"""Training supervision: crash, hang, divergence, collapse and bad checkpoints, each recovered.

Most tests drive a scripted client on an injected clock; the last one uses the real TrainerClient
in a thread with real faults injected.
"""

import json
import logging
import os
import time
from pathlib import Path

import numpy as np
import pytest

from counterfeit_game import protocol
from counterfeit_game.kiosk import supervisor as sup
from counterfeit_game.kiosk.supervisor import (
    COLLAPSE_DIVERSITY,
    DETAIL_FROM_CHECKPOINT,
    DETAIL_FROM_SCRATCH,
    TrainingSupervisor,
    checkpoint_step,
    grid_diversity,
)
from counterfeit_game.snapshot import GridFrame, LossHistory, TrainingSnapshot, frozen_array

from conftest import FakeClock


IDENTICAL = np.full((25, 28, 28), 128, np.uint8)


def varied_images(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (25, 28, 28), dtype=np.uint8)


class Rows:
    """Loss rows (step, d_loss, d_acc, g_loss) in a growing array, so snapshots stay cheap."""

    def __init__(self, rows):
        self._data = np.zeros((max(1024, 2 * len(rows)), 4))
        self._length = 0
        for row in rows:
            self.append(row)

    def append(self, row):
        if self._length == len(self._data):
            self._data = np.concatenate([self._data, np.zeros_like(self._data)])
        self._data[self._length] = row
        self._length += 1

    def __setitem__(self, index, row):
        self._data[range(self._length)[index]] = row

    def array(self):
        return self._data[: self._length]


class FakeClient:
    """Behaves like TrainerClient: commands queue up and are carried out when it polls."""

    GRID_INTERVAL = 25

    def __init__(self, clock):
        self.clock = clock
        self.last_heartbeat = clock()
        self.alive = self.ready = self.closed = self.killed = self.hung = False
        self.commands: list[tuple[str, object]] = []
        self._queue: list[tuple[str, object]] = []
        self._notices, self._errors = [], []
        self.step = self.generation = 0
        self.running, self.failed = True, False
        self.rows = Rows([(0, 0.7, 0.5, 0.7)])
        self.grids: list[GridFrame] = [GridFrame(0, varied_images(0))]
        self.collapsed = False
        self.quality = None

    # the client API ------------------------------------------------------------------------
    def start(self):
        self.alive = True
        self.last_heartbeat = self.clock()
        return self

    def poll(self) -> TrainingSnapshot:
        if self.alive and not self.hung:
            self.last_heartbeat = self.clock()
            if self.ready:
                while self._queue:
                    self._carry_out(*self._queue.pop(0))
        return self.snapshot()

    def notices(self):
        drained, self._notices = self._notices, []
        return drained

    def errors(self):
        drained, self._errors = self._errors, []
        return drained

    def _send(self, name, value=None):
        self.commands.append((name, value))
        if not self.closed:
            self._queue.append((name, value))

    def save(self, path):
        self._send("save", str(path))

    def load(self, path):
        self._send("load", str(path))

    def reset(self, seed=None):
        self._send("reset", seed)

    def resume(self):
        self._send("resume")

    def pause(self):
        self._send("pause")

    def close(self, timeout=5.0):
        """As the real worker: what was asked before CLOSE is done first (the save at exit)."""
        if self.alive and self.ready and not self.hung:
            while self._queue:
                self._carry_out(*self._queue.pop(0))
        self.closed, self.alive = True, False

    def kill(self):
        self.killed = True
        self.close()

    # what the test makes happen --------------------------------------------------------------
    def finish_loading(self):
        self.ready = True
        self._notices.append(protocol.Notice("ready", "engine ready"))

    def train(self, steps: int, finite: bool = True):
        for _ in range(steps):
            if not (self.ready and self.running and not self.failed):
                return
            self.step += 1
            loss = 0.7 if finite else float("nan")
            self.rows.append((self.step, loss, 0.5, loss))
            if self.step % self.GRID_INTERVAL == 0:
                images = IDENTICAL if self.collapsed else varied_images(self.step)
                self.grids.append(GridFrame(self.step, images))
            if not finite:
                self.failed, self.running = True, False
                self._errors.append(protocol.WorkerError("training diverged", kind="diverged"))

    def crash(self):
        self.alive = False

    def snapshot(self) -> TrainingSnapshot:
        if not self.ready:
            return TrainingSnapshot.loading()
        rows = self.rows.array()
        history = LossHistory(
            frozen_array(rows[:, 0], np.int64), frozen_array(rows[:, 1], np.float32),
            frozen_array(rows[:, 2], np.float32), frozen_array(rows[:, 3], np.float32),
        )
        status = "failed" if self.failed else ("running" if self.running else "paused")
        return TrainingSnapshot(
            status=status, step=self.step, speed=None, steps_per_second=100.0, history=history,
            bills=None, grids=tuple(self.grids), quality=self.quality, generation=self.generation,
        )

    def _carry_out(self, name, value):
        if name == "save":
            meta = json.dumps({"step": self.step, "fake": True}).encode()
            np.savez(value, meta=np.frombuffer(meta, np.uint8))
            self._notices.append(protocol.Notice("saved", "saved", value))
        elif name == "load":
            try:
                with np.load(value, allow_pickle=False) as archive:
                    step = int(json.loads(bytes(archive["meta"]).decode())["step"])
            except Exception:
                self._errors.append(protocol.WorkerError(f"{value}: damaged checkpoint", kind="checkpoint"))
                return
            self._restart_run(step)
            self._notices.append(protocol.Notice("loaded", "loaded", value))
        elif name == "reset":
            self._restart_run(0)
            self._notices.append(protocol.Notice("reset", "new counterfeiter hired"))
        elif name == "resume":
            self.running = not self.failed
        elif name == "pause":
            self.running = False

    def _restart_run(self, step):
        self.step, self.failed, self.collapsed = step, False, False
        self.generation += 1
        self.rows = Rows([(s, 0.7, 0.5, 0.7) for s in range(step + 1)])
        self.grids = [GridFrame(step, varied_images(step))]


class Harness:
    def __init__(self, tmp_path: Path, **options):
        self.clock = FakeClock(100.0)
        self.clients: list[FakeClient] = []
        self.dir = tmp_path / "checkpoints"
        defaults = dict(checkpoint_interval_s=300, hang_timeout_s=60, startup_timeout_s=200,
                        message_seconds=8, close_in_background=False, wall_clock=lambda: 1.7e9)
        defaults.update(options)
        self.sup = TrainingSupervisor(self.make_client, self.dir, clock=self.clock, **defaults)

    def make_client(self):
        client = FakeClient(self.clock)
        self.clients.append(client)
        return client

    @property
    def client(self) -> FakeClient:
        return self.clients[-1]

    def run(self, seconds: float, steps_per_second: int = 10, frame: float = 1.0):
        """Train and supervise for ``seconds``, one update per ``frame``."""
        for _ in range(round(seconds / frame)):
            self.clock.advance(frame)
            self.client.train(round(steps_per_second * frame))
            self.sup.update()

    def ready(self):
        self.client.finish_loading()
        self.sup.update()

    def commands(self, name, client=None):
        return [value for command, value in (client or self.client).commands if command == name]


@pytest.fixture
def h(tmp_path):
    harness = Harness(tmp_path)
    harness.sup.start()
    harness.ready()
    return harness


def names(paths):
    return [Path(p).name for p in paths]


def saved_step(path) -> int:
    with np.load(path) as archive:
        return json.loads(bytes(archive["meta"]).decode())["step"]


# --- checkpoints ---------------------------------------------------------------------------


def test_fresh_start_without_checkpoints(h):
    assert len(h.clients) == 1 and h.commands("load") == []
    assert h.sup.snapshot.status == "running"


def test_checkpoints_every_interval_and_keeps_the_last_three(h):
    h.run(299)
    assert h.commands("save") == []
    h.run(1)
    assert names(h.commands("save")) == ["kiosk-000001.npz"]
    h.run(1)
    assert h.sup.stats["checkpoints_saved"] == 0  # written, not yet confirmed by a healthy step
    assert h.sup.good_checkpoints() == [] and (h.dir / "kiosk-000001.npz").exists()
    h.run(1)
    assert h.sup.stats["checkpoints_saved"] == 1
    assert names(h.sup.good_checkpoints()) == ["kiosk-000001.npz"]
    h.run(5 * 300)
    assert names(h.sup.good_checkpoints()) == ["kiosk-000006.npz", "kiosk-000005.npz", "kiosk-000004.npz"]
    assert sorted(p.name for p in h.dir.iterdir()) == ["kiosk-000004.npz", "kiosk-000005.npz", "kiosk-000006.npz"]


def test_no_checkpoint_while_nothing_changes(h):
    h.run(300)
    h.client.pause()
    h.sup.update()
    h.run(900)
    assert len(h.commands("save")) == 1


def test_resumes_from_the_newest_checkpoint_on_start(h, tmp_path):
    h.run(601)
    second = Harness(tmp_path)
    second.sup.start()
    assert names(second.commands("load")) == ["kiosk-000002.npz"]
    second.ready()
    assert second.client.step == saved_step(h.dir / "kiosk-000002.npz") > 6000 - 20


def test_unfinished_temporary_files_are_removed_on_start(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    (folder / ".kiosk-000003.npz.abc123.tmp").write_bytes(b"half a checkpoint")
    harness = Harness(tmp_path)
    harness.sup.start()
    assert list(folder.iterdir()) == []


def test_low_disk_space_pauses_checkpoints(h, monkeypatch):
    monkeypatch.setattr(sup, "MIN_FREE_BYTES", 10**18)
    h.run(700)
    assert h.commands("save") == []


# --- crash and hang ------------------------------------------------------------------------


def test_crash_restarts_from_the_last_good_checkpoint(h):
    h.run(302)
    first = h.client
    first.crash()
    h.run(1)
    assert first.closed and len(h.clients) == 2
    assert h.sup.stats["crashes"] == 1 and h.sup.stats["recoveries"] == 0
    assert names(h.commands("load")) == ["kiosk-000001.npz"]
    notice = h.sup.notice
    assert notice.reason == "crash" and notice.title_key == "kiosk.recovery.crash"
    step = saved_step(h.dir / "kiosk-000001.npz")
    assert notice.detail_key == DETAIL_FROM_CHECKPOINT and notice.fields == {"step": step}
    h.clock.advance(30)  # TensorFlow loading in the new worker: the message stays up
    h.sup.update()
    assert h.sup.recovery_visible
    h.ready()
    assert h.sup.stats["recoveries"] == 1
    assert h.client.step == step and h.sup.snapshot.step == step
    assert not h.sup.recovery_visible  # back, and the message has been up long enough


def test_the_message_stays_up_a_few_seconds_after_a_quick_recovery(h):
    h.run(302)
    h.client.train(1, finite=False)
    h.run(2)  # noticed, then back
    assert h.sup.stats["recoveries"] == 1 and h.sup.recovery_visible
    h.run(6)
    assert h.sup.recovery_visible
    h.run(2)
    assert not h.sup.recovery_visible


def test_crash_without_checkpoints_starts_fresh(h):
    h.run(10)
    h.client.crash()
    h.run(1)
    assert h.commands("load") == [] and h.sup.notice.detail_key == DETAIL_FROM_SCRATCH
    h.ready()
    assert h.sup.stats["recoveries"] == 1


def test_fatal_worker_error_counts_as_a_crash(h):
    h.client._errors.append(protocol.WorkerError("the training worker stopped", fatal=True))
    h.run(1)
    assert h.sup.stats["crashes"] == 1 and len(h.clients) == 2 and h.clients[0].closed


def test_a_worker_error_is_logged_once_by_the_trainer_not_again_here(h, caplog):
    """The trainer logs its own failures (their lines reach the kiosk's log); the supervisor adds
    what it does about them, not a copy of the message."""
    with caplog.at_level(logging.INFO):
        h.client._errors.append(protocol.WorkerError("training failed: ValueError: a broken layer", fatal=True))
        h.run(1)
    assert "a broken layer" not in caplog.text
    assert "training crash at step" in caplog.text


def test_hang_kills_and_replaces_the_worker(h):
    h.run(302)
    first = h.client
    first.hung = True
    h.run(60)
    assert h.sup.stats["hangs"] == 0
    h.run(1.5, frame=0.5)
    assert h.sup.stats["hangs"] == 1 and first.killed and len(h.clients) == 2
    assert names(h.commands("load")) == ["kiosk-000001.npz"]
    assert h.sup.notice.title_key == "kiosk.recovery.crash"


def test_slow_start_is_allowed_until_the_startup_timeout(tmp_path):
    harness = Harness(tmp_path)
    harness.sup.start()
    harness.client.hung = True  # TensorFlow still importing: no messages at all
    harness.run(199)
    assert harness.sup.stats["hangs"] == 0
    harness.run(2)
    assert harness.sup.stats["hangs"] == 1


def test_first_step_compile_is_not_a_hang(tmp_path):
    harness = Harness(tmp_path)
    harness.sup.start()
    harness.ready()
    harness.client.hung = True  # ready, then silent while the first step compiles
    harness.clock.advance(150)
    harness.sup.update()
    assert harness.sup.stats["hangs"] == 0
    harness.client.hung = False
    harness.run(2)  # trained: from now on the short limit applies
    harness.client.hung = True
    harness.clock.advance(61)
    harness.sup.update()
    assert harness.sup.stats["hangs"] == 1


def test_repeated_crashes_back_off_then_recover(h):
    h.client.crash()
    h.run(1)  # first failure: restarted at once
    assert len(h.clients) == 2
    h.ready()
    h.client.crash()
    h.sup.update()  # second failure in a row: wait before the next start
    assert h.sup.client is None and len(h.clients) == 2
    h.clock.advance(1.9)
    h.sup.update()
    assert len(h.clients) == 2
    h.clock.advance(0.2)
    h.sup.update()
    assert len(h.clients) == 3
    h.ready()
    assert h.sup.stats["crashes"] == 2 and h.sup.stats["recoveries"] == 2


def test_failure_streak_ends_after_a_healthy_while(h):
    h.client.crash()
    h.run(1)
    h.ready()
    h.run(sup.HEALTHY_AFTER_S + 1)
    h.client.crash()
    h.sup.update()
    assert h.sup.client is not None and len(h.clients) == 3  # no back-off: not a streak


def test_a_trainer_that_cannot_start_is_retried(h):
    class BrokenClient(FakeClient):
        def start(self):
            raise OSError("cannot fork")

    working = h.sup.client_factory
    h.sup.client_factory = lambda: BrokenClient(h.clock)
    h.client.crash()
    h.sup.update()
    assert h.sup.client is None and h.sup.stats["launches"] == 2
    h.sup.client_factory = working
    h.run(120)
    assert h.sup.client is not None and h.sup.stats["launches"] == 3


# --- divergence and collapse ----------------------------------------------------------------


def test_nan_losses_reload_the_checkpoint_in_the_same_worker(h):
    h.run(302)
    h.client.train(3, finite=False)
    h.sup.update()
    assert h.sup.stats["divergences"] == 1 and len(h.clients) == 1
    assert names(h.commands("load")) == ["kiosk-000001.npz"]
    assert h.commands("resume")
    assert h.sup.notice.title_key == "kiosk.recovery.diverged"
    h.run(1)  # the load is carried out; the failed run is not counted twice
    assert h.sup.stats["divergences"] == 1 and h.sup.stats["recoveries"] == 1
    assert h.client.running and h.sup.snapshot.status == "running"


def test_nan_in_history_is_caught_even_without_the_workers_word(h):
    h.run(302)
    h.client.rows.append((h.client.step + 1, float("inf"), 0.5, 0.7))
    h.client.step += 1
    h.sup.update()
    assert h.sup.stats["divergences"] == 1


def test_divergence_without_checkpoints_hires_a_new_counterfeiter(h):
    h.run(10)
    h.client.train(1, finite=False)
    h.sup.update()
    assert h.commands("reset") == [None] and h.sup.notice.detail_key == DETAIL_FROM_SCRATCH
    h.run(2)
    assert h.sup.stats["recoveries"] == 1 and 0 < h.client.step <= 10


def test_no_checkpoint_is_written_from_a_diverged_run(h):
    h.run(299)
    h.client.rows.append((h.client.step + 1, float("nan"), 0.5, float("nan")))
    h.client.step += 1
    h.sup._checked_step = h.client.step  # as if divergence detection had missed it
    h.clock.advance(2)
    h.sup._maybe_checkpoint(h.clock(), h.client.snapshot())
    assert h.commands("save") == []


def test_collapse_on_two_grids_in_a_row(h):
    h.run(60)  # past the minimum step
    h.client.collapsed = True
    h.run(3)  # one identical grid
    assert h.sup.stats["collapses"] == 0
    assert h.sup.last_diversity == 0.0
    h.run(3)
    assert h.sup.stats["collapses"] == 1
    assert h.sup.notice.title_key == "kiosk.recovery.collapse"


def test_a_single_low_grid_is_not_a_collapse(h):
    h.run(60)
    h.client.collapsed = True
    h.run(3)
    h.client.collapsed = False
    h.run(10)
    assert h.sup.stats["collapses"] == 0


def test_young_counterfeiter_is_not_judged(h):
    h.client.collapsed = True
    h.run(40)  # steps 0..400: below COLLAPSE_MIN_STEP
    assert h.sup.stats["collapses"] == 0


def test_examiner_coverage_of_two_digits_is_a_collapse(h):
    from counterfeit_game.snapshot import QualityReport

    h.run(60)
    h.client.quality = QualityReport(h.client.step, 90.0, 10.0, 0.9, 2, (0, 250, 250, 0, 0, 0, 0, 0, 0, 0))
    h.run(1)
    assert h.sup.stats["collapses"] == 1


def test_no_checkpoint_while_a_collapse_is_suspected(h):
    h.run(60)
    h.client.collapsed = True
    h.run(3)  # one identical grid: suspicious, not yet a collapse
    h.clock.advance(300)
    h.sup._maybe_checkpoint(h.clock(), h.client.snapshot())
    assert h.commands("save") == []


def test_a_checkpoint_that_fails_again_at_once_is_set_aside(h):
    h.run(302)
    h.run(300)  # two checkpoints: 1 (step 3000) and 2 (step 6000)
    h.client.train(1, finite=False)
    h.run(1)  # back from checkpoint 2
    assert names(h.commands("load")) == ["kiosk-000002.npz"]
    h.run(30)
    h.client.train(1, finite=False)
    h.run(1)  # failed again soon after: 2 leads into trouble, use 1
    assert names(h.commands("load")) == ["kiosk-000002.npz", "kiosk-000001.npz"]
    assert names(h.sup.good_checkpoints()) == ["kiosk-000001.npz"]
    assert [p.name for p in h.dir.glob("kiosk-000002.npz.failed-*")]


def test_a_checkpoint_written_just_before_a_divergence_is_not_trusted(h):
    h.run(302)  # checkpoint 1, confirmed
    h.run(298)  # t = 600: checkpoint 2 asked for
    h.sup.update()  # ...and written, but no step has followed it yet
    assert (h.dir / "kiosk-000002.npz").exists()
    h.client.train(1, finite=False)  # the weights it holds may already be poisoned
    h.sup.update()
    assert not (h.dir / "kiosk-000002.npz").exists()
    assert names(h.commands("load")) == ["kiosk-000001.npz"]
    assert h.sup.stats["checkpoints_saved"] == 1


def test_a_checkpoint_from_a_run_that_was_replaced_is_dropped(h):
    h.run(300)
    h.sup.update()  # kiosk-000001 written
    h.sup.end_session("restart")
    h.run(2)
    assert h.sup.good_checkpoints() == [] and not (h.dir / "kiosk-000001.npz").exists()


def test_a_crash_then_a_divergence_does_not_blame_the_checkpoint(h):
    h.run(302)
    h.client.crash()
    h.run(1)
    h.ready()
    h.run(20)
    h.client.train(1, finite=False)
    h.run(2)
    assert h.sup.stats["crashes"] == 1 and h.sup.stats["divergences"] == 1
    assert names(h.commands("load")) == ["kiosk-000001.npz"] * 2  # after the crash, after the NaN
    assert names(h.sup.good_checkpoints()) == ["kiosk-000001.npz"]


# --- bad checkpoints -----------------------------------------------------------------------


def test_corrupt_checkpoint_is_moved_aside_and_the_older_one_used(h):
    h.run(302)
    h.run(300)
    newest = h.sup.good_checkpoints()[0]
    newest.write_bytes(b"\x00garbage from a failing disk")
    h.client.crash()
    h.run(1)
    h.ready()
    assert h.sup.stats["corrupt_checkpoints"] == 1
    assert names(h.commands("load")) == ["kiosk-000002.npz", "kiosk-000001.npz"]
    assert not newest.exists()
    assert [p.name for p in h.dir.glob("kiosk-000002.npz.corrupt-*")]
    h.sup.update()
    assert h.client.step == saved_step(h.dir / "kiosk-000001.npz")
    assert h.sup.stats["recoveries"] == 1


def test_when_every_checkpoint_is_corrupt_training_starts_fresh(h):
    h.run(302)
    h.sup.good_checkpoints()[0].write_bytes(b"PK\x03\x04 truncated")
    h.client.crash()
    h.run(1)
    h.ready()
    h.sup.update()
    assert h.sup.good_checkpoints() == []
    assert h.commands("reset") == [None]
    assert h.sup.notice.detail_key == DETAIL_FROM_SCRATCH
    assert h.sup.stats["recoveries"] == 1 and h.client.generation >= 1


def test_set_aside_files_are_capped(h):
    for index in range(6):
        h.run(302)
        h.sup.good_checkpoints()[0].write_bytes(b"junk")
        h.sup.wall_clock = lambda index=index: 1.7e9 + 3600 * index
        h.client.crash()
        h.run(1)
        h.ready()
        h.run(sup.HEALTHY_AFTER_S)
    assert len(list(h.dir.glob("*.corrupt-*"))) == sup.SET_ASIDE_KEPT


# --- visitor resets ------------------------------------------------------------------------


def test_end_session_continue_only_resumes(h):
    h.client.pause()
    h.sup.end_session("continue")
    assert h.commands("resume") and h.commands("reset") == [] and h.commands("load") == []


def test_end_session_restart_hires_a_new_counterfeiter_and_forgets_old_checkpoints(h):
    h.run(302)
    h.sup.end_session("restart")
    h.run(1)
    assert h.commands("reset") == [None] and h.client.step < 100
    h.client.crash()  # before the new run's first checkpoint: do not go back to the old run
    h.run(1)
    assert h.commands("load") == []
    h.ready()
    h.run(302)
    assert names(h.commands("save")) == ["kiosk-000002.npz"]


def test_end_session_checkpoint_undoes_the_visitors_changes(h):
    h.run(100)
    h.sup.begin_session("checkpoint")
    h.run(1)
    start_step = json.loads(bytes(np.load(h.dir / sup.SESSION_START_FILE)["meta"]).decode())["step"]
    h.client.reset()  # the visitor hired a new counterfeiter
    h.run(20)
    h.sup.end_session("checkpoint")
    assert names(h.commands("load")) == [sup.SESSION_START_FILE]
    h.run(0.1, frame=0.1)
    assert start_step <= h.client.step <= start_step + 1
    assert h.sup.good_checkpoints() == [] or sup.SESSION_START_FILE not in names(h.sup.good_checkpoints())


def test_end_session_checkpoint_uses_the_operators_file(h, tmp_path):
    operator_file = tmp_path / "lesson-start.npz"
    np.savez(operator_file, meta=np.frombuffer(json.dumps({"step": 1234}).encode(), np.uint8))
    h.sup.reset_checkpoint = operator_file
    h.run(30)
    h.sup.begin_session("checkpoint")
    h.sup.end_session("checkpoint")
    h.run(0.1, frame=0.1)
    assert h.commands("load") == [str(operator_file)] and h.client.step == 1234
    assert h.commands("save") == []


def test_a_reset_checkpoint_gone_bad_leaves_training_running_said_once(h, tmp_path, caplog):
    """The config checked the file at start; if it is damaged later, each visitor's reset would
    otherwise throw weeks of training away. Training continues instead, and the log says so once."""
    operator_file = tmp_path / "lesson-start.npz"
    operator_file.write_bytes(b"nonsense")
    h.sup.reset_checkpoint = operator_file
    h.run(30)
    generation = h.client.generation
    with caplog.at_level(logging.INFO):
        for _ in range(3):  # three visitors come and go
            step = h.client.step
            h.sup.begin_session("checkpoint")
            h.run(5)
            h.sup.end_session("checkpoint")
            h.run(1)
            assert h.client.step > step + 50 and h.client.running
    assert operator_file.read_bytes() == b"nonsense"  # never moved or deleted: the operator's
    assert h.commands("reset") == [] and h.client.generation == generation
    assert h.commands("load") == [str(operator_file)]  # unchanged since it was refused: not tried again
    refusals = [r for r in caplog.records if "session.reset_checkpoint" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.ERROR
    assert "training continues" in refusals[0].getMessage()
    assert h.sup.stats["reset_checkpoint_refused"] == 1 and h.sup.stats["corrupt_checkpoints"] == 0
    assert not h.sup.recovery_visible  # nothing for the visitors to read
    # The operator puts a good file back: the next reset uses it.
    np.savez(operator_file, meta=np.frombuffer(json.dumps({"step": 1234}).encode(), np.uint8))
    h.sup.end_session("checkpoint")
    h.run(0.1, frame=0.1)
    assert h.commands("load") == [str(operator_file)] * 2 and h.client.step == 1234


def test_a_session_start_checkpoint_that_is_refused_leaves_training_running(h):
    h.run(100)
    h.sup.begin_session("checkpoint")
    h.run(1)
    start = h.dir / sup.SESSION_START_FILE
    start.write_bytes(b"\x00a failing disk")
    generation, step = h.client.generation, h.client.step
    h.sup.end_session("checkpoint")
    h.run(1)
    assert h.commands("load") == [str(start)]
    assert h.commands("reset") == [] and h.client.generation == generation and h.client.step > step
    assert [p.name for p in h.dir.glob("session-start.npz.corrupt-*")]


def test_set_aside_checkpoints_are_named_and_capped_by_when_they_were_set_aside(h):
    """Not by the files' own dates: a checkpoint written long ago and set aside now is the newest."""
    for day in (1, 2, 3):
        kept = h.dir / f"kiosk-00009{day}.npz.corrupt-2026010{day}-120000"
        kept.write_bytes(b"looked at later")
        os.utime(kept, (2e9, 2e9))
    h.run(302)
    newest = h.sup.good_checkpoints()[0]
    os.utime(newest, (1e9, 1e9))  # an old file (say, copied in with its date)
    newest.write_bytes(b"junk")
    os.utime(newest, (1e9, 1e9))
    h.sup.wall_clock = lambda: time.mktime((2026, 2, 1, 9, 30, 0, 0, 0, -1))
    h.client.crash()
    h.run(1)
    h.ready()  # the new worker refuses it
    assert h.sup.stats["corrupt_checkpoints"] == 1
    assert sorted(p.name for p in h.dir.glob("*.corrupt-*")) == [
        "kiosk-000001.npz.corrupt-20260201-093000", "kiosk-000092.npz.corrupt-20260102-120000",
        "kiosk-000093.npz.corrupt-20260103-120000"]


# --- leaving: the save at exit ----------------------------------------------------------------


@pytest.mark.parametrize("keep", [2, 3])
def test_the_save_at_exit_leaves_keep_checkpoints_with_the_newest_confirmed(tmp_path, keep):
    h = Harness(tmp_path, keep_checkpoints=keep)
    h.sup.start()
    h.ready()
    h.run(302 + 3 * 300)  # four checkpoints written and confirmed; the oldest rotated away
    confirmed = names(h.sup.good_checkpoints())
    assert confirmed == ["kiosk-000004.npz", "kiosk-000003.npz", "kiosk-000002.npz"][:keep]
    h.run(10)
    final = h.sup.save_now()  # the operator's PIN: a last save, then the worker is closed
    h.sup.close()
    files = sorted(p.name for p in h.dir.iterdir())
    assert files == sorted([final.name] + confirmed[: keep - 1]) and len(files) == keep
    assert "kiosk-000004.npz" in files  # the newest confirmed one, should the final one be bad
    assert saved_step(final) > saved_step(h.dir / "kiosk-000004.npz")

    again = Harness(tmp_path, keep_checkpoints=keep)  # the next morning: resumes from the final save
    again.sup.start()
    assert names(again.commands("load")) == [final.name]
    again.ready()
    again.run(30)
    again.client.hung = True  # a worker that never gets to write its final save...
    assert again.sup.save_now() is not None
    again.sup.close()
    assert sorted(p.name for p in again.dir.iterdir()) == files  # ...costs nothing


def test_a_save_at_exit_removes_an_unconfirmed_one_it_supersedes(h):
    h.run(302 + 300)  # two confirmed
    h.run(298)  # t = 900: the third asked for...
    h.sup.update()  # ...and written, not yet confirmed
    assert len(h.sup.good_checkpoints()) == 2 and (h.dir / "kiosk-000003.npz").exists()
    final = h.sup.save_now()
    h.sup.close()
    assert sorted(p.name for p in h.dir.iterdir()) == ["kiosk-000001.npz", "kiosk-000002.npz", final.name]


def test_from_config(tmp_path):
    from counterfeit_game.kiosk.config import load_kiosk_config

    config_file = tmp_path / "kiosk.toml"
    config_file.write_text('[paths]\ndata_dir = "data"\n[training]\ncheckpoint_minutes = 2\nhang_seconds = 30\n')
    config = load_kiosk_config(config_file)
    supervisor = TrainingSupervisor.from_config(config, lambda: FakeClient(FakeClock(100.0)))
    assert supervisor.checkpoint_dir == tmp_path / "data" / "checkpoints" / "dcgan"  # one folder per pair
    assert supervisor.checkpoint_interval_s == 120.0 and supervisor.hang_timeout_s == 30.0
    assert supervisor.reset_checkpoint is None


# --- the collapse threshold, measured on real digits ----------------------------------------


def test_grid_diversity_separates_real_digits_from_identical_bills(mnist):
    rng = np.random.default_rng(3)
    assert grid_diversity(IDENTICAL) == 0.0
    for _ in range(5):
        real = mnist.x_train[rng.integers(0, len(mnist.x_train), 25)]
        assert grid_diversity(real) > 3 * COLLAPSE_DIVERSITY
    ones = mnist.x_train[np.flatnonzero(mnist.y_train == 1)[:25]]
    assert grid_diversity(ones) > COLLAPSE_DIVERSITY  # one digit in many hands is not a collapse
    nearly = np.clip(IDENTICAL.astype(int) + rng.integers(-8, 9, IDENTICAL.shape), 0, 255)
    assert grid_diversity(nearly) < COLLAPSE_DIVERSITY


def test_grid_diversity_matches_the_pairwise_definition():
    images = varied_images(7)[:6]
    flat = images.reshape(6, -1).astype(np.float64) / 255
    pairs = [np.abs(flat[i] - flat[j]).mean() for i in range(6) for j in range(i + 1, 6)]
    assert grid_diversity(images) == pytest.approx(np.mean(pairs), rel=1e-5)


# --- the real trainer, in a thread --------------------------------------------------------------


def test_real_trainer_recovers_from_nan_crash_and_a_corrupt_checkpoint(tmp_path, small_mnist_npz):
    from conftest import wait_for

    from counterfeit_game.worker import TrainerClient

    clock = FakeClock(100.0)  # supervision time is the test's; the worker trains in real time
    clients = []

    def make_client():
        clients.append(TrainerClient(data=small_mnist_npz, mode="thread", clock=clock))
        return clients[-1]

    supervisor = TrainingSupervisor(
        make_client, tmp_path / "checkpoints", clock=clock, checkpoint_interval_s=300,
        hang_timeout_s=1000, close_in_background=False,  # the test's jumps in time are no hang
    )

    def supervised(predicate):
        return lambda: predicate(supervisor.update())

    supervisor.start()
    try:
        wait_for(supervised(lambda snap: snap.status == "running" and snap.step >= 10), timeout=180)
        for saves in (1, 2):
            step = supervisor.snapshot.step
            wait_for(supervised(lambda snap: snap.step > step))
            clock.advance(301)
            wait_for(supervised(lambda snap: supervisor.stats["checkpoints_saved"] == saves))
        older, newest = reversed(supervisor.good_checkpoints())
        newest_step = checkpoint_step(newest)
        older_step = checkpoint_step(older)
        assert 0 < older_step < newest_step

        supervisor.client.inject_fault("nan")
        wait_for(supervised(lambda snap: supervisor.stats["recoveries"] == 1))
        assert supervisor.stats["divergences"] == 1 and len(clients) == 1  # same worker
        snap = supervisor.snapshot
        assert snap.step >= newest_step and np.isfinite(snap.history.d_loss).all()
        wait_for(supervised(lambda snap: snap.step > newest_step + 5))  # training goes on
        clock.advance(sup.HEALTHY_AFTER_S + 1)  # healthy long enough: the next failure starts afresh

        newest.write_bytes(b"PK\x03\x04 not really a checkpoint")
        supervisor.client.inject_fault("crash")
        wait_for(supervised(lambda snap: supervisor.stats["recoveries"] == 2), timeout=180)
        assert supervisor.stats["crashes"] == 1 and len(clients) == 2
        assert not clients[0].alive and clients[1].alive
        assert supervisor.stats["corrupt_checkpoints"] == 1
        assert not newest.exists() and list(newest.parent.glob(newest.name + ".corrupt-*"))
        assert older_step <= supervisor.snapshot.step < newest_step
        assert supervisor.notice.title_key == "kiosk.recovery.crash"
        wait_for(supervised(lambda snap: snap.step > older_step + 5))
    finally:
        supervisor.close()
