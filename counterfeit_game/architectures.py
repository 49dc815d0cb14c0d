"""Network builders, selectable by name. The "original" pair is the classic Keras MNIST GAN."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from keras import layers  # noqa: E402

LATENT_DIM = 100
IMAGE_SHAPE = (28, 28, 1)


def original_generator(latent_dim: int = LATENT_DIM) -> keras.Model:
    """Dense 256 -> 512 -> 1024 (LeakyReLU 0.2, BatchNorm momentum 0.8) -> 784 tanh -> 28x28x1."""
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(256),
            layers.LeakyReLU(negative_slope=0.2),
            layers.BatchNormalization(momentum=0.8),
            layers.Dense(512),
            layers.LeakyReLU(negative_slope=0.2),
            layers.BatchNormalization(momentum=0.8),
            layers.Dense(1024),
            layers.LeakyReLU(negative_slope=0.2),
            layers.BatchNormalization(momentum=0.8),
            layers.Dense(28 * 28 * 1, activation="tanh"),
            layers.Reshape(IMAGE_SHAPE),
        ],
        name="counterfeiter",
    )


def original_discriminator() -> keras.Model:
    """Flatten -> 512 -> 256 (LeakyReLU 0.2) -> 1 sigmoid: the police's probability of "real"."""
    return keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Flatten(),
            layers.Dense(512),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(256),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="police",
    )


# name -> (generator builder(latent_dim), discriminator builder())
ARCHITECTURES = {
    "original": (original_generator, original_discriminator),
}


def build_pair(name: str, latent_dim: int = LATENT_DIM) -> tuple[keras.Model, keras.Model]:
    try:
        make_generator, make_discriminator = ARCHITECTURES[name]
    except KeyError:
        raise ValueError(
            f"unknown architecture {name!r}; choose one of: {', '.join(sorted(ARCHITECTURES))}"
        ) from None
    return make_generator(latent_dim), make_discriminator()
