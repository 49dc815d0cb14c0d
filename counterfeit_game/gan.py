"""The GAN as a keras.Model subclass with one fused, XLA-compiled training step.

Why explicit gradients instead of the classic ``discriminator.trainable = False`` + stacked model:
under Keras 3 the trainable flag is read when a model is compiled, so toggling it after compiling
silently freezes (or fails to freeze) a network. Here each phase asks for gradients of exactly one
network's ``trainable_weights`` and applies them with that network's own optimizer, so the other
network cannot move. tests/test_gan.py checks this weight by weight.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import ops  # noqa: E402

from counterfeit_game.architectures import build_pair, uses_xla  # noqa: E402
from counterfeit_game.hyperparams import GanConfig  # noqa: E402


def _binary_accuracy(labels, scores):
    return ops.mean(ops.cast(ops.equal(labels > 0.5, scores > 0.5), "float32"))


class CounterfeitGAN(keras.Model):
    """Counterfeiter (generator) and police (discriminator), trained in two phases per step.

    Phase 1, the police learn: one Adam update on a batch of real bills (label 1), then one on a
    batch of fakes (label 0), exactly as the original script's two ``train_on_batch`` calls; the
    fakes are printed in inference mode, as ``generator.predict`` did. Phase 2, the counterfeiter
    learns: fresh noise, fakes printed in training mode, judged by the police, and only the
    generator's weights are updated towards the label "real".
    """

    def __init__(self, config: GanConfig = GanConfig(), **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.latent_dim = config.latent_dim
        keras.utils.set_random_seed(config.seed)
        self.generator, self.discriminator = build_pair(config.architecture, config.latent_dim)
        self.bce = keras.losses.BinaryCrossentropy()
        self.d_optimizer = keras.optimizers.Adam(config.d_learning_rate, beta_1=config.beta_1)
        self.g_optimizer = keras.optimizers.Adam(config.g_learning_rate, beta_1=config.beta_1)
        # Each phase's weight list is fixed here, once: flipping a ``trainable`` flag later cannot
        # silently stop (or start) either network learning.
        self.d_weights = list(self.discriminator.trainable_weights)
        self.g_weights = list(self.generator.trainable_weights)
        self.d_optimizer.build(self.d_weights)
        self.g_optimizer.build(self.g_weights)
        jit = uses_xla(config.architecture)  # XLA helps dense nets, slows convolutions on CPU
        self._compiled_step = tf.function(self._one_step, jit_compile=jit, reduce_retracing=True)
        self._compiled_many = tf.function(self._many_steps, jit_compile=jit, reduce_retracing=True)
        # Rarely called: plain graphs, which trace in a fraction of an XLA compile's time.
        self._compiled_print = tf.function(self._print_and_judge, reduce_retracing=True)
        self._compiled_measure = tf.function(self.measure_phase, reduce_retracing=True)
        self._initial_optimizer_state = [
            v.numpy() for v in self.d_optimizer.variables + self.g_optimizer.variables
        ]

    # -- Keras plumbing -------------------------------------------------------------------------
    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def compile(self, **kwargs):  # optimizers and loss are fixed by GanConfig
        super().compile(**kwargs)

    def train_step(self, data):
        """For ``model.fit(real_images)``; the game and `train` use ``train_steps``."""
        real = data[0] if isinstance(data, tuple) else data
        step = ops.cast(self.g_optimizer.iterations, "int32") + 1
        out = self._one_step(real, step, ops.convert_to_tensor(self.config.seed, "int32"))
        return {"d_loss": out["d_loss"], "d_acc": out["d_acc"], "g_loss": out["g_loss"]}

    # -- the two phases -------------------------------------------------------------------------
    def sample_noise(self, n, seed, step, phase):
        """Latent noise for one phase of one step, a pure function of (run seed, step, phase).

        Stateless on purpose: a resumed run draws exactly the noise an uninterrupted one would,
        and a checkpoint needs no random-generator state. keras.random.normal only takes an int or
        a SeedGenerator as seed, not a key computed in the graph from the step, so this calls the
        stateless op that keras.random.normal wraps on the TensorFlow backend.
        """
        key = tf.stack([tf.cast(seed, tf.int32), tf.cast(2 * step + phase, tf.int32)])
        return tf.random.stateless_normal((n, self.latent_dim), seed=key, dtype=tf.float32)

    def police_phase(self, real, noise):
        """Phase 1. Returns losses, accuracy and the police's scores for these very bills."""
        fake = self.generator(noise, training=False)
        n_real, n_fake = ops.shape(real)[0], ops.shape(fake)[0]
        real_labels = ops.full((n_real, 1), self.config.real_label, dtype="float32")
        fake_labels = ops.zeros((n_fake, 1), dtype="float32")
        weights = self.d_weights

        with tf.GradientTape() as tape:
            real_scores = self.discriminator(real, training=True)
            d_loss_real = self.bce(real_labels, real_scores)
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss_real, weights), weights))

        with tf.GradientTape() as tape:
            fake_scores = self.discriminator(fake, training=True)
            d_loss_fake = self.bce(fake_labels, fake_scores)
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss_fake, weights), weights))

        d_acc = 0.5 * (
            _binary_accuracy(ops.ones_like(real_scores), real_scores)
            + _binary_accuracy(fake_labels, fake_scores)
        )
        return {
            "d_loss": 0.5 * (d_loss_real + d_loss_fake),
            "d_acc": d_acc,
            "real_scores": ops.reshape(real_scores, (-1,)),
            "fake_scores": ops.reshape(fake_scores, (-1,)),
            "fake": fake,
        }

    def counterfeiter_phase(self, noise):
        """Phase 2: only the generator's weights move; the police are only read."""
        weights = self.g_weights
        valid = ops.ones((ops.shape(noise)[0], 1), dtype="float32")
        with tf.GradientTape() as tape:
            fake = self.generator(noise, training=True)
            scores = self.discriminator(fake, training=False)
            g_loss = self.bce(valid, scores)
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
        return {"g_loss": g_loss}

    def measure_phase(self, real, noise):
        """The losses a step would report, without learning: the "before" row of a run (step 0)."""
        fake = self.generator(noise, training=False)
        real_scores = self.discriminator(real, training=False)
        fake_scores = self.discriminator(fake, training=False)
        ones = ops.ones_like(real_scores)
        zeros = ops.zeros_like(fake_scores)
        d_loss = 0.5 * (self.bce(ones * self.config.real_label, real_scores) + self.bce(zeros, fake_scores))
        d_acc = 0.5 * (_binary_accuracy(ones, real_scores) + _binary_accuracy(zeros, fake_scores))
        return {
            "d_loss": d_loss,
            "d_acc": d_acc,
            "g_loss": self.bce(ops.ones_like(fake_scores), fake_scores),
            "real_scores": ops.reshape(real_scores, (-1,)),
            "fake_scores": ops.reshape(fake_scores, (-1,)),
            "fake": fake,
        }

    def _one_step(self, real, step, seed):
        batch = ops.shape(real)[0]
        police = self.police_phase(real, self.sample_noise(batch, seed, step, 0))
        counterfeiter = self.counterfeiter_phase(self.sample_noise(batch, seed, step, 1))
        return {**police, **counterfeiter}

    def _many_steps(self, reals, first_step, seed):
        """Several steps in one compiled call (a loop inside XLA): no per-step dispatch cost.

        Returns every step's losses and the last step's bills and scores.
        """
        count = tf.shape(reals)[0]
        batch = tf.shape(reals)[1]

        def body(index, losses, fake, real_scores, fake_scores):
            out = self._one_step(reals[index], first_step + index, seed)
            losses = losses.write(index, tf.stack([out["d_loss"], out["d_acc"], out["g_loss"]]))
            return index + 1, losses, out["fake"], out["real_scores"], out["fake_scores"]

        initial = (
            tf.constant(0),
            tf.TensorArray(tf.float32, size=count),
            tf.zeros_like(reals[0]),
            tf.zeros((batch,), tf.float32),
            tf.zeros((batch,), tf.float32),
        )
        _, losses, fake, real_scores, fake_scores = tf.while_loop(
            lambda index, *_: index < count, body, initial
        )
        last = losses.read(count - 1)
        return {
            "losses": losses.stack(),
            "d_loss": last[0],
            "d_acc": last[1],
            "g_loss": last[2],
            "fake": fake,
            "real_scores": real_scores,
            "fake_scores": fake_scores,
        }

    # -- what the trainer calls -----------------------------------------------------------------
    def train_steps(self, real_batch: np.ndarray, step: int) -> dict:
        """Training step number ``step`` (1-based) on a (batch, 28, 28, 1) float32 batch in
        [-1, 1]; numpy out."""
        out = self._compiled_step(
            tf.convert_to_tensor(real_batch, dtype=tf.float32),
            tf.constant(step, tf.int32),
            tf.constant(self.config.seed, tf.int32),
        )
        return {k: v.numpy() for k, v in out.items()}

    def measure(self, real_batch: np.ndarray, step: int = 0) -> dict:
        real = tf.convert_to_tensor(real_batch, dtype=tf.float32)
        noise = self.sample_noise(real.shape[0], self.config.seed, step, 0)
        out = self._compiled_measure(real, noise)
        return {k: v.numpy() for k, v in out.items()}

    def reinitialize(self, seed: int) -> None:
        """A new random counterfeiter and police, in place.

        In place rather than a new model: the compiled step keeps working without another XLA
        compile, and a kiosk that resets every few minutes for weeks does not pile up traced graphs.
        """
        keras.utils.set_random_seed(seed)
        fresh_generator, fresh_discriminator = build_pair(self.config.architecture, self.latent_dim)
        for target, source in ((self.generator, fresh_generator), (self.discriminator, fresh_discriminator)):
            for variable, value in zip(target.variables, source.variables):
                variable.assign(value.value)
        for variable, value in zip(
            self.d_optimizer.variables + self.g_optimizer.variables, self._initial_optimizer_state
        ):
            variable.assign(value)
        self.config = GanConfig.from_dict({**self.config.as_dict(), "seed": seed})
        del fresh_generator, fresh_discriminator

    def train_many(self, real_batches: np.ndarray, first_step: int) -> dict:
        """``len(real_batches)`` steps numbered from ``first_step`` in one call; "losses" is
        (k, 3): d_loss, d_acc, g_loss."""
        out = self._compiled_many(
            tf.convert_to_tensor(real_batches, dtype=tf.float32),
            tf.constant(first_step, tf.int32),
            tf.constant(self.config.seed, tf.int32),
        )
        return {k: v.numpy() for k, v in out.items()}

    def _print_and_judge(self, noise):
        fake = self.generator(noise, training=False)
        return fake, ops.reshape(self.discriminator(fake, training=False), (-1,))

    def print_bills(self, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Counterfeits for the given noise (inference mode) and the police's scores for them."""
        fake, scores = self._compiled_print(tf.convert_to_tensor(noise, dtype=tf.float32))
        return fake.numpy(), scores.numpy()

    def judge(self, images: np.ndarray) -> np.ndarray:
        return ops.convert_to_numpy(
            ops.reshape(self.discriminator(images, training=False), (-1,))
        )

    # -- state for checkpoints ------------------------------------------------------------------
    def state_variables(self) -> dict[str, tf.Variable]:
        """Every variable a checkpoint must hold, under a stable name.

        Names are positional (network, index): Keras's own paths carry per-process unique suffixes
        (dense_12, adam_4) that differ between runs; shapes are checked on load.
        """
        named = {}
        for prefix, variables in (
            ("generator", self.generator.variables),
            ("discriminator", self.discriminator.variables),
            ("d_optimizer", self.d_optimizer.variables),
            ("g_optimizer", self.g_optimizer.variables),
        ):
            for index, variable in enumerate(variables):
                named[f"{prefix}/{index:03d}"] = variable
        return named
