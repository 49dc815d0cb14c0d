"""Every kind of bad data file gives one clear line naming the file, and exit code 2."""

from __future__ import annotations

import gzip
import shutil
import struct

import numpy as np
import pytest

from counterfeit_game import cli, data
from counterfeit_game.data import load_mnist, scale_images


def idx_images(images: np.ndarray, magic=2051) -> bytes:
    return struct.pack(">IIII", magic, len(images), 28, 28) + images.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray, magic=2049) -> bytes:
    return struct.pack(">II", magic, len(labels)) + labels.astype(np.uint8).tobytes()


@pytest.fixture
def small(mnist):
    return mnist.x_train[:50], mnist.y_train[:50]


def write_idx_folder(folder, images, labels, gz=True, images_bytes=None, labels_bytes=None):
    folder.mkdir(parents=True, exist_ok=True)
    payloads = {
        "train-images-idx3-ubyte": images_bytes if images_bytes is not None else idx_images(images),
        "train-labels-idx1-ubyte": labels_bytes if labels_bytes is not None else idx_labels(labels),
    }
    for name, payload in payloads.items():
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(payload))
        else:
            (folder / name).write_bytes(payload)
    return folder


def run_cli_on(data_path, tmp_path, capsys):
    code = cli.main(["train", "--data", str(data_path), "--out", str(tmp_path / "run"), "--steps", "1"])
    err = capsys.readouterr().err
    return code, err


def assert_one_line(code, err, *fragments):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# -- good sources ------------------------------------------------------------------------------
def test_bundled_data_is_full_mnist(mnist):
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28)
    assert set(np.unique(mnist.y_train)) == set(range(10))


def test_scaled_images_span_minus_one_to_one(mnist):
    scaled = scale_images(mnist.x_train[:100])
    assert scaled.dtype == np.float32 and scaled.shape == (100, 28, 28, 1)
    assert scaled.min() == -1.0 and scaled.max() == 1.0


def test_npz_in_keras_layout_loads(small_mnist_npz, mnist):
    loaded = load_mnist(small_mnist_npz)
    assert np.array_equal(loaded.x_train, mnist.x_train[:2000])
    assert np.array_equal(loaded.y_test, mnist.y_test[:500])


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_loads_gz_or_raw(tmp_path, small, gz):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, labels, gz=gz)
    loaded = load_mnist(folder)
    assert np.array_equal(loaded.x_train, images) and np.array_equal(loaded.y_train, labels)
    assert loaded.x_test is None


def test_keras_source_reports_failure_in_one_line(monkeypatch):
    import keras

    def offline():
        raise OSError("network is unreachable")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(data.DataError, match="could not load or download MNIST"):
        load_mnist("keras")


# -- bad files: one line, exit code 2 --------------------------------------------------------
def test_missing_path(tmp_path, capsys):
    code, err = run_cli_on(tmp_path / "nowhere.npz", tmp_path, capsys)
    assert_one_line(code, err, "nowhere.npz", "no such file")


def test_wrong_magic_number_images_and_labels_swapped(tmp_path, small, capsys):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, labels,
                              images_bytes=idx_labels(labels), labels_bytes=idx_images(images))
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-images-idx3-ubyte.gz", "wrong magic number", "labels file")


def test_truncated_gzip(tmp_path, small, capsys):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, labels)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-200])
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-images-idx3-ubyte.gz", "gzip")


def test_truncated_data(tmp_path, small, capsys):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, labels, gz=False,
                              images_bytes=idx_images(images)[:-100])
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-images-idx3-ubyte", "truncated")


def test_trailing_bytes(tmp_path, small, capsys):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, labels, labels_bytes=idx_labels(labels) + b"xx")
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-labels-idx1-ubyte.gz", "unexpected bytes")


def test_wrong_idx_shape(tmp_path, small, capsys):
    images, labels = small
    bad = struct.pack(">IIII", 2051, 50, 28, 27) + images[:, :, :27].tobytes()
    folder = write_idx_folder(tmp_path / "idx", images, labels, images_bytes=bad)
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-images-idx3-ubyte.gz", "wrong shape")


def test_idx_labels_outside_range(tmp_path, small, capsys):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, np.where(labels == 3, 12, labels))
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-labels-idx1-ubyte.gz", "label 12 outside 0-9")


def test_idx_count_mismatch(tmp_path, small, capsys):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, labels[:40])
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-labels-idx1-ubyte.gz", "40 labels for 50")


def test_empty_idx_set(tmp_path, small, capsys):
    folder = write_idx_folder(tmp_path / "idx", small[0][:0], small[1][:0])
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-images-idx3-ubyte.gz", "empty")


def test_gz_name_but_not_gzip(tmp_path, small, capsys):
    images, labels = small
    folder = write_idx_folder(tmp_path / "idx", images, labels)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(idx_images(images))
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "train-images-idx3-ubyte.gz", "not a gzip file")


def test_idx_folder_without_training_files(tmp_path, capsys):
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    code, err = run_cli_on(folder, tmp_path, capsys)
    assert_one_line(code, err, "empty-folder", "train-images-idx3-ubyte")


def test_npz_that_is_not_a_zip(tmp_path, capsys):
    path = tmp_path / "mnist.npz"
    path.write_text("this is not an archive\n")
    code, err = run_cli_on(path, tmp_path, capsys)
    assert_one_line(code, err, "mnist.npz", "not a readable .npz")


def test_file_that_is_neither(tmp_path, capsys):
    path = tmp_path / "digits.csv"
    path.write_text("1,2,3\n")
    code, err = run_cli_on(path, tmp_path, capsys)
    assert_one_line(code, err, "digits.csv", "not an .npz file or a folder")


@pytest.mark.parametrize(
    "arrays, fragment",
    [
        ({"x_train": np.zeros((5, 28, 28), np.uint8)}, "missing array 'y_train'"),
        ({"x_train": np.zeros((5, 28, 27), np.uint8), "y_train": np.zeros(5, np.uint8)}, "shape (5, 28, 27)"),
        ({"x_train": np.zeros((5, 28, 28), np.float32), "y_train": np.zeros(5, np.uint8)}, "dtype float32"),
        ({"x_train": np.zeros((5, 28, 28), np.uint8), "y_train": np.full(5, 10, np.int64)}, "label 10 outside 0-9"),
        ({"x_train": np.zeros((5, 28, 28), np.uint8), "y_train": np.full(5, -1, np.int64)}, "label -1 outside 0-9"),
        ({"x_train": np.zeros((0, 28, 28), np.uint8), "y_train": np.zeros(0, np.uint8)}, "empty"),
        ({"x_train": np.zeros((5, 28, 28), np.uint8), "y_train": np.zeros(4, np.uint8)}, "4 labels for 5"),
        ({"x_train": np.zeros((5, 28, 28), np.uint8), "y_train": np.zeros(5, np.float32)}, "expected (n,) integers"),
    ],
)
def test_bad_npz_arrays(tmp_path, capsys, arrays, fragment):
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)
    code, err = run_cli_on(path, tmp_path, capsys)
    assert_one_line(code, err, "mnist.npz", fragment)


def test_damaged_bundled_file_fails_checksum(tmp_path, monkeypatch, capsys):
    from counterfeit_game import assets

    copy = tmp_path / "assets"
    shutil.copytree(assets.assets_root() / "mnist", copy / "mnist")
    target = copy / "mnist" / "train-labels-idx1-ubyte.gz"
    raw = bytearray(target.read_bytes())
    raw[100] ^= 0xFF
    target.write_bytes(bytes(raw))
    monkeypatch.setattr(assets, "_CANDIDATES", (copy,))
    code = cli.main(["train", "--out", str(tmp_path / "run"), "--steps", "1"])
    err = capsys.readouterr().err
    assert_one_line(code, err, "train-labels-idx1-ubyte.gz", "checksum mismatch")


def test_missing_assets_folder_is_a_clear_error(tmp_path, monkeypatch, capsys):
    from counterfeit_game import assets

    monkeypatch.setattr(assets, "_CANDIDATES", (tmp_path / "gone",))
    code = cli.main(["train", "--out", str(tmp_path / "run"), "--steps", "1"])
    assert_one_line(code, capsys.readouterr().err, "bundled assets not found")
