"""The scripted stand-in speaks the trainer's new words too: quality reports, readings, difficulty."""

from __future__ import annotations

import numpy as np
import pytest

from counterfeit_game.game.scripted_client import ScriptedClient
from counterfeit_game.quality import coverage_of


def client(**options):
    made = ScriptedClient(auto=False, **options)
    made.start()
    return made


def test_quality_reports_improve_over_the_fake_run():
    c = client(quality_interval=250)
    reports = [c.poll().quality]
    for _ in range(12):
        c.advance(250)
        reports.append(c.poll().quality)
    assert [r.step for r in reports] == list(range(0, 3001, 250))
    assert reports[0].score == 0 and reports[0].coverage == 0
    scores = [r.score for r in reports]
    assert scores[-1] > 40 and scores[4] < scores[8] < scores[12]
    coverages = [r.coverage for r in reports]
    assert coverages[1] >= 2 and coverages == sorted(coverages) and coverages[-1] == 10
    for r in reports:
        assert len(r.histogram) == 10 and coverage_of(r.histogram, 1000) == r.coverage
    assert reports[-1].fed < reports[1].fed < reports[0].fed
    c.advance(100)
    assert c.poll().quality.step == 3000, "between reports the last one stays"
    c.reset()
    assert c.poll().quality.step == 0


def test_no_reports_when_asked_for_none():
    c = client(quality_interval=0)
    c.advance(600)
    assert c.poll().quality is None


def test_samples_carry_readings_and_follow_the_difficulty():
    c = client()
    c.advance(1500)
    rid = c.request_sample(40)
    sample = c.take_sample(rid)
    assert sample.fake_step == 1500 and sample.labels.shape == (40,)
    for digits, confidence in ((sample.fake_digits, sample.fake_digit_confidence),
                               (sample.real_digits, sample.real_digit_confidence)):
        assert digits.shape == (40,) and digits.dtype == np.int64 and set(digits) <= set(range(10))
        assert confidence.dtype == np.float32 and np.all((confidence > 0) & (confidence <= 1))
    assert np.array_equal(sample.real_digits, sample.labels)
    young = c.take_sample(c.request_sample(40, fake_age=1 / 3))
    assert young.fake_step == 500
    assert young.fake_digit_confidence.mean() < sample.fake_digit_confidence.mean()
    picky = c.take_sample(c.request_sample(40, best_of=3))
    assert picky.bills.fake_scores.mean() > sample.bills.fake_scores.mean()
    assert c.sample_options == [(40, 1.0, 1), (40, 1 / 3, 1), (40, 1.0, 3)]


@pytest.mark.parametrize("fake_age,best_of", [(0.0, 1), (1.2, 1), (0.5, 0)])
def test_bad_difficulty_is_refused_as_the_real_client_does(fake_age, best_of):
    with pytest.raises(ValueError):
        client().request_sample(4, fake_age=fake_age, best_of=best_of)
