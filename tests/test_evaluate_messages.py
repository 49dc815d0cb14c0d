"""`evaluate` says what is wrong with the file it was given, with the same prefix as every command."""

from __future__ import annotations

import zipfile

import pytest

from counterfeit_game import cli


def evaluate(capsys, path):
    code = cli.main(["evaluate", str(path)])
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("counterfeit-game: ")
    return code, err


@pytest.fixture(scope="module")
def saved_generator(tmp_path_factory):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(784)])
    path = tmp_path_factory.mktemp("gen") / "generator.keras"
    model.save(path)
    return path


def test_truncated_model_is_called_damaged_not_missing(capsys, tmp_path, saved_generator):
    data = saved_generator.read_bytes()
    truncated = tmp_path / "trunc.keras"
    truncated.write_bytes(data[: len(data) // 2])
    code, err = evaluate(capsys, truncated)
    assert code == 2 and "trunc.keras: damaged or not a Keras model file" in err
    assert "not found" not in err.lower()


def test_a_zip_that_is_not_a_model_is_damaged(capsys, tmp_path):
    path = tmp_path / "other.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    code, err = evaluate(capsys, path)
    assert code == 2 and "other.keras: damaged or not a Keras model file" in err


def test_a_folder_is_named_as_a_folder(capsys, tmp_path):
    folder = tmp_path / "model.keras"
    folder.mkdir()
    code, err = evaluate(capsys, folder)
    assert code == 2 and "model.keras: is a folder, not a .keras file" in err


def test_a_real_generator_still_loads(saved_generator):
    from counterfeit_game.quality import load_generator

    assert tuple(load_generator(saved_generator).outputs[0].shape[1:]) == (784,)


def test_a_lambda_layer_is_named_in_a_whole_sentence(capsys, tmp_path):
    import keras

    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(784),
                              keras.layers.Lambda(lambda x: 2 * x), keras.layers.Reshape((28, 28, 1))])
    path = tmp_path / "lambda.keras"
    model.save(path)
    code, err = evaluate(capsys, path)
    assert code == 2
    assert err == (f"counterfeit-game: {path}: not a counterfeiter saved by this program: its Lambda layer "
                   "'lambda' holds Python code, which evaluate never runs\n")


def test_a_custom_layer_is_named_in_a_whole_sentence(capsys, tmp_path):
    import keras

    class Doubling(keras.layers.Layer):  # not registered: only this code could rebuild it
        def call(self, x):
            return 2 * x

    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(784), Doubling(name="twice"),
                              keras.layers.Reshape((28, 28, 1))])
    path = tmp_path / "custom.keras"
    model.save(path)
    code, err = evaluate(capsys, path)
    assert code == 2
    assert err == (f"counterfeit-game: {path}: not a counterfeiter saved by this program: it uses the "
                   "custom class 'Doubling' (layer 'twice'), which only the code that defined it can load\n")
