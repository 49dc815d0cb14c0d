"""The named settings the game and `train` pick from: game_config, the presets, quality intervals."""

from __future__ import annotations

import pytest

from counterfeit_game.hyperparams import (
    GAME_ARCHITECTURES,
    GAME_PRESET,
    GanConfig,
    game_config,
    game_quality_interval,
    preset_of,
)


def test_game_config_maps_names_to_the_preset_and_the_article():
    assert game_config() == GAME_PRESET
    assert game_config("dcgan") == GAME_PRESET
    original = game_config("original")
    assert original == GanConfig(architecture="original")
    assert original.d_learning_rate == original.g_learning_rate == 2e-4
    assert GAME_PRESET.d_learning_rate == GAME_PRESET.g_learning_rate == 5e-3


def test_game_config_seed_changes_only_the_seed():
    seeded = game_config("dcgan", seed=7)
    assert seeded.seed == 7
    assert GanConfig.from_dict({**seeded.as_dict(), "seed": GAME_PRESET.seed}) == GAME_PRESET
    assert game_config("original", 3) == GanConfig(seed=3)
    assert game_config("dcgan", None).seed == GAME_PRESET.seed


def test_unknown_game_architecture_names_the_allowed_ones():
    with pytest.raises(ValueError) as info:
        game_config("resnet")
    assert "'resnet'" in str(info.value)
    assert all(name in str(info.value) for name in GAME_ARCHITECTURES)


def test_presets_are_recognised_from_a_saved_config():
    assert preset_of(GAME_PRESET) == "game"
    assert preset_of(GanConfig()) == "original"
    assert preset_of(GanConfig(architecture="dcgan")) == "original"  # dcgan at the article's rate
    assert preset_of(GanConfig(architecture="original", d_learning_rate=5e-3, g_learning_rate=5e-3)) is None
    assert preset_of(GanConfig(d_learning_rate=1e-3)) is None


def test_quality_interval_for_each_pair():
    assert game_quality_interval("dcgan") == 250
    assert game_quality_interval("original") == 500
    assert game_quality_interval("something else") == 500
