"""A hand-edited checkpoint whose metadata has the wrong types is refused with one line."""

from __future__ import annotations

import os

import numpy as np
import pytest

from counterfeit_game import cli
from counterfeit_game.checkpoint import CheckpointData, read_checkpoint, write_checkpoint
from counterfeit_game.errors import CheckpointError
from counterfeit_game.hyperparams import GanConfig

GOOD_META = {"config": GanConfig().as_dict(), "step": 3, "elapsed": 1.5, "fixed_noise_seed": 0,
             "data_source": "bundled", "rng": {"bit_generator": "PCG64"}}


def write(path, **changes):
    meta = {k: v for k, v in dict(GOOD_META, **changes).items() if v is not DROP}
    write_checkpoint(path, CheckpointData(meta, {"w": np.zeros(2, np.float32)}, np.zeros((0, 5)),
                                          np.zeros(0, np.int64), np.zeros((0, 25, 28, 28), np.uint8)))
    return path


DROP = object()


def test_sound_metadata_reads(tmp_path):
    assert read_checkpoint(write(tmp_path / "c.npz")).meta["step"] == 3
    assert read_checkpoint(write(tmp_path / "c.npz", config=DROP, rng=DROP)).meta["step"] == 3


@pytest.mark.parametrize("changes", [
    {"config": "dcgan"}, {"config": ["original"]}, {"config": dict(GanConfig().as_dict(), latent_dim="100")},
    {"config": dict(GanConfig().as_dict(), batch_size=0)}, {"config": dict(GanConfig().as_dict(), architecture=3)},
    {"config": dict(GanConfig().as_dict(), beta_1=None)}, {"step": "3"}, {"step": -1}, {"step": 2.5},
    {"elapsed": "x"}, {"fixed_noise_seed": -1}, {"data_source": 5}, {"rng": "pcg"},
])
def test_damaged_metadata_is_one_clear_refusal(tmp_path, changes):
    with pytest.raises(CheckpointError, match=r"c\.npz: not a counterfeit-game checkpoint \(metadata damaged\)"):
        read_checkpoint(write(tmp_path / "c.npz", **changes))


def test_train_resume_with_a_string_config_says_so(tmp_path, small_mnist_npz, capsys):
    out = tmp_path / "run"
    out.mkdir()
    write(out / "checkpoint.npz", config="dcgan")
    code = cli.main(["train", "--out", str(out), "--resume", "--data", str(small_mnist_npz)])
    err = capsys.readouterr().err
    assert code == 2 and "metadata damaged" in err and err.strip().count("\n") == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_as_checkpoint_is_refused_without_waiting(tmp_path):
    from conftest import unwritten_fifo

    with unwritten_fifo(tmp_path / "checkpoint.npz") as path, \
            pytest.raises(CheckpointError, match=r"checkpoint.npz: is a named pipe, not an ordinary file; "
                                                 r"a checkpoint must be one$"):
        read_checkpoint(path)
    with pytest.raises(CheckpointError, match=r"nowhere.npz: checkpoint not found$"):
        read_checkpoint(tmp_path / "nowhere.npz")
