"""Network builders, selectable by name. The "original" pair is the classic Keras MNIST GAN; the
"dcgan" pair is the convolutional "master counterfeiter" the game uses (hyperparams.GAME_PRESET)."""

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


def dcgan_generator(latent_dim: int = LATENT_DIM, width: int = 16) -> keras.Model:
    """Dense -> 7x7x(2 width) -> transposed conv to 14x14xwidth -> transposed conv to 28x28x1 tanh.

    Convolutions share their weights across the page, so a stroke learnt in one place is drawn
    everywhere: fewer bills are needed to learn digits, and the pair stays stable at the fast
    learning rate the game uses, where the dense original collapses (BENCHMARKS.md). Narrow on
    purpose (about 170k weights): a laptop CPU trains it at about the original's pace per bill.
    Batch norm momentum 0.8, as the original, so the bills printed in inference mode (what the
    police and the visitors see) follow the counterfeiter closely while it learns fast.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 2 * width, use_bias=False),
            layers.BatchNormalization(momentum=0.8),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, 2 * width)),
            layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(momentum=0.8),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ],
        name="counterfeiter",
    )


def dcgan_discriminator(width: int = 16) -> keras.Model:
    """Two strided convolutions (LeakyReLU 0.2) -> 1 sigmoid: a small, sharp-eyed police force."""
    return keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Conv2D(width, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(2 * width, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="police",
    )


# name -> (generator builder(latent_dim), discriminator builder())
ARCHITECTURES = {
    "original": (original_generator, original_discriminator),
    "dcgan": (dcgan_generator, dcgan_discriminator),
}

# Architectures whose training step is XLA-compiled. XLA on CPU fuses dense layers into fast code
# but compiles convolutions and their gradients into slow loops: the DCGAN step measured about 10x
# slower under XLA than with TensorFlow's own (oneDNN) kernels, the original 1.7x faster.
XLA_ARCHITECTURES = frozenset({"original"})


def uses_xla(name: str) -> bool:
    return name in XLA_ARCHITECTURES


def build_pair(name: str, latent_dim: int = LATENT_DIM) -> tuple[keras.Model, keras.Model]:
    try:
        make_generator, make_discriminator = ARCHITECTURES[name]
    except KeyError:
        raise ValueError(
            f"unknown architecture {name!r}; choose one of: {', '.join(sorted(ARCHITECTURES))}"
        ) from None
    return make_generator(latent_dim), make_discriminator()
