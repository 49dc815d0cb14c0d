"""The engine's science: each phase moves exactly its own network, losses match a hand computation,
and a seed fixes the run."""

from __future__ import annotations

import numpy as np
import pytest

from counterfeit_game.data import scale_images
from counterfeit_game.hyperparams import GanConfig


@pytest.fixture(scope="module")
def gan():
    from counterfeit_game.gan import CounterfeitGAN

    return CounterfeitGAN(GanConfig(seed=3))


@pytest.fixture(scope="module")
def real(mnist):
    return scale_images(mnist.x_train[:8])


def values(variables):
    return [np.array(v.numpy(), copy=True) for v in variables]


def changed(before, variables):
    return [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables)]


def noise(n, seed):
    return np.random.default_rng(seed).normal(size=(n, 100)).astype(np.float32)


# -- numpy re-implementations of the two networks, for hand computation ------------------------
def leaky(x):
    return np.where(x >= 0, x, 0.2 * x)


def police_np(weights, images):
    """Flatten -> 512 -> 256 (LeakyReLU 0.2) -> 1 sigmoid, from the raw weight arrays."""
    w1, b1, w2, b2, w3, b3 = weights
    x = images.reshape(len(images), -1).astype(np.float64)
    x = leaky(x @ w1 + b1)
    x = leaky(x @ w2 + b2)
    return (1 / (1 + np.exp(-(x @ w3 + b3)))).ravel()


def counterfeiter_np(layers, z, training):
    """Dense/LeakyReLU/BatchNorm x3 -> 784 tanh; BN uses batch statistics when training."""
    x = z.astype(np.float64)
    for dense, (gamma, beta, moving_mean, moving_var) in layers[:-1]:
        x = leaky(x @ dense[0] + dense[1])
        if training:
            mean, var = x.mean(axis=0), x.var(axis=0)
        else:
            mean, var = moving_mean, moving_var
        x = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    dense = layers[-1]
    return np.tanh(x @ dense[0] + dense[1]).reshape(len(z), 28, 28, 1)


def generator_layers(generator):
    from keras import layers as kl

    dense = [l for l in generator.layers if isinstance(l, kl.Dense)]
    norms = [l for l in generator.layers if isinstance(l, kl.BatchNormalization)]
    pairs = [([w.numpy() for w in d.weights], [w.numpy() for w in n.weights]) for d, n in zip(dense, norms)]
    return pairs + [[w.numpy() for w in dense[-1].weights]]


def bce(labels, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(-(labels * np.log(p) + (1 - labels) * np.log(1 - p))))


# -- which weights each phase moves ----------------------------------------------------------
def test_phase1_moves_only_the_police(gan, real):
    g_before, d_before = values(gan.generator.variables), values(gan.discriminator.trainable_weights)
    gan.police_phase(real, noise(8, 1))
    assert all(changed(d_before, gan.discriminator.trainable_weights)), "every police weight learns"
    assert not any(changed(g_before, gan.generator.variables)), "the counterfeiter is untouched"


def test_phase2_moves_only_the_counterfeiter(gan):
    d_before = values(gan.discriminator.variables)
    g_before = values(gan.generator.trainable_weights)
    gan.counterfeiter_phase(noise(8, 2))
    assert all(changed(g_before, gan.generator.trainable_weights)), "every counterfeiter weight learns"
    assert not any(changed(d_before, gan.discriminator.variables)), "the police are frozen"


def test_trainable_flag_cannot_freeze_or_unfreeze_a_phase(gan, real):
    """The Keras 3 trap: flipping `trainable` after compiling. Here it changes nothing."""
    gan.discriminator.trainable = False
    gan.generator.trainable = False
    try:
        d_before = values(gan.discriminator.trainable_weights or gan.d_weights)
        g_before = values(gan.g_weights)
        gan.train_steps(real, 1)
        assert all(changed(d_before, gan.d_weights))
        assert all(changed(g_before, gan.g_weights))
    finally:
        gan.discriminator.trainable = True
        gan.generator.trainable = True


def test_optimizers_hold_only_their_own_network(gan):
    d_ids = {id(v) for v in gan.discriminator.trainable_weights}
    g_ids = {id(v) for v in gan.generator.trainable_weights}
    assert {id(v) for v in gan.d_weights} == d_ids
    assert {id(v) for v in gan.g_weights} == g_ids
    assert d_ids.isdisjoint(g_ids)


# -- losses by hand -----------------------------------------------------------------------------
def test_phase1_scores_and_losses_match_hand_computation(gan, real):
    z = noise(4, 5)
    d_weights = [w.numpy() for w in gan.discriminator.weights]
    fake_by_hand = counterfeiter_np(generator_layers(gan.generator), z, training=False)
    real_scores_by_hand = police_np(d_weights, real[:4])

    out = gan.police_phase(real[:4], z)
    fake = np.asarray(out["fake"])
    np.testing.assert_allclose(fake, fake_by_hand, atol=2e-5)
    np.testing.assert_allclose(np.asarray(out["real_scores"]), real_scores_by_hand, rtol=1e-4, atol=1e-6)
    fake_scores = np.asarray(out["fake_scores"])
    expected_loss = 0.5 * (bce(1.0, real_scores_by_hand) + bce(0.0, fake_scores))
    assert float(out["d_loss"]) == pytest.approx(expected_loss, rel=1e-4, abs=1e-6)
    expected_acc = 0.5 * (np.mean(real_scores_by_hand > 0.5) + np.mean(fake_scores < 0.5))
    assert float(out["d_acc"]) == pytest.approx(expected_acc)


def test_phase2_loss_matches_hand_computation(gan):
    z = noise(4, 6)
    d_weights = [w.numpy() for w in gan.discriminator.weights]
    fake = counterfeiter_np(generator_layers(gan.generator), z, training=True)
    expected = bce(1.0, police_np(d_weights, fake))
    out = gan.counterfeiter_phase(z)
    assert float(out["g_loss"]) == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_step_reports_the_police_verdict_on_that_steps_bills(gan, real):
    out = gan.train_steps(real, 2)
    assert out["fake"].shape == (8, 28, 28, 1) and out["real_scores"].shape == (8,)
    assert np.all((out["fake_scores"] >= 0) & (out["fake_scores"] <= 1))
    assert out["fake"].min() >= -1 and out["fake"].max() <= 1


# -- determinism --------------------------------------------------------------------------------
def first_losses(seed, real, steps=3):
    from counterfeit_game.gan import CounterfeitGAN

    model = CounterfeitGAN(GanConfig(seed=seed))
    rows = []
    for step in range(1, steps + 1):
        out = model.train_steps(real, step)
        rows.append([float(out[k]) for k in ("d_loss", "d_acc", "g_loss")])
    return np.array(rows)


def test_same_seed_same_first_steps_and_chunks_agree(real):
    from counterfeit_game.gan import CounterfeitGAN

    a = first_losses(11, real)
    b = first_losses(11, real)
    np.testing.assert_array_equal(a, b)
    c = first_losses(12, real)
    assert not np.allclose(a, c)
    chunked = CounterfeitGAN(GanConfig(seed=11)).train_many(np.stack([real] * 3), 1)["losses"]
    np.testing.assert_allclose(chunked, a, rtol=1e-4, atol=1e-5)


def test_reinitialize_gives_the_same_networks_as_a_fresh_seed(gan, real):
    from counterfeit_game.gan import CounterfeitGAN

    gan.reinitialize(21)
    fresh = CounterfeitGAN(GanConfig(seed=21))
    for mine, theirs in zip(gan.generator.variables + gan.discriminator.variables,
                            fresh.generator.variables + fresh.discriminator.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert int(gan.d_optimizer.iterations.numpy()) == 0
    np.testing.assert_allclose(gan.train_steps(real, 1)["d_loss"], fresh.train_steps(real, 1)["d_loss"], rtol=1e-5)
