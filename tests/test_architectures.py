from counterfeit_game.hyperparams import ARCHITECTURE_NAMES, GanConfig


def test_tf_free_names_match_the_builders():
    from counterfeit_game.architectures import ARCHITECTURES

    assert set(ARCHITECTURE_NAMES) == set(ARCHITECTURES)
    assert GanConfig().architecture == "original" in ARCHITECTURE_NAMES


def test_original_pair_has_the_classic_shapes():
    from counterfeit_game.architectures import build_pair

    generator, discriminator = build_pair("original")
    dense_units = [layer.units for layer in generator.layers if hasattr(layer, "units")]
    assert dense_units == [256, 512, 1024, 784]
    assert generator.output_shape == (None, 28, 28, 1)
    assert [layer.units for layer in discriminator.layers if hasattr(layer, "units")] == [512, 256, 1]
    norms = [layer for layer in generator.layers if layer.__class__.__name__ == "BatchNormalization"]
    assert len(norms) == 3 and all(abs(n.momentum - 0.8) < 1e-9 for n in norms)
    assert generator.count_params() == 1_493_520
