"""The trainer worker, driven by commands, without pygame: real training on small real data."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import wait_for
from counterfeit_game.hyperparams import GanConfig
from counterfeit_game.snapshot import STATUS_FAILED, STATUS_PAUSED, STATUS_RUNNING
from counterfeit_game.worker import TrainerClient


@pytest.fixture
def client(small_mnist_npz):
    made = []

    def make(**options):
        options.setdefault("grid_interval", 5)
        options.setdefault("start_running", False)
        c = TrainerClient(config=GanConfig(seed=1), data=small_mnist_npz, mode="thread", **options)
        made.append(c.start())
        wait_for(lambda: c.poll().step == 0 and c.ready, timeout=120)
        return c

    yield make
    for c in made:
        c.close()


def test_paused_worker_steps_exactly_once_per_command(client):
    c = client()
    snap = c.poll()
    assert snap.status == STATUS_PAUSED and snap.step == 0 and len(snap.history) == 1
    assert len(snap.grids) == 1 and snap.grids[0].images.shape == (25, 28, 28)
    for expected in (1, 2, 3):
        c.step_once()
        snap = wait_for(lambda: (s := c.poll()).step == expected and s)
    assert list(snap.history.step) == [0, 1, 2, 3]
    bills = snap.bills
    assert bills.step == 3 and bills.fake.shape == (32, 28, 28) and bills.fake.dtype == np.uint8
    assert bills.real_scores.shape == (32,) and np.all((bills.fake_scores >= 0) & (bills.fake_scores <= 1))


def test_run_pause_resume_and_immutable_snapshots(client):
    c = client(start_running=True)
    early = wait_for(lambda: (s := c.poll()).step >= 12 and s)
    early_len, early_first = len(early.history), early.history.d_loss.copy()
    c.pause()
    paused = wait_for(lambda: (s := c.poll()).status == STATUS_PAUSED and s)
    frozen_at = paused.step
    c.step_once()
    after = wait_for(lambda: (s := c.poll()).step == frozen_at + 1 and s)
    assert after.status == STATUS_PAUSED
    assert len(early.history) == early_len and np.array_equal(early.history.d_loss, early_first)
    with pytest.raises(ValueError):
        early.history.d_loss[0] = 5.0  # snapshots are read-only
    c.resume()
    wait_for(lambda: (s := c.poll()).status == STATUS_RUNNING and s.step > frozen_at + 10)
    steps = c.poll().history.step
    assert np.array_equal(steps, np.arange(len(steps))), "one history row per step, in order"
    grid_steps = [g.step for g in c.poll().grids]
    assert grid_steps[0] == 0 and all(s % 5 == 0 for s in grid_steps)


def test_speed_limit_is_respected(client):
    c = client(start_running=True, speed=20.0)
    start = wait_for(lambda: (s := c.poll()).step >= 5 and s)
    import time

    t0, s0 = time.monotonic(), start.step
    wait_for(lambda: c.poll().step >= s0 + 20, timeout=30)
    rate = (c.poll().step - s0) / (time.monotonic() - t0)
    assert rate < 26, f"{rate:.1f} steps/s with a limit of 20"
    assert c.poll().speed == 20.0
    c.set_speed(None)
    wait_for(lambda: c.poll().speed is None)


def test_reset_hires_a_new_counterfeiter(client):
    c = client()
    for _ in range(3):
        c.step_once()
    before = wait_for(lambda: (s := c.poll()).step == 3 and s)
    c.reset(seed=99)
    after = wait_for(lambda: (s := c.poll()).generation == before.generation + 1 and s)
    assert after.step == 0 and len(after.history) == 1 and after.seed == 99
    assert not np.array_equal(after.grids[0].images, before.grids[0].images)
    assert any(n.kind == "reset" for n in c.notices())


def test_save_and_load_round_trip(client, tmp_path):
    c = client()
    for _ in range(4):
        c.step_once()
    saved = wait_for(lambda: (s := c.poll()).step == 4 and s)
    path = tmp_path / "run.npz"
    c.save(path)
    wait_for(lambda: path.exists())
    c.step_once()
    c.step_once()
    wait_for(lambda: c.poll().step == 6)
    c.load(path)
    loaded = wait_for(lambda: (s := c.poll()).generation == saved.generation + 1 and s)
    assert loaded.step == 4
    np.testing.assert_array_equal(loaded.history.d_loss, saved.history.d_loss)
    assert [g.step for g in loaded.grids] == [g.step for g in saved.grids] + [4]
    np.testing.assert_array_equal(loaded.grids[0].images, saved.grids[0].images)


def test_resumed_training_continues_exactly(small_mnist_npz, mnist, tmp_path):
    """Steps 1-6 in one go equal steps 1-3, save, load elsewhere, steps 4-6."""
    from counterfeit_game.data import load_mnist
    from counterfeit_game.trainer import TrainingRun

    data = load_mnist(small_mnist_npz)
    straight = TrainingRun(GanConfig(seed=4), data)
    for _ in range(6):
        straight.train_step()
    first = TrainingRun(GanConfig(seed=4), data)
    for _ in range(3):
        first.train_step()
    first.save(tmp_path / "half.npz")
    second = TrainingRun(GanConfig(seed=4), data)
    second.load(tmp_path / "half.npz")
    for _ in range(3):
        second.train_step()
    np.testing.assert_allclose(second.history.view().g_loss, straight.history.view().g_loss, rtol=1e-5)


def test_bad_checkpoint_is_refused_and_training_goes_on(client, tmp_path):
    c = client()
    c.step_once()
    wait_for(lambda: c.poll().step == 1)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    c.load(bad)
    errors = wait_for(lambda: (c.poll(), c.errors())[1])
    assert errors[0].kind == "checkpoint" and "bad.npz" in errors[0].message
    c.step_once()
    snap = wait_for(lambda: (s := c.poll()).step == 2 and s)
    assert snap.status == STATUS_PAUSED


def test_nan_is_reported_as_divergence_and_reset_recovers(client):
    c = client()
    c.inject_fault("nan")
    c.step_once()
    errors = wait_for(lambda: (c.poll(), c.errors())[1])
    assert errors[0].kind == "diverged" and not errors[0].fatal
    assert wait_for(lambda: (s := c.poll()).status == STATUS_FAILED and s)
    c.reset(seed=5)
    c.step_once()
    snap = wait_for(lambda: (s := c.poll()).step == 1 and s.generation >= 1 and s)
    assert np.isfinite(snap.history.g_loss).all()


def test_crash_is_reported_and_never_reaches_the_caller(client):
    c = client()
    c.inject_fault("crash")
    wait_for(lambda: not c.alive)
    snap = c.poll()
    assert snap.status == STATUS_FAILED
    assert any(e.fatal for e in c.errors())
    c.step_once()  # commands to a dead worker are harmless


def test_sample_for_guessing_has_scores_and_labels(client):
    c = client()
    request = c.request_sample(6)
    sample = wait_for(lambda: (c.poll(), c.take_sample(request))[1])
    assert sample.bills.fake.shape == (6, 28, 28) and sample.bills.real.shape == (6, 28, 28)
    assert sample.labels.shape == (6,) and set(sample.labels) <= set(range(10))
    assert np.all((sample.bills.real_scores >= 0) & (sample.bills.real_scores <= 1))


def test_missing_data_is_a_fatal_error_not_an_exception(tmp_path):
    c = TrainerClient(data=tmp_path / "absent.npz", mode="thread").start()
    try:
        errors = wait_for(lambda: (c.poll(), c.errors())[1])
        assert errors[0].fatal and "absent.npz" in errors[0].message
        assert c.poll().status == STATUS_FAILED
    finally:
        c.close()


def test_failed_save_is_a_checkpoint_error_not_a_failure(client, tmp_path):
    c = client()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    c.save(blocker / "run.npz")
    errors = wait_for(lambda: (c.poll(), c.errors())[1])
    assert errors[0].kind == "checkpoint" and "run.npz" in errors[0].message
    c.step_once()
    snap = wait_for(lambda: (s := c.poll()).step == 1 and s)
    assert snap.status == STATUS_PAUSED


def test_broken_networks_are_never_saved(client, tmp_path):
    c = client()
    c.inject_fault("nan")
    path = tmp_path / "broken.npz"
    c.save(path)
    errors = wait_for(lambda: (c.poll(), c.errors())[1])
    assert errors[0].kind == "checkpoint" and "non-finite" in errors[0].message
    assert not path.exists()


def test_the_client_gets_every_new_row_and_grid_while_the_worker_thins(client, monkeypatch):
    from counterfeit_game import snapshot

    monkeypatch.setattr(snapshot, "MAX_HISTORY_ROWS", 40)  # both sides thin every few dozen steps
    monkeypatch.setattr(snapshot, "MAX_GRID_FRAMES", 6)
    c = client(start_running=True, grid_interval=2)
    wait_for(lambda: c.poll().step >= 160, timeout=120)
    c.pause()
    snap = wait_for(lambda: (s := c.poll()).status == STATUS_PAUSED and s)
    steps = np.asarray(snap.history.step)
    assert len(steps) <= 40 and steps[0] == 0 and steps[-1] == snap.step
    assert np.all(np.diff(steps[-15:]) == 1), "the newest rows arrive without gaps"
    grid_steps = [g.step for g in snap.grids]
    assert len(grid_steps) <= 6 and grid_steps[0] == 0
    assert grid_steps[-1] == snap.step - snap.step % 2, "the newest grid is on the wall"
    assert np.all(np.diff(grid_steps[-3:]) == 2)


def test_a_load_sends_the_loaded_state_before_its_notice(small_mnist_npz, tmp_path):
    """Whoever acts on "loaded" (the kiosk counts a recovery at that step) must already hold the
    snapshot of what was loaded: the worker's messages arrive in order, the state first."""
    import queue

    from counterfeit_game import protocol
    from counterfeit_game.trainer import TrainerCore

    out = queue.Queue()
    core = TrainerCore(queue.Queue(), out, data=str(small_mnist_npz), start_running=False)
    assert core.setup()
    for _ in range(3):
        core._apply(protocol.Command(protocol.STEP))
    path = tmp_path / "three.npz"
    core._apply(protocol.Command(protocol.SAVE, path))
    for _ in range(2):
        core._apply(protocol.Command(protocol.STEP))
    while not out.empty():
        out.get_nowait()
    core._apply(protocol.Command(protocol.LOAD, path))
    messages = []
    while not out.empty():
        messages.append(out.get_nowait())
    loaded = next(i for i, m in enumerate(messages) if isinstance(m, protocol.Notice) and m.kind == "loaded")
    progress = [i for i, m in enumerate(messages) if isinstance(m, protocol.Progress) and m.step == 3]
    assert progress and progress[0] < loaded, [type(m).__name__ for m in messages]
