"""MNIST from the bundled files, a Keras-layout ``mnist.npz``, an IDX folder, or Keras's cache.

Every problem with a file becomes a DataError whose message names the file and says what is wrong
in one line; the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from counterfeit_game.assets import asset_path
from counterfeit_game.errors import DataError, read_bytes

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
IMAGE_SIDE = 28
GZIP_MAGIC = b"\x1f\x8b"

BUNDLED_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
# Stems we accept in a user's IDX folder: the original names and the common "dot" variant.
IDX_STEMS = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


@dataclass(frozen=True)
class MnistData:
    """uint8 images (n, 28, 28) and uint8 labels (n,); the test split may be absent (None)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    source: str

    def describe(self) -> str:
        test = 0 if self.x_test is None else len(self.x_test)
        return f"{self.source}: {len(self.x_train):,} training and {test:,} test digits"


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 0..255 (n, 28, 28) -> float32 (n, 28, 28, 1) in [-1, 1], as the original script."""
    return (images.astype(np.float32) / 127.5 - 1.0)[..., np.newaxis]


# -- IDX ---------------------------------------------------------------------------------------
def _read_bytes(path: Path) -> bytes:
    raw = read_bytes(path, DataError)
    if raw[:2] == GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: corrupt or truncated gzip data ({exc})") from None
    if path.suffix == ".gz":
        raise DataError(f"{path}: named .gz but is not a gzip file")
    return raw


def parse_idx(raw: bytes, path: Path, expect_magic: int) -> np.ndarray:
    """Decode one IDX file of unsigned bytes, checking magic, dimensions and length."""
    kind = "images" if expect_magic == IMAGE_MAGIC else "labels"
    if len(raw) < 8:
        raise DataError(f"{path}: too short to be an IDX file ({len(raw)} bytes)")
    (magic,) = struct.unpack(">I", raw[:4])
    if magic != expect_magic:
        other = {IMAGE_MAGIC: "an images file", LABEL_MAGIC: "a labels file"}.get(magic)
        found = f"it is {other}" if other else f"found magic number {magic}"
        raise DataError(
            f"{path}: wrong magic number for MNIST {kind} (expected {expect_magic}, {found})"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated IDX header")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected_dims = 3 if kind == "images" else 1
    if ndim != expected_dims or (kind == "images" and tuple(dims[1:]) != (IMAGE_SIDE, IMAGE_SIDE)):
        raise DataError(
            f"{path}: wrong shape {tuple(dims)} for MNIST {kind} "
            f"(expected {'(n, 28, 28)' if kind == 'images' else '(n,)'})"
        )
    count = int(np.prod(dims))
    body = len(raw) - header
    if body < count:
        raise DataError(f"{path}: truncated: header promises {count:,} bytes, found {body:,}")
    if body > count:
        raise DataError(f"{path}: {body - count:,} unexpected bytes after the data")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims).copy()


def read_idx(path: Path, expect_magic: int) -> np.ndarray:
    return parse_idx(_read_bytes(path), path, expect_magic)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_pair(images, labels, images_path, labels_path, split: str):
    if len(images) == 0:
        raise DataError(f"{images_path}: the {split} set is empty")
    if len(images) != len(labels):
        raise DataError(
            f"{labels_path}: {len(labels):,} labels for {len(images):,} {split} images in {images_path}"
        )
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"{labels_path}: label {int(labels.max())} outside 0-9")


def load_bundled() -> MnistData:
    folder = asset_path("mnist")
    sums_file = asset_path("mnist", "SHA256SUMS")
    expected = {}
    for line in sums_file.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            expected[name.lstrip("*")] = digest
    paths = {}
    for key, name in BUNDLED_FILES.items():
        path = folder / name
        if not path.is_file():
            raise DataError(f"{path}: bundled MNIST file is missing: reinstall counterfeit-game")
        if _sha256(path) != expected.get(name):
            raise DataError(f"{path}: checksum mismatch, the bundled file is damaged: reinstall")
        paths[key] = path
    return _load_idx_paths(paths, "bundled MNIST")


def _load_idx_paths(paths: dict[str, Path], source: str) -> MnistData:
    arrays = {
        key: read_idx(path, IMAGE_MAGIC if key.endswith("images") else LABEL_MAGIC)
        for key, path in paths.items()
    }
    _check_pair(arrays["train_images"], arrays["train_labels"],
                paths["train_images"], paths["train_labels"], "training")
    if "test_images" in arrays:
        _check_pair(arrays["test_images"], arrays["test_labels"],
                    paths["test_images"], paths["test_labels"], "test")
    return MnistData(
        arrays["train_images"], arrays["train_labels"],
        arrays.get("test_images"), arrays.get("test_labels"), source,
    )


def _find_idx(folder: Path, key: str) -> Path | None:
    for stem in IDX_STEMS[key]:
        for candidate in (folder / f"{stem}.gz", folder / stem):
            if candidate.is_file():
                return candidate
    return None


def load_idx_folder(folder: Path) -> MnistData:
    paths = {key: _find_idx(folder, key) for key in IDX_STEMS}
    for key in ("train_images", "train_labels"):
        if paths[key] is None:
            raise DataError(
                f"{folder}: no {IDX_STEMS[key][0]}[.gz] in this folder (an MNIST IDX folder needs "
                "train-images-idx3-ubyte and train-labels-idx1-ubyte, optionally t10k-*)"
            )
    if (paths["test_images"] is None) != (paths["test_labels"] is None):
        missing = "test_images" if paths["test_images"] is None else "test_labels"
        raise DataError(f"{folder}: {IDX_STEMS[missing][0]}[.gz] is missing (the test set needs both)")
    found = {key: path for key, path in paths.items() if path is not None}
    return _load_idx_paths(found, str(folder))


# -- npz ---------------------------------------------------------------------------------------
def load_npz(path: Path) -> MnistData:
    try:
        with np.load(path, allow_pickle=False) as archive:
            contents = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise DataError(f"{path}: not a readable .npz archive ({_npz_problem(exc)})") from None
    for name in ("x_train", "y_train"):
        if name not in contents:
            have = ", ".join(sorted(contents)) or "nothing"
            raise DataError(f"{path}: missing array '{name}' (Keras mnist.npz layout; found {have})")
    has_test = "x_test" in contents and "y_test" in contents
    splits = [("train", "x_train", "y_train")] + ([("test", "x_test", "y_test")] if has_test else [])
    for split, x_name, y_name in splits:
        images, labels = contents[x_name], contents[y_name]
        if images.dtype != np.uint8:
            raise DataError(f"{path}: '{x_name}' has dtype {images.dtype}, expected uint8 pixels")
        if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            raise DataError(f"{path}: '{x_name}' has shape {images.shape}, expected (n, 28, 28)")
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise DataError(
                f"{path}: '{y_name}' has shape {labels.shape} and dtype {labels.dtype}, "
                "expected (n,) integers"
            )
        if len(images) == 0:
            raise DataError(f"{path}: '{x_name}' is empty")
        if len(labels) != len(images):
            raise DataError(f"{path}: '{y_name}' has {len(labels):,} labels for {len(images):,} images")
        if labels.min() < 0 or labels.max() > 9:
            bad = int(labels.min() if labels.min() < 0 else labels.max())
            raise DataError(f"{path}: '{y_name}' has label {bad} outside 0-9")
    test = (contents["x_test"], contents["y_test"].astype(np.uint8)) if has_test else (None, None)
    return MnistData(contents["x_train"], contents["y_train"].astype(np.uint8), *test, str(path))


def _npz_problem(exc: Exception) -> str:
    """numpy calls any non-zip file "pickled data" and suggests an unsafe load: say what it is."""
    text = str(exc)
    if "pickle" in text:
        return "not a zip archive of numpy arrays"
    return text.splitlines()[0] if text else type(exc).__name__


# -- Keras -------------------------------------------------------------------------------------
def load_keras() -> MnistData:
    """Keras's own cache (~/.keras/datasets/mnist.npz), downloading it if absent."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # network down, cache corrupt, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"keras.datasets.mnist: could not load or download MNIST ({first})") from None
    return MnistData(x_train, y_train.astype(np.uint8), x_test, y_test.astype(np.uint8),
                     "keras.datasets.mnist")


def load_mnist(source: str | os.PathLike | None = "bundled") -> MnistData:
    """``"bundled"`` (default, offline), ``"keras"``, or a path to mnist.npz or an IDX folder."""
    if source is None or str(source) == "bundled":
        return load_bundled()
    if str(source) == "keras":
        return load_keras()
    path = Path(source).expanduser()
    if path.is_dir():
        return load_idx_folder(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder (expected mnist.npz or an IDX folder)")
    if path.suffix == ".npz" or _looks_like_zip(path):
        return load_npz(path)
    raise DataError(f"{path}: not an .npz file or a folder of IDX files")


def _looks_like_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def describe_source(source) -> str:
    return "bundled MNIST" if source in (None, "bundled") else str(source)


__all__ = ["MnistData", "load_mnist", "scale_images", "parse_idx", "read_idx"]
