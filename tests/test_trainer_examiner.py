"""The examiner and the guessing game's difficulty inside the trainer: quality reports in the
snapshots, the examiner's readings on samples, younger counterfeiters and best-of-n fakes."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest

from conftest import wait_for
from counterfeit_game.hyperparams import GAME_PRESET, GanConfig
from counterfeit_game.snapshot import to_pixels
from counterfeit_game.trainer import GeneratorLadder
from counterfeit_game.worker import TrainerClient

PRESET = GanConfig.from_dict({**GAME_PRESET.as_dict(), "seed": 3})


# -- the ladder of past counterfeiters (no TensorFlow) -------------------------------------------
def test_ladder_stays_small_and_covers_every_fraction_of_the_run():
    ladder = GeneratorLadder(max_kept=8)
    weights = [np.zeros(1000, np.float32)]
    copies = 0
    for step in range(0, 50_001, 25):
        if ladder.wants(step):
            copies += 1
            ladder.remember(step, [w + step for w in weights])
        assert len(ladder) <= 8 and (step + 10) / (ladder.steps[-1] + 10) < 1.6
        if step >= 400:
            for fraction in (1 / 16, 1 / 8, 1 / 3, 1 / 2, 0.9):
                near, values = ladder.nearest(fraction * step)
                assert values[0][0] == near, "the copy is the one taken at that step"
                if ladder.distance(step, fraction * step) < ladder.distance(near, fraction * step):
                    near = step  # the current counterfeiter is nearer: print_as_of uses it
                ratio = (near + 10) / (fraction * step + 10)
                bound = 1.25 if step >= 3000 else 1.35  # early bands are as narrow as 25 steps
                assert 1 / bound < ratio < bound, (step, fraction, ladder.steps)
    assert copies < 30, "weights are copied only when a new band starts"
    assert ladder.nbytes <= 8 * weights[0].nbytes
    assert ladder.steps == sorted(ladder.steps)
    ladder.clear()
    assert len(ladder) == 0 and ladder.nearest(5) is None


def test_ladder_replaces_steps_it_is_told_again():
    ladder = GeneratorLadder(max_kept=3)
    for step in (0, 10, 20):
        ladder.remember(step, [np.full(2, step)])
    ladder.remember(10, [np.full(2, -1)])  # e.g. after loading an earlier checkpoint
    assert ladder.steps == [0, 10] and ladder.nearest(10)[1][0][0] == -1


def test_sample_options_are_checked_before_anything_is_sent():
    client = TrainerClient(mode="thread")  # never started: nothing to send to
    for fake_age, best_of in ((0.0, 1), (1.5, 1), (math.nan, 1), (1.0, 0), (1.0, 1.5)):
        with pytest.raises(ValueError):
            client.request_sample(4, fake_age=fake_age, best_of=best_of)
    assert client.request_sample(4, fake_age=1 / 3, best_of=3) == 1, "refused requests use no id"


# -- younger counterfeiters and best-of-n on a real run ------------------------------------------
@pytest.fixture(scope="module")
def run(small_mnist_npz):
    from counterfeit_game.data import load_mnist
    from counterfeit_game.trainer import TrainingRun

    return TrainingRun(PRESET, load_mnist(small_mnist_npz))


def generator_state(run):
    return [v.numpy().copy() for v in run.gan.generator.variables]


def test_aged_fakes_come_from_the_remembered_counterfeiter(run):
    run.reset(PRESET.seed)
    noise = np.random.default_rng(0).normal(size=(6, PRESET.latent_dim)).astype(np.float32)
    run.remember_generator()
    run.train_chunk(8)
    run.remember_generator()
    at_step_8, step = run.print_as_of(noise, 1.0)
    assert step == 8
    run.train_chunk(8)
    run.train_chunk(8)
    run.remember_generator()
    assert run.ladder.steps == [0, 8, 24]
    live_before = generator_state(run)
    now, now_step = run.print_as_of(noise, 1.0)
    young, young_step = run.print_as_of(noise, 1 / 3)
    assert now_step == 24 and young_step == 8
    np.testing.assert_allclose(young, at_step_8, atol=1e-4)
    assert np.abs(young - now).mean() > 0.01, "24 steps at 5e-3 change the counterfeiter visibly"
    for before, after in zip(live_before, generator_state(run)):
        np.testing.assert_array_equal(before, after)  # weights and batch-norm statistics untouched
    np.testing.assert_array_equal(run.print_as_of(noise, 1.0)[0], now)
    assert run.print_as_of(noise, 0.01)[1] == 0

    bills, labels, fake_step = run.sample(5, fake_age=1 / 3, rng=np.random.default_rng(1))
    assert fake_step == 8 and bills.step == 24 and labels.shape == (5,)
    again = np.random.default_rng(1).normal(size=(5, PRESET.latent_dim)).astype(np.float32)
    young_again, _ = run.print_as_of(again, 1 / 3)
    np.testing.assert_array_equal(bills.fake, to_pixels(young_again))
    np.testing.assert_allclose(bills.fake_scores, run.gan.judge(young_again), atol=1e-5)  # today's police


def test_best_of_keeps_the_candidate_the_police_find_most_real(run):
    bills, _, _ = run.sample(4, best_of=3, rng=np.random.default_rng(7))
    noise = np.random.default_rng(7).normal(size=(12, PRESET.latent_dim)).astype(np.float32)
    candidates, _ = run.print_as_of(noise, 1.0)
    scores = run.gan.judge(candidates).reshape(4, 3)
    pick = scores.argmax(axis=1)
    assert pick.any(), "some bill is not the first candidate: the choice is really made"
    np.testing.assert_allclose(bills.fake_scores, scores.max(axis=1), atol=1e-5)
    np.testing.assert_array_equal(bills.fake, to_pixels(candidates.reshape(4, 3, 28, 28, 1)[np.arange(4), pick]))
    plain, _, _ = run.sample(4, best_of=1, rng=np.random.default_rng(7))
    assert plain.fake_scores.shape == (4,)


def test_remembered_counterfeiters_are_dropped_on_reset_and_load(run, tmp_path):
    run.reset(PRESET.seed)
    run.remember_generator()
    run.train_chunk(8)
    run.remember_generator()
    run.save(tmp_path / "run.npz")
    assert len(run.ladder) == 2
    run.load(tmp_path / "run.npz")
    assert len(run.ladder) == 0
    run.remember_generator()
    run.reset(5)
    assert len(run.ladder) == 0
    noise = np.zeros((2, PRESET.latent_dim), np.float32)
    assert run.print_as_of(noise, 0.5)[1] == 0


# -- through the worker ----------------------------------------------------------------------------
def started(small_mnist_npz, **options):
    client = TrainerClient(config=PRESET, data=small_mnist_npz, mode="thread", grid_interval=4,
                           start_running=False, **options).start()
    wait_for(lambda: client.poll().step == 0 and client.ready, timeout=120)
    return client


def test_quality_reports_and_readings_reach_the_ui(small_mnist_npz):
    client = started(small_mnist_npz, quality_interval=4)
    try:
        first = wait_for(lambda: (s := client.poll()).quality and s, timeout=60)
        assert first.quality.step == 0 and first.quality.score < 10, "the untrained counterfeiter"
        seen = {}
        for expected in range(1, 9):
            client.step_once()
            snap = wait_for(lambda: (s := client.poll()).step == expected and s)
            seen[expected] = snap.quality.step
        assert seen == {1: 0, 2: 0, 3: 0, 4: 4, 5: 4, 6: 4, 7: 4, 8: 8}
        report = client.poll().quality
        assert len(report.histogram) == 10 and 0 <= report.score <= 100 and report.fed > 0

        request = client.request_sample(6, fake_age=0.5, best_of=2)
        sample = wait_for(lambda: (client.poll(), client.take_sample(request))[1])
        assert sample.fake_step == 4 and sample.bills.step == 8
        for digits, confidence in ((sample.fake_digits, sample.fake_digit_confidence),
                                   (sample.real_digits, sample.real_digit_confidence)):
            assert digits.shape == (6,) and digits.dtype == np.int64 and set(digits) <= set(range(10))
            assert confidence.shape == (6,) and confidence.dtype == np.float32
            assert np.all((confidence >= 0.1) & (confidence <= 1.0))  # a top probability of ten
        assert np.count_nonzero(sample.real_digits == sample.labels) >= 5, "the examiner reads real digits"
        client.reset(seed=9)
        fresh = wait_for(lambda: (s := client.poll()).generation == snap.generation + 1 and s)
        assert fresh.quality is not None and fresh.quality.step == 0
    finally:
        client.close()


def test_without_an_examiner_samples_carry_no_readings(small_mnist_npz, monkeypatch, caplog):
    from counterfeit_game import quality

    def broken():
        raise quality.ExaminerError("assets/examiner/examiner.weights.h5: the examiner's weights are missing")

    monkeypatch.setattr(quality.Examiner, "load_bundled", staticmethod(broken))
    caplog.set_level(logging.WARNING, logger="counterfeit_game.trainer")
    client = started(small_mnist_npz, quality_interval=4)
    try:
        for _ in range(2):
            request = client.request_sample(3)
            sample = wait_for(lambda: (client.poll(), client.take_sample(request))[1])
            assert sample.bills.fake.shape == (3, 28, 28) and sample.labels.shape == (3,)
            for empty in (sample.fake_digits, sample.fake_digit_confidence,
                          sample.real_digits, sample.real_digit_confidence):
                assert empty.shape == (0,)
        for _ in range(4):
            client.step_once()
        snap = wait_for(lambda: (s := client.poll()).step == 4 and s)
        assert snap.quality is None and snap.status == "paused"
        warnings = [r for r in caplog.records if "examiner is off" in r.getMessage()]
        assert len(warnings) == 1 and "weights are missing" in warnings[0].getMessage()
    finally:
        client.close()


def test_reports_are_skipped_while_they_would_cost_more_than_their_share():
    import queue
    import time

    from counterfeit_game.trainer import TrainerCore

    core = TrainerCore(queue.Queue(), queue.Queue(), quality_interval=250)
    assert core._quality_affordable(), "the first report is always affordable"
    core._quality_cost = 0.4  # a report on a busy machine
    core._quality_finished_at = time.perf_counter() - 4.0  # 250 steps at about 60 steps/s
    assert not core._quality_affordable()
    core._quality_finished_at = time.perf_counter() - 8.0  # the next interval point
    assert core._quality_affordable()
    assert core.QUALITY_MAX_SHARE == 0.05
