"""The examiner's metrics: the Fréchet distance maths, the meter, the coverage rule, and the
bundled examiner judging real digits, noise and a collapsed counterfeiter."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from counterfeit_game import quality
from counterfeit_game.data import scale_images
from counterfeit_game.examiner import STATS_FILE, WEIGHTS_FILE
from counterfeit_game.quality import (
    CONFIDENT,
    FED_AT_HUNDRED,
    FED_AT_ZERO,
    Examiner,
    ExaminerError,
    as_examiner_input,
    confident_histogram,
    coverage_of,
    fed_score,
    frechet_distance,
)
from counterfeit_game.snapshot import QualityReport


# -- pure maths -----------------------------------------------------------------------------------
def _random_covariance(rng, dim):
    a = rng.standard_normal((dim, dim + 3))
    return a @ a.T / dim


def test_frechet_distance_of_identical_gaussians_is_zero():
    rng = np.random.default_rng(0)
    sigma = _random_covariance(rng, 6)
    mu = rng.standard_normal(6)
    assert frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_in_one_dimension():
    # N(0, 1) vs N(1, 4): (0-1)^2 + 1 + 4 - 2*sqrt(1*4) = 2
    assert frechet_distance([0.0], [[1.0]], [1.0], [[4.0]]) == pytest.approx(2.0)


def test_frechet_distance_matches_the_textbook_formula_for_non_commuting_covariances():
    rng = np.random.default_rng(1)
    s1, s2 = _random_covariance(rng, 5), _random_covariance(rng, 5)
    mu1, mu2 = rng.standard_normal(5), rng.standard_normal(5)
    # Tr((S1 S2)^(1/2)) via the eigenvalues of the (non-symmetric) product.
    trace_root = np.sqrt(np.linalg.eigvals(s1 @ s2).real.clip(0)).sum()
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_root
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(frechet_distance(mu2, s2, mu1, s1))


def test_frechet_distance_survives_singular_covariances():
    sigma = np.zeros((4, 4))
    sigma[0, 0] = 1.0
    value = frechet_distance(np.zeros(4), sigma, np.ones(4), np.eye(4))
    assert np.isfinite(value) and value > 0


def test_meter_anchors_and_log_scale():
    assert fed_score(FED_AT_ZERO) == pytest.approx(0.0)
    assert fed_score(FED_AT_HUNDRED) == pytest.approx(100.0)
    assert fed_score(10 * FED_AT_ZERO) == 0.0
    assert fed_score(FED_AT_HUNDRED / 10) == 100.0
    assert fed_score(float("nan")) == 0.0 and fed_score(float("inf")) == 0.0
    # Every halving of FED adds the same number of points.
    gains = [fed_score(f / 2) - fed_score(f) for f in (200.0, 50.0, 12.0)]
    assert max(gains) - min(gains) < 1e-9 and gains[0] > 5


def test_histogram_counts_only_confident_reads():
    digits = np.array([3, 3, 3, 7, 7, 1])
    confidences = np.array([0.99, CONFIDENT, 0.5, 0.95, 0.2, 0.97])
    assert confident_histogram(digits, confidences).tolist() == [0, 1, 0, 2, 0, 0, 0, 1, 0, 0]


def test_coverage_needs_two_percent_of_all_bills():
    histogram = [20, 19, 0, 100, 0, 0, 0, 0, 0, 1]
    assert coverage_of(histogram, 1000) == 2  # 2% of 1000 = 20 bills: digits 0 and 3
    assert coverage_of(histogram, 950) == 3  # 19 bills are 2% of 950
    assert coverage_of([1] + [0] * 9, 10) == 1  # tiny batches still need one bill


def test_examiner_input_accepts_uint8_and_cleans_non_finite_pixels():
    pixels = np.zeros((1, 28, 28), np.uint8)
    pixels[0, :, 14:] = 255
    scaled = as_examiner_input(pixels)
    assert scaled.shape == (1, 28, 28, 1) and scaled.dtype == np.float32
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    broken = np.full((2, 28, 28, 1), np.nan, np.float32)
    broken[1] = 7.0
    cleaned = as_examiner_input(broken)
    assert np.all(cleaned[0] == 0.0) and np.all(cleaned[1] == 1.0)
    with pytest.raises(ValueError):
        as_examiner_input(np.zeros((3, 32, 32), np.float32))


# -- the bundled examiner ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def examiner():
    return Examiner.load_bundled()


def test_bundled_examiner_reads_real_test_digits(examiner, mnist):
    digits, confidences = examiner.read_digit(mnist.x_test[:400])
    assert digits.dtype == np.int64 and digits.shape == (400,)
    assert confidences.shape == (400,) and np.all((confidences > 0) & (confidences <= 1))
    assert np.mean(digits == mnist.y_test[:400]) >= 0.98
    # Same answer from the GAN's float pixels as from uint8.
    again, _ = examiner.read_digit(scale_images(mnist.x_test[:50]))
    assert np.array_equal(again, digits[:50])


def test_load_bundled_is_loaded_once(examiner):
    assert Examiner.load_bundled() is examiner


def test_real_digits_score_high_and_cover_all_ten(examiner, mnist):
    report = examiner.report(scale_images(mnist.x_train[:1000]), step=42)
    assert isinstance(report, QualityReport) and report.step == 42
    assert report.fed < 6.0 and report.score > 85
    assert report.coverage == 10 and report.confidence > 0.97
    assert len(report.histogram) == 10 and sum(report.histogram) > 950


def test_noise_and_mode_collapse_score_low(examiner, mnist):
    noise = np.random.default_rng(0).uniform(-1, 1, (500, 28, 28, 1)).astype(np.float32)
    m = examiner.metrics(noise)
    assert m["fed"] > 150 and m["score"] < 15 and m["coverage"] <= 1
    ones = mnist.x_train[mnist.y_train == 1][:500]
    collapsed = examiner.metrics(ones)
    assert collapsed["coverage"] == 1 and collapsed["histogram"][1] > 450
    assert collapsed["confidence"] > 0.95  # every bill is a fine 1 ...
    assert collapsed["fed"] > 100  # ... but nothing like real digits as a whole


def test_fed_falls_as_counterfeits_approach_real_digits(examiner, mnist):
    real = scale_images(mnist.x_train[:500])
    noise = np.random.default_rng(1).uniform(-1, 1, real.shape).astype(np.float32)
    feds = [examiner.metrics(np.clip((1 - w) * noise + w * real, -1, 1))["fed"]
            for w in (0.0, 0.5, 0.8, 1.0)]
    assert feds == sorted(feds, reverse=True)


def test_bundled_statistics_belong_to_the_bundled_weights():
    from counterfeit_game.assets import asset_path
    from counterfeit_game.examiner import file_sha256

    with np.load(asset_path("examiner", STATS_FILE)) as stats:
        assert str(stats["weights_sha256"]) == file_sha256(asset_path("examiner", WEIGHTS_FILE))
        assert stats["mu"].shape == (128,) and stats["sigma"].shape == (128, 128)
        assert int(stats["n"]) == 10000


def test_missing_weights_is_a_clear_error(tmp_path):
    with pytest.raises(ExaminerError, match="missing"):
        Examiner.load(tmp_path)


def test_corrupt_weights_is_a_clear_error(tmp_path):
    (tmp_path / WEIGHTS_FILE).write_bytes(b"\x89HDF\r\n\x1a\n" + b"garbage" * 100)
    with pytest.raises(ExaminerError, match="unreadable"):
        Examiner.load(tmp_path)


def test_stale_statistics_are_recomputed(tmp_path, examiner):
    from counterfeit_game.assets import asset_path

    shutil.copy(asset_path("examiner", WEIGHTS_FILE), tmp_path / WEIGHTS_FILE)
    np.savez(tmp_path / STATS_FILE, mu=np.zeros(128), sigma=np.eye(128), n=np.int64(1),
             weights_sha256=np.str_("made for other weights"))
    reloaded = Examiner.load(tmp_path)
    assert np.allclose(reloaded.real_mu, examiner.real_mu, atol=1e-4)
    assert np.allclose(reloaded.real_sigma, examiner.real_sigma, atol=1e-3)


def test_examiner_module_imports_without_tensorflow():
    """The game may import quality.py's constants; TF must stay out until an Examiner is made."""
    import subprocess
    import sys

    code = ("import sys, counterfeit_game.quality, counterfeit_game.examiner; "
            "sys.exit(1 if 'tensorflow' in sys.modules or 'keras' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_widget_threshold_matches_the_examiner():
    from counterfeit_game.game.widgets.digit_coverage import READ_CONFIDENT

    assert READ_CONFIDENT == quality.CONFIDENT
