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


def test_too_few_bills_is_refused(capsys, untrained_generator):
    code, _, err = _run(capsys, untrained_generator, "--n", 3)
    assert code == 2 and "--n" in err
