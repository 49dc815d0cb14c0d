"""Hyperparameters of one GAN run. TF-free so the game and config can name them before TF loads."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The network pairs architectures.py can build, named here without importing TensorFlow so the
# config and the game can validate a name before TF loads (tests/test_architectures.py keeps the
# two lists equal).
ARCHITECTURE_NAMES = ("original", "dcgan")


@dataclass(frozen=True)
class GanConfig:
    """Defaults are the classic Keras MNIST GAN's."""

    architecture: str = "original"
    latent_dim: int = 100
    batch_size: int = 32
    d_learning_rate: float = 2e-4
    g_learning_rate: float = 2e-4
    beta_1: float = 0.5
    real_label: float = 1.0  # < 1.0 is one-sided label smoothing for the police's real bills
    seed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(values: dict) -> "GanConfig":
        known = {k: values[k] for k in GanConfig.__dataclass_fields__ if k in values}
        return GanConfig(**known)


# What the game trains: the convolutional "master counterfeiter" with a fast learning rate, which
# reaches recognisable digits of all ten kinds in well under two minutes on a 2-core laptop CPU
# from scratch (benchmarks/time_to_quality.py; figures in BENCHMARKS.md). The defaults above stay
# the original article's, for `train` and for comparison.
GAME_PRESET = GanConfig(
    architecture="dcgan",
    batch_size=32,
    d_learning_rate=5e-3,
    g_learning_rate=5e-3,
    beta_1=0.5,
    real_label=1.0,
)
