"""`counterfeit-game evaluate GENERATOR.keras`: JSON for a real generator, one clear line otherwise."""

from __future__ import annotations

import argparse
import json

import pytest

from counterfeit_game.evaluate_command import add_evaluate_arguments, run_evaluate


def _run(capsys, *argv):
    args = add_evaluate_arguments(argparse.ArgumentParser()).parse_args([str(a) for a in argv])
    code = run_evaluate(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def untrained_generator(tmp_path_factory):
    import keras

    from counterfeit_game.architectures import build_pair

    keras.utils.set_random_seed(0)
    generator, _ = build_pair("original")
    path = tmp_path_factory.mktemp("gen") / "generator.keras"
    generator.save(path)
    return path


def test_prints_the_metrics_as_json(capsys, untrained_generator):
    code, out, err = _run(capsys, untrained_generator, "--n", 200, "--seed", 3)
    assert code == 0, err
    result = json.loads(out)
    assert {"fed", "confidence", "coverage", "histogram"} <= set(result)
    assert len(result["histogram"]) == 10 and result["n"] == 200 and result["seed"] == 3
    assert result["fed"] > 150 and result["coverage"] <= 1  # an untrained counterfeiter
    again = json.loads(_run(capsys, untrained_generator, "--n", 200, "--seed", 3)[1])
    assert again["fed"] == result["fed"]  # same noise seed, same verdict


def test_missing_file_is_one_line_and_exit_2(capsys, tmp_path):
    code, out, err = _run(capsys, tmp_path / "nope.keras")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "nope.keras" in err and "no such file" in err


def test_garbage_file_is_one_line_and_exit_2(capsys, tmp_path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"PK\x03\x04 this is not a model")
    code, _, err = _run(capsys, path)
    assert code == 2 and err.count("\n") == 1 and "broken.keras" in err


def test_wrong_suffix_is_refused(capsys, tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes(b"\x89HDF")
    code, _, err = _run(capsys, path)
    assert code == 2 and ".keras" in err


def test_a_model_that_is_not_a_generator_is_refused(capsys, tmp_path):
    import keras

    classifier = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                   keras.layers.Dense(10)])
    path = tmp_path / "classifier.keras"
    classifier.save(path)
    code, _, err = _run(capsys, path)
    assert code == 2 and "not a counterfeiter" in err and err.count("\n") == 1


def test_too_few_or_too_many_bills_are_refused(capsys, untrained_generator):
    from counterfeit_game.errors import UserFacingError
    from counterfeit_game.evaluate_command import MAX_N, evaluate

    for n in (3, 100_000_000_000):
        with pytest.raises(SystemExit) as info:
            _run(capsys, untrained_generator, "--n", n)
        err = capsys.readouterr().err
        assert info.value.code == 2 and "argument --n" in err and "Traceback" not in err
    with pytest.raises(UserFacingError, match="at most 100000"):  # the function refuses it too
        evaluate(untrained_generator, n=MAX_N + 1)


def test_the_histogram_counts_confident_reads_and_says_so(capsys, tmp_path):
    import keras
    import numpy as np

    from counterfeit_game import quality
    from counterfeit_game.data import load_mnist
    from counterfeit_game.evaluate_command import CONFIDENT_READ, DESCRIPTION

    # A counterfeiter that prints stored bills: the largest of 200 noise numbers picks one of 100
    # real test digits or 100 blank bills, so some bills are read surely and some are not.
    table = np.concatenate([load_mnist("bundled").x_test[:100].astype(np.float32) / 127.5 - 1.0,
                            np.zeros((100, 28, 28), np.float32)]).reshape(200, 784)
    picker = keras.Sequential([keras.Input((200,)), keras.layers.Dense(200, use_bias=False),
                               keras.layers.Softmax(), keras.layers.Dense(784, use_bias=False),
                               keras.layers.Reshape((28, 28, 1))])
    picker.layers[0].set_weights([1000 * np.eye(200, dtype=np.float32)])
    picker.layers[2].set_weights([table])
    path = tmp_path / "picker.keras"
    picker.save(path)
    _, probs = quality.Examiner.load_bundled().examine(quality.generate(picker, 300, seed=0))
    sure = int((probs.max(axis=1) >= quality.CONFIDENT).sum())

    code, out, err = _run(capsys, path, "--n", 300)
    assert code == 0, err
    result = json.loads(out)
    assert result["read"] == sum(result["histogram"]) == sure and 50 < sure < 250
    assert result["read_threshold"] == CONFIDENT_READ == quality.CONFIDENT
    assert f"at least {quality.CONFIDENT} confidence" in DESCRIPTION and "sums to read, at most n" in DESCRIPTION
