"""The examiner: a small CNN digit classifier that judges the counterfeits (see quality.py).

It is trained by this module, seeded and reproducible, on MNIST's training set only; the test set
is kept for measuring it and for the real-digit statistics the forgery metrics compare against.
Retrain with::

    python -m counterfeit_game.examiner --out assets/examiner

which rewrites ``examiner.weights.h5`` (the weights) and ``real_test_stats.npz`` (the examiner's
penultimate-layer feature mean and covariance over the 10,000 real test digits) in that folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

WEIGHTS_FILE = "examiner.weights.h5"
STATS_FILE = "real_test_stats.npz"
FEATURES_LAYER = "features"
FEATURE_DIM = 128

# The recipe the bundled weights were made with; --help shows it, the README repeats it.
DEFAULT_SEED = 2024
DEFAULT_EPOCHS = 4
DEFAULT_BATCH = 128
DEFAULT_LEARNING_RATE = 1e-3


def build_examiner():
    """Three small conv layers, a 128-unit feature layer (the FED features), a 10-way softmax.

    Inputs are 28x28x1 in [-1, 1], the GAN's own pixel range, so counterfeits need no rescaling.
    Pooling right after the first convolution keeps it cheap (about 6 M multiply-adds a digit):
    the training worker judges 1000 bills in about a tenth of a second on a laptop CPU.
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Flatten(),
            layers.Dropout(0.25),
            layers.Dense(FEATURE_DIM, activation="relu", name=FEATURES_LAYER),
            layers.Dropout(0.4),
            layers.Dense(10, activation="softmax", name="digit"),
        ],
        name="examiner",
    )


def scale(images_uint8: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) -> float32 (n, 28, 28, 1) in [-1, 1], as the GAN sees its bills."""
    from counterfeit_game.data import scale_images

    return scale_images(np.asarray(images_uint8, np.uint8))


def load_bundled_mnist():
    """(x_train, y_train, x_test, y_test) uint8 from the bundled, checksummed MNIST files."""
    from counterfeit_game.data import load_mnist

    data = load_mnist("bundled")
    return data.x_train, data.y_train, data.x_test, data.y_test


def train_examiner(
    x_train: np.ndarray,
    y_train: np.ndarray,
    *,
    seed: int = DEFAULT_SEED,
    epochs: int = DEFAULT_EPOCHS,
    batch_size: int = DEFAULT_BATCH,
    learning_rate: float = DEFAULT_LEARNING_RATE,
    verbose: int = 0,
):
    """Train a fresh examiner on uint8 images and integer labels; same inputs, same weights.

    Reproducibility comes from one seed for Keras, NumPy and TF, our own per-epoch shuffle, and
    TensorFlow's op determinism (process-wide, which is why the retraining command runs in its
    own process).
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    model = build_examiner()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x = scale(x_train)
    y = np.asarray(y_train, np.int64)
    order_rng = np.random.default_rng(seed)
    # Halve the learning rate for the last epoch: a cheap, deterministic schedule that adds a
    # few tenths of a percent of test accuracy.
    for epoch in range(epochs):
        if epochs > 1 and epoch == epochs - 1:
            model.optimizer.learning_rate.assign(learning_rate * 0.3)
        order = order_rng.permutation(len(x))
        model.fit(x[order], y[order], batch_size=batch_size, epochs=1, shuffle=False,
                  verbose=verbose)
    return model


def feature_model(model):
    """The examiner with two outputs: penultimate features and digit probabilities."""
    import keras

    return keras.Model(model.inputs[0], [model.get_layer(FEATURES_LAYER).output, model.outputs[0]])


def features_and_probabilities(model, images: np.ndarray, batch: int = 500):
    """Features (n, 128) float64 and probabilities (n, 10) for float images in [-1, 1]."""
    two_heads = feature_model(model)
    feats, probs = [], []
    for start in range(0, len(images), batch):
        f, p = two_heads(images[start : start + batch], training=False)
        feats.append(np.asarray(f, np.float64))
        probs.append(np.asarray(p, np.float64))
    return np.concatenate(feats), np.concatenate(probs)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    with open(tmp, "rb+") as handle:
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def save_examiner(model, out_dir: Path, x_test_scaled: np.ndarray) -> dict:
    """Write the weights and the real-test feature statistics; returns the stats' summary."""
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / WEIGHTS_FILE
    # A fresh, uncompiled copy: saving the trained model would also store Adam's moments (3x size).
    bare = build_examiner()
    bare.set_weights(model.get_weights())
    # Keras insists on the .weights.h5 suffix, so the temporary file keeps it.
    tmp = out_dir / ("tmp-" + WEIGHTS_FILE)
    bare.save_weights(tmp)
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, weights_path)

    feats, _ = features_and_probabilities(model, x_test_scaled)
    mu = feats.mean(axis=0)
    sigma = np.cov(feats, rowvar=False)
    stats_path = out_dir / STATS_FILE

    def write_stats(tmp_path):
        with open(tmp_path, "wb") as handle:
            np.savez(handle, mu=mu, sigma=sigma, n=np.int64(len(feats)),
                     weights_sha256=np.str_(file_sha256(weights_path)))

    _atomic_write(stats_path, write_stats)
    return {"weights": str(weights_path), "stats": str(stats_path), "n": len(feats)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m counterfeit_game.examiner",
        description="Train the examiner (digit classifier) on MNIST's training set, "
        "report its test accuracy and write its weights and real-test feature statistics.",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the weights")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    parser.add_argument("--learning-rate", type=float, default=DEFAULT_LEARNING_RATE)
    parser.add_argument("--train-limit", type=int, default=None,
                        help="train on the first N training images only (for quick checks)")
    args = parser.parse_args(argv)

    x_train, y_train, x_test, y_test = load_bundled_mnist()
    if args.train_limit:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]
    started = time.perf_counter()
    model = train_examiner(x_train, y_train, seed=args.seed, epochs=args.epochs,
                           batch_size=args.batch_size, learning_rate=args.learning_rate,
                           verbose=2)
    seconds = time.perf_counter() - started
    x_test_scaled = scale(x_test)
    _, probs = features_and_probabilities(model, x_test_scaled)
    accuracy = float(np.mean(probs.argmax(axis=1) == y_test))
    summary = save_examiner(model, args.out, x_test_scaled)
    summary.update(
        test_accuracy=accuracy,
        train_images=int(len(x_train)),
        train_seconds=round(seconds, 1),
        seed=args.seed,
        epochs=args.epochs,
        weights_sha256=file_sha256(Path(summary["weights"])),
    )
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
