"""The examiner's metrics: how good the counterfeits are, as numbers a person can follow.

The examiner (examiner.py) is a small CNN that reads MNIST digits at over 99% test accuracy. From
its verdicts on a batch of counterfeits we derive:

- **FED**, the Fréchet examiner distance: the Fréchet distance between Gaussians fitted to the
  examiner's penultimate-layer features (128 numbers per image) of the counterfeits and of the
  10,000 real test digits. FID with the examiner in place of Inception; lower is better, and it
  falls only when the counterfeits look like digits *and* vary like real ones.
- **score**, the 0-100 "forgery quality" meter: FED on a log scale between an untrained
  counterfeiter (0) and real digits (100); see ``fed_score``.
- **confidence**: the examiner's mean top-class probability on the counterfeits.
- **histogram**: how many counterfeits the examiner reads *confidently* (top probability at least
  ``CONFIDENT``) as each digit 0..9; bills it cannot read confidently are not counted.
- **coverage**: how many digits reach at least ``MIN_SHARE`` of all the bills in that histogram;
  the detector for mode collapse (a counterfeiter that prints only ones covers one digit).

FED is biased upwards for small batches, so compare values taken with the same n; the trainer and
`evaluate` use ``RECOMMENDED_N`` (1000) bills.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from counterfeit_game import examiner as examiner_model  # noqa: E402
from counterfeit_game.errors import UserFacingError  # noqa: E402
from counterfeit_game.snapshot import QualityReport  # noqa: E402

log = logging.getLogger(__name__)

RECOMMENDED_N = 1000  # bills per report: stable FED, well under a second on a laptop CPU
# The coverage rule. A bill is "read as d" when the examiner gives d at least CONFIDENT; a digit is
# forged when at least MIN_SHARE of the bills are read as it. At 0.9 the examiner "read" five or
# six digits in the smudges of a counterfeiter 100 steps old (a CNN is overconfident off its
# training data); at 0.95 it reads two, while real digits still cover all ten (BENCHMARKS.md).
CONFIDENT = 0.95
MIN_SHARE = 0.02

# Anchors of the 0..100 meter, measured with n = 1000 (BENCHMARKS.md, "Reference FEDs"):
FED_AT_ZERO = 400.0  # an untrained counterfeiter (about 415) scores 0
FED_AT_HUNDRED = 2.5  # 1000 real training digits (2.2 to 4.5) score 100 (or a little under)


class ExaminerError(UserFacingError):
    """The examiner's bundled weights are missing or unreadable."""


class GeneratorFileError(UserFacingError):
    """A saved counterfeiter (generator) file cannot be read or is not a 28x28 generator."""


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)), without SciPy.

    Tr((S1 S2)^(1/2)) equals the sum of the square roots of the eigenvalues of the symmetric
    matrix S1^(1/2) S2 S1^(1/2), which ``eigh`` computes stably even for singular covariances.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    values, vectors = np.linalg.eigh((s1 + s1.T) / 2)
    root1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root1 @ s2 @ root1
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    diff = mu1 - mu2
    return float(max(0.0, diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_root))


def fed_score(fed: float) -> float:
    """The meter: 100 * log(FED_AT_ZERO / fed) / log(FED_AT_ZERO / FED_AT_HUNDRED), clipped.

    A log scale because FED falls by orders of magnitude while a GAN learns; equal steps on the
    meter are equal ratios of FED (each halving of FED adds about 14 points).
    """
    if not math.isfinite(fed):
        return 0.0
    ratio = math.log(FED_AT_ZERO / max(fed, 1e-9)) / math.log(FED_AT_ZERO / FED_AT_HUNDRED)
    return float(min(100.0, max(0.0, 100.0 * ratio)))


def as_examiner_input(images) -> np.ndarray:
    """float32 (n, 28, 28, 1) in [-1, 1] from float [-1, 1] or uint8 (n, 28, 28[, 1]) images.

    Non-finite pixels (a diverging counterfeiter) become 0 rather than poisoning the statistics.
    """
    array = np.asarray(images)
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[1:] != (28, 28, 1):
        raise ValueError(f"expected images of shape (n, 28, 28[, 1]), got {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 127.5 - 1.0
    array = np.nan_to_num(array.astype(np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(array, -1.0, 1.0)


def confident_histogram(digits: np.ndarray, confidences: np.ndarray) -> np.ndarray:
    """Bills read as each digit 0..9 with at least CONFIDENT probability."""
    sure = np.asarray(confidences) >= CONFIDENT
    return np.bincount(np.asarray(digits)[sure], minlength=10)[:10]


def coverage_of(histogram, n: int) -> int:
    """Digits that make up at least MIN_SHARE of the n bills (and at least one bill)."""
    needed = max(1, math.ceil(MIN_SHARE * n - 1e-9))
    return int(np.count_nonzero(np.asarray(histogram) >= needed))


class Examiner:
    """A loaded examiner plus the real test digits' feature statistics it compares against."""

    def __init__(self, model, real_mu: np.ndarray, real_sigma: np.ndarray):
        import tensorflow as tf

        self.model = model
        self.real_mu = np.asarray(real_mu, np.float64)
        self.real_sigma = np.asarray(real_sigma, np.float64)
        two_heads = examiner_model.feature_model(model)
        # One trace for every batch size; eager calls would cost more than the network itself.
        self._forward = tf.function(
            lambda x: two_heads(x, training=False),
            input_signature=[tf.TensorSpec((None, 28, 28, 1), tf.float32)],
        )

    # -- loading --------------------------------------------------------------------------------
    _bundled: "Examiner | None" = None

    @classmethod
    def load_bundled(cls) -> "Examiner":
        """The examiner shipped in assets/examiner (loaded once per process, no network)."""
        if cls._bundled is None:
            from counterfeit_game.assets import asset_path

            try:
                folder = asset_path("examiner", must_exist=False)
            except UserFacingError as exc:
                raise ExaminerError(str(exc)) from None
            cls._bundled = cls.load(folder)
        return cls._bundled

    @classmethod
    def load(cls, folder: str | Path) -> "Examiner":
        """Weights from ``folder/examiner.weights.h5``; real statistics from the .npz beside it.

        Statistics that are missing, malformed or made for other weights (their SHA-256 is stored
        with them) are recomputed from the bundled test digits, which takes a few seconds.
        """
        folder = Path(folder)
        weights = folder / examiner_model.WEIGHTS_FILE
        if not weights.is_file():
            raise ExaminerError(
                f"{weights}: the examiner's weights are missing; reinstall counterfeit-game or "
                f"rebuild them with: python -m counterfeit_game.examiner --out {folder}"
            )
        model = examiner_model.build_examiner()
        try:
            model.load_weights(weights)
        except Exception as exc:  # h5py/Keras raise many types for a damaged file
            raise ExaminerError(
                f"{weights}: the examiner's weights are unreadable ({type(exc).__name__}); "
                f"rebuild them with: python -m counterfeit_game.examiner --out {folder}"
            ) from None
        stats = _read_stats(folder / examiner_model.STATS_FILE, examiner_model.file_sha256(weights))
        if stats is None:
            examiner = cls(model, np.zeros(examiner_model.FEATURE_DIM),
                           np.eye(examiner_model.FEATURE_DIM))
            _, _, x_test, _ = examiner_model.load_bundled_mnist()
            feats, _ = examiner.examine(x_test)
            examiner.real_mu, examiner.real_sigma = feats.mean(axis=0), np.cov(feats, rowvar=False)
            return examiner
        return cls(model, *stats)

    # -- judging --------------------------------------------------------------------------------
    def examine(self, images, batch: int = 1000) -> tuple[np.ndarray, np.ndarray]:
        """Penultimate features (n, 128) and digit probabilities (n, 10), float64."""
        x = as_examiner_input(images)
        feats, probs = [], []
        for start in range(0, len(x), batch):
            f, p = self._forward(x[start : start + batch])
            feats.append(f.numpy().astype(np.float64))
            probs.append(p.numpy().astype(np.float64))
        if not feats:
            return np.zeros((0, examiner_model.FEATURE_DIM)), np.zeros((0, 10))
        return np.concatenate(feats), np.concatenate(probs)

    def read_digit(self, images) -> tuple[np.ndarray, np.ndarray]:
        """What the examiner reads on each bill: digits (n,) int64 and their probabilities (n,)."""
        _, probs = self.examine(images)
        digits = probs.argmax(axis=1).astype(np.int64)
        return digits, probs[np.arange(len(digits)), digits].astype(np.float32)

    def fed_of_features(self, feats: np.ndarray) -> float:
        return frechet_distance(feats.mean(axis=0), np.cov(feats, rowvar=False),
                                self.real_mu, self.real_sigma)

    def metrics(self, images) -> dict:
        """fed, score, confidence, coverage, histogram (and n) as plain Python values."""
        feats, probs = self.examine(images)
        n = len(feats)
        if n < 2:
            raise ValueError("the examiner needs at least 2 bills to measure their spread")
        digits = probs.argmax(axis=1)
        confidences = probs[np.arange(n), digits]
        histogram = confident_histogram(digits, confidences)
        fed = self.fed_of_features(feats)
        return {
            "fed": fed,
            "score": fed_score(fed),
            "confidence": float(confidences.mean()),
            "coverage": coverage_of(histogram, n),
            "histogram": [int(v) for v in histogram],
            "n": n,
        }

    def report(self, images, step: int) -> QualityReport:
        """The verdict on counterfeits (float (n, 28, 28, 1) in [-1, 1]; n = RECOMMENDED_N)."""
        m = self.metrics(images)
        return QualityReport(
            step=int(step),
            fed=m["fed"],
            score=m["score"],
            confidence=m["confidence"],
            coverage=m["coverage"],
            histogram=tuple(m["histogram"]),
        )


def _read_stats(path: Path, weights_sha256: str):
    try:
        with np.load(path, allow_pickle=False) as data:
            mu, sigma = np.asarray(data["mu"], np.float64), np.asarray(data["sigma"], np.float64)
            made_for = str(data["weights_sha256"])
    except FileNotFoundError:
        log.warning("%s is missing; computing the real digits' statistics", path)
        return None
    except Exception as exc:  # damaged zip, missing key, ...
        log.warning("%s is unreadable (%s); computing the real digits' statistics", path, exc)
        return None
    dim = examiner_model.FEATURE_DIM
    if made_for != weights_sha256 or mu.shape != (dim,) or sigma.shape != (dim, dim) or not (
        np.isfinite(mu).all() and np.isfinite(sigma).all()
    ):
        log.warning("%s does not match the examiner's weights; recomputing it", path)
        return None
    return mu, sigma


# -- saved counterfeiters (for `evaluate`) -------------------------------------------------------
def load_generator(path: str | Path):
    """A saved Keras generator: noise (n, latent) -> images (n, 28, 28, 1) or (n, 784)."""
    import keras

    import zipfile

    path = Path(path)
    if path.is_dir():
        raise GeneratorFileError(f"{path}: is a folder, not a .keras file")
    if not path.is_file():
        raise GeneratorFileError(f"{path}: no such file")
    if path.suffix != ".keras":
        raise GeneratorFileError(f"{path}: expected a Keras model file ending in .keras")
    damaged = f"{path}: damaged or not a Keras model file"
    try:
        if not zipfile.is_zipfile(path):  # a .keras file is a zip; Keras's own error says "File not found"
            raise GeneratorFileError(damaged)
    except OSError as exc:
        raise GeneratorFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GeneratorFileError(f"{damaged} ({reason[:160]})") from None
    model = getattr(model, "generator", model)  # a whole saved GAN: take its counterfeiter
    try:
        inputs, outputs = model.inputs[0].shape, model.outputs[0].shape
    except (AttributeError, IndexError, TypeError, ValueError):
        raise GeneratorFileError(f"{path}: the model has no fixed input/output shape") from None
    if len(inputs) != 2 or inputs[1] is None or tuple(outputs[1:]) not in (
        (28, 28, 1),
        (28, 28),
        (784,),
    ):
        raise GeneratorFileError(
            f"{path}: not a counterfeiter: expected noise (n, latent) -> 28x28 images, "
            f"got {tuple(inputs)} -> {tuple(outputs)}"
        )
    return model


def generate(generator, n: int, seed: int = 0, batch: int = 500) -> np.ndarray:
    """n counterfeits (inference mode) from seeded standard-normal noise, (n, 28, 28, 1)."""
    latent = int(generator.inputs[0].shape[1])
    noise = np.random.default_rng(seed).standard_normal((n, latent)).astype(np.float32)
    out = [np.asarray(generator(noise[i : i + batch], training=False)) for i in range(0, n, batch)]
    return np.concatenate(out).reshape(n, 28, 28, 1).astype(np.float32)
