"""The game's fast preset: the DCGAN pair, its compile mode, and a short real training run."""

from __future__ import annotations

import numpy as np

from counterfeit_game.hyperparams import ARCHITECTURE_NAMES, GAME_PRESET, GanConfig


def test_defaults_stay_the_original_and_the_game_uses_the_dcgan():
    assert GanConfig().architecture == "original"
    assert GanConfig().d_learning_rate == GanConfig().g_learning_rate == 2e-4
    assert GAME_PRESET.architecture == "dcgan" in ARCHITECTURE_NAMES
    assert GanConfig.from_dict(GAME_PRESET.as_dict()) == GAME_PRESET


def test_dcgan_pair_shapes():
    from counterfeit_game.architectures import build_pair, uses_xla

    generator, discriminator = build_pair("dcgan")
    assert generator.output_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    assert generator.count_params() < 250_000 and discriminator.count_params() < 50_000
    assert generator.layers[-1].activation.__name__ == "tanh"
    assert uses_xla("original") and not uses_xla("dcgan")


def test_preset_trains_both_networks_from_scratch(mnist):
    from counterfeit_game.trainer import TrainingRun

    run = TrainingRun(GAME_PRESET, mnist)
    before_g = [w.numpy().copy() for w in run.gan.generator.trainable_weights]
    before_d = [w.numpy().copy() for w in run.gan.discriminator.trainable_weights]
    run.train_chunk(8)
    run.train_step()
    assert run.step == 9
    history = run.history.view()
    assert np.all(np.isfinite(history.d_loss)) and np.all(np.isfinite(history.g_loss))
    assert all(not np.array_equal(b, w.numpy())
               for b, w in zip(before_g, run.gan.generator.trainable_weights))
    assert all(not np.array_equal(b, w.numpy())
               for b, w in zip(before_d, run.gan.discriminator.trainable_weights))
    images = run.generator_images(16, seed=1)
    assert images.shape == (16, 28, 28, 1) and np.all(np.abs(images) <= 1.0)
