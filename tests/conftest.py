"""Shared test setup: headless SDL, quiet TensorFlow, and small real MNIST data."""

from __future__ import annotations

import contextlib
import os
import threading

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import time  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mnist():
    from counterfeit_game.data import load_mnist

    return load_mnist("bundled")


@pytest.fixture(scope="session")
def small_mnist_npz(tmp_path_factory, mnist):
    """2,000 real training digits and 500 test digits in Keras's mnist.npz layout."""
    path = tmp_path_factory.mktemp("data") / "mnist-small.npz"
    np.savez(path, x_train=mnist.x_train[:2000], y_train=mnist.y_train[:2000],
             x_test=mnist.x_test[:500], y_test=mnist.y_test[:500])
    return path


def wait_for(predicate, timeout=60.0, interval=0.02):
    """Poll a real worker until predicate() is true; fails the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


class FakeClock:
    """An injected clock the test moves by hand: timers are checked without sleeping."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextlib.contextmanager
def unwritten_fifo(path, rescue: bytes = b"rescued"):
    """A named pipe nobody writes to, for the ``with`` block. Reading one blocks forever; should the
    code under test do so, a watchdog writes ``rescue`` after 10 s, so the test fails instead of
    hanging."""
    os.mkfifo(path)
    done = threading.Event()

    def watchdog():
        if not done.wait(10):
            with open(path, "wb") as writer:
                writer.write(rescue)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        yield path
    finally:
        done.set()
