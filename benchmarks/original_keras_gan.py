"""The original article's training loop (the classic Keras MNIST GAN), kept as the baseline.

Faithful to the script: a compiled discriminator, a stacked "combined" model (z -> generator ->
frozen discriminator) compiled for the generator, ``generator.predict`` for the fakes, two
``train_on_batch`` calls for the police and one for the counterfeiter. Under Keras 3 the
``trainable`` flag is read when a train function is first traced, so this loop toggles it before
each phase, as the script's comment asks, and makes each model's first call in the right state.
Only the benchmarks import this; the game's engine is counterfeit_game/gan.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from counterfeit_game.architectures import LATENT_DIM, original_discriminator, original_generator  # noqa: E402


class OriginalKerasGAN:
    def __init__(self, seed: int = 0, batch_size: int = 32):
        keras.utils.set_random_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.batch_size = batch_size
        self.discriminator = original_discriminator()
        self.discriminator.compile(
            loss="binary_crossentropy",
            optimizer=keras.optimizers.Adam(0.0002, 0.5),
            metrics=["accuracy"],
        )
        self.generator = original_generator()
        z = keras.Input(shape=(LATENT_DIM,))
        validity = self.discriminator(self.generator(z))
        self.combined = keras.Model(z, validity)
        # "For the combined model we will only train the generator"
        self.discriminator.trainable = False
        self.combined.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.0002, 0.5))
        self.valid = np.ones((batch_size, 1), np.float32)
        self.fake = np.zeros((batch_size, 1), np.float32)

    def train_step(self, real_batch: np.ndarray) -> tuple[float, float, float]:
        """One step of the original loop; returns (d_loss, d_acc, g_loss) as it prints them."""
        noise = self.rng.normal(0, 1, (self.batch_size, LATENT_DIM)).astype(np.float32)
        gen_imgs = self.generator.predict(noise, verbose=0)
        self.discriminator.trainable = True
        d_loss_real = self.discriminator.train_on_batch(real_batch, self.valid)
        d_loss_fake = self.discriminator.train_on_batch(gen_imgs, self.fake)
        d_loss = 0.5 * np.add(d_loss_real, d_loss_fake)
        self.discriminator.trainable = False
        noise = self.rng.normal(0, 1, (self.batch_size, LATENT_DIM)).astype(np.float32)
        g_loss = self.combined.train_on_batch(noise, self.valid)
        g_loss = float(np.ravel(g_loss)[0])
        return float(d_loss[0]), float(d_loss[1]), g_loss

    def sample_batch(self, images: np.ndarray) -> np.ndarray:
        return images[self.rng.integers(0, len(images), self.batch_size)]
