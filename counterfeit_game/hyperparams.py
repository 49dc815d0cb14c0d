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

# The two ways the game can train, by the name `play --architecture` and the kiosk config use.
GAME_ARCHITECTURES = ("dcgan", "original")

# How often (in steps) the game's trainer asks the examiner for a QualityReport. One report (1000
# counterfeits printed and examined) costs about 0.12 s on a 2-core laptop CPU; these intervals keep
# it under 5% of training time at each pair's speed (dcgan about 60-85 steps/s: 4%, a report every
# 3-4 s; the original about 120: 2.6%). The trainer skips a point when a busy machine makes a
# report dearer than that (BENCHMARKS.md, "The examiner in the game").
GAME_QUALITY_INTERVALS = {"dcgan": 250, "original": 500}


def game_config(architecture: str = "dcgan", seed: int | None = None) -> GanConfig:
    """What the game trains: "dcgan" is GAME_PRESET (the fast master counterfeiter), "original"
    the article's dense pair at its own settings (Adam 2e-4), slower to reach good digits."""
    if architecture == "dcgan":
        config = GAME_PRESET
    elif architecture == "original":
        config = GanConfig(architecture="original")
    else:
        raise ValueError(
            f"unknown game architecture {architecture!r}; choose one of: {', '.join(GAME_ARCHITECTURES)}"
        )
    if seed is not None:
        config = GanConfig.from_dict({**config.as_dict(), "seed": int(seed)})
    return config


def game_quality_interval(architecture: str) -> int:
    """Steps between the examiner's reports in the game for this network pair."""
    return GAME_QUALITY_INTERVALS.get(architecture, max(GAME_QUALITY_INTERVALS.values()))


# `train --preset`: named sets of hyperparameters (the seed and batch size are separate options).
TRAIN_PRESETS = {"original": GanConfig(), "game": GAME_PRESET}
_PRESET_FIELDS = ("d_learning_rate", "g_learning_rate", "beta_1", "real_label")


def preset_of(config: GanConfig) -> str | None:
    """The TRAIN_PRESETS name whose optimiser settings ``config`` has, or None (custom)."""
    for name, preset in TRAIN_PRESETS.items():
        if all(getattr(config, f) == getattr(preset, f) for f in _PRESET_FIELDS) and (
            config.architecture == preset.architecture or name == "original"
        ):
            return name
    return None
