"""The examiner's network and its seeded, reproducible training (on a small subset)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Trains on 256 digits for one epoch with two seeds and prints the weights' digests. Run in fresh
# processes: reproducibility must hold across runs, and op determinism is process-wide.
TRAIN_TWICE = """
import hashlib, json, sys
import numpy as np
from counterfeit_game.examiner import load_bundled_mnist, train_examiner
x, y, _, _ = load_bundled_mnist()
out = {}
for seed in (7, 8):
    model = train_examiner(x[:256], y[:256], seed=seed, epochs=2, batch_size=64)
    digest = hashlib.sha256()
    for w in model.get_weights():
        digest.update(np.ascontiguousarray(w).tobytes())
    out[seed] = digest.hexdigest()
json.dump(out, sys.stdout)
"""


def _train_in_fresh_process() -> dict:
    done = subprocess.run([sys.executable, "-c", TRAIN_TWICE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_training_is_reproducible_from_its_seed():
    first, second = _train_in_fresh_process(), _train_in_fresh_process()
    assert first["7"] == second["7"]
    assert first["8"] == second["8"]
    assert first["7"] != first["8"]  # the seed does matter


def test_network_shape():
    from counterfeit_game.examiner import FEATURE_DIM, build_examiner, feature_model

    model = build_examiner()
    assert model.output_shape == (None, 10)
    assert feature_model(model).output_shape == [(None, FEATURE_DIM), (None, 10)]
    assert model.count_params() < 1_000_000  # stays small: the worker runs it every few seconds


def test_bundled_weights_are_small_and_documented():
    from counterfeit_game.assets import asset_path

    weights = asset_path("examiner", "examiner.weights.h5")
    assert weights.stat().st_size < 4 * 1024 * 1024
    readme = asset_path("examiner", "README.md").read_text(encoding="utf-8")
    assert "CC BY-SA 3.0" in readme and "python -m counterfeit_game.examiner" in readme
