"""`counterfeit-game train` end to end on small real data: files, rows, resume, refusals."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from counterfeit_game import cli


def read_rows(path):
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [row for row in reader]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, small_mnist_npz):
    out = tmp_path_factory.mktemp("train") / "run"
    code = cli.main(["train", "--steps", "24", "--sample-interval", "8", "--out", str(out),
                     "--data", str(small_mnist_npz), "--seed", "2", "--no-quality"])
    assert code == 0
    return out


def test_train_writes_the_originals_outputs(trained):
    assert sorted(p.name for p in (trained / "images").iterdir()) == ["0.png", "16.png", "24.png", "8.png"]
    header, rows = read_rows(trained / "losses.csv")
    assert header == ["step", "d_loss", "d_acc", "g_loss", "elapsed_s"]
    assert len(rows) == 25 and [int(r[0]) for r in rows] == list(range(25))
    values = np.array(rows, dtype=float)
    assert np.all(np.isfinite(values)) and np.all((values[:, 2] >= 0) & (values[:, 2] <= 1))
    assert np.all(np.diff(values[:, 4]) >= 0), "elapsed time never goes back"
    assert (trained / "losses.png").stat().st_size > 10_000
    assert (trained / "images" / "24.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_generator_loads_with_plain_keras(trained):
    import keras

    generator = keras.models.load_model(trained / "generator.keras")
    images = generator.predict(np.random.default_rng(0).normal(size=(3, 100)), verbose=0)
    assert images.shape == (3, 28, 28, 1) and images.min() >= -1 and images.max() <= 1


def test_resume_continues_the_same_run(trained, small_mnist_npz, capsys):
    _, before = read_rows(trained / "losses.csv")
    code = cli.main(["train", "--steps", "32", "--sample-interval", "8", "--out", str(trained),
                     "--data", str(small_mnist_npz), "--resume", "--no-quality"])
    assert code == 0
    assert "Resuming at step 24" in capsys.readouterr().out
    _, after = read_rows(trained / "losses.csv")
    assert [int(r[0]) for r in after] == list(range(33))
    assert after[:25] == before, "resuming keeps the rows already written"
    assert (trained / "images" / "32.png").exists()


def test_existing_run_is_not_overwritten(trained, small_mnist_npz, capsys):
    code = cli.main(["train", "--steps", "4", "--out", str(trained), "--data", str(small_mnist_npz)])
    err = capsys.readouterr().err
    assert code == 2 and "already holds a run" in err and len(err.strip().splitlines()) == 1


def test_resume_without_a_run(tmp_path, capsys):
    code = cli.main(["train", "--out", str(tmp_path / "empty"), "--resume"])
    err = capsys.readouterr().err
    assert code == 2 and "nothing to resume" in err


def test_damaged_checkpoint_on_resume(tmp_path, small_mnist_npz, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "checkpoint.npz").write_bytes(b"garbage")
    code = cli.main(["train", "--out", str(out), "--resume", "--data", str(small_mnist_npz)])
    err = capsys.readouterr().err
    assert code == 2 and "checkpoint.npz" in err and "Traceback" not in err


def test_bad_numbers_are_argument_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--steps", "0"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_quality_csv_at_every_interval(tmp_path, small_mnist_npz):
    out = tmp_path / "run"
    assert cli.main(["train", "--steps", "8", "--sample-interval", "4", "--out", str(out),
                     "--data", str(small_mnist_npz)]) == 0
    header, rows = read_rows(out / "quality.csv")
    assert header == ["step", "fed", "score", "confidence", "coverage", "histogram"]
    assert [int(r[0]) for r in rows] == [0, 4, 8]
    fed = [float(r[1]) for r in rows]
    assert all(f > 0 for f in fed)
    assert all(len(r[5].split()) == 10 for r in rows)


def test_resume_refuses_other_settings(trained, small_mnist_npz, capsys):
    code = cli.main(["train", "--steps", "40", "--out", str(trained), "--resume", "--batch-size", "64",
                     "--data", str(small_mnist_npz), "--no-quality"])
    err = capsys.readouterr().err
    assert code == 2 and "--batch-size 32" in err and len(err.strip().splitlines()) == 1


def test_full_disk_is_one_line_not_a_traceback(tmp_path, small_mnist_npz, monkeypatch, capsys):
    import errno

    from counterfeit_game import outputs

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(outputs, "atomic_write_bytes", disk_full)
    code = cli.main(["train", "--steps", "2", "--out", str(tmp_path / "run"),
                     "--data", str(small_mnist_npz), "--no-quality"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and "0.png" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_ctrl_c_then_resume_equals_an_unbroken_run(trained, small_mnist_npz, tmp_path):
    """Ctrl-C lands between steps, so the checkpoint is exact (compared with the fixture's run)."""
    import signal
    import subprocess
    import sys

    out = tmp_path / "interrupted"
    command = [sys.executable, "-m", "counterfeit_game", "train", "--sample-interval", "8", "--out",
               str(out), "--data", str(small_mnist_npz), "--seed", "2", "--no-quality"]
    process = subprocess.Popen(command + ["--steps", "100000"], stdout=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if line.startswith("8 ["):
                break
        process.send_signal(signal.SIGINT)
        assert process.wait(120) == 130
    finally:
        if process.poll() is None:
            process.kill()
    _, partial = read_rows(out / "losses.csv")
    assert 8 <= len(partial) - 1 < 24, "stopped part-way"
    assert subprocess.run(command + ["--steps", "24", "--resume"], capture_output=True).returncode == 0
    _, resumed = read_rows(out / "losses.csv")
    _, unbroken = read_rows(trained / "losses.csv")
    assert [r[:4] for r in resumed[:25]] == [r[:4] for r in unbroken[:25]]


def test_preset_game_trains_what_the_game_trains_and_resume_keeps_it(tmp_path, small_mnist_npz, capsys):
    from counterfeit_game.checkpoint import read_checkpoint
    from counterfeit_game.hyperparams import GAME_PRESET, GanConfig

    out = tmp_path / "game"
    common = ["--sample-interval", "4", "--out", str(out), "--data", str(small_mnist_npz), "--no-quality"]
    assert cli.main(["train", "--steps", "4", "--preset", "game", *common]) == 0
    saved = GanConfig.from_dict(read_checkpoint(out / "checkpoint.npz").meta["config"])
    assert saved == GAME_PRESET
    capsys.readouterr()
    code = cli.main(["train", "--steps", "8", "--resume", "--preset", "original", *common])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--preset game (Adam 0.005/0.005)" in err and "without --preset original" in err
    assert cli.main(["train", "--steps", "8", "--resume", "--preset", "game", *common]) == 0
    assert "Resuming at step 4" in capsys.readouterr().out
    _, rows = read_rows(out / "losses.csv")
    assert [int(r[0]) for r in rows] == list(range(9))


def test_architecture_alone_keeps_the_articles_learning_rate(tmp_path, capsys):
    from counterfeit_game.hyperparams import GAME_PRESET, GanConfig
    from counterfeit_game.train_command import new_run_config

    def config(*argv):
        return new_run_config(cli.build_parser().parse_args(["train", *argv]))

    assert config() == GanConfig()
    assert config("--architecture", "dcgan") == GanConfig(architecture="dcgan")
    assert config("--preset", "game", "--seed", "5", "--batch-size", "64") == GanConfig.from_dict(
        {**GAME_PRESET.as_dict(), "seed": 5, "batch_size": 64})
    assert config("--preset", "game", "--architecture", "dcgan") == GAME_PRESET
    out = tmp_path / "never"
    code = cli.main(["train", "--preset", "game", "--architecture", "original", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "--preset game trains the dcgan pair" in err and not out.exists()
    with pytest.raises(SystemExit):
        cli.main(["train", "--preset", "fast"])
    assert "invalid choice: 'fast'" in capsys.readouterr().err


def test_bad_data_leaves_no_output_folder_behind(tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(["train", "--out", str(out), "--data", str(tmp_path / "nowhere.npz")])
    assert code == 2 and "nowhere.npz" in capsys.readouterr().err
    assert not out.exists()


def test_the_resume_hint_keeps_the_data_it_trained_on(tmp_path):
    from counterfeit_game.train_command import resume_command

    args = cli.build_parser().parse_args(["train", "--steps", "9", "--data", "my data/mnist.npz"])
    assert resume_command(args, tmp_path / "r") == (
        f"counterfeit-game train --out {tmp_path / 'r'} --steps 9 --resume --data 'my data/mnist.npz'")
    plain = cli.build_parser().parse_args(["train", "--steps", "9"])
    assert "--data" not in resume_command(plain, tmp_path / "r")


def test_tf_threads_are_set_before_training_starts(tmp_path, small_mnist_npz, monkeypatch):
    import counterfeit_game.trainer as trainer

    calls = []
    monkeypatch.setattr(trainer, "limit_tf_threads", calls.append)
    code = cli.main(["train", "--steps", "1", "--out", str(tmp_path / "run"), "--data", str(small_mnist_npz),
                     "--no-quality", "--tf-threads", "1"])
    assert code == 0 and calls == [1]


def no_training(monkeypatch):
    import counterfeit_game.trainer as trainer

    monkeypatch.setattr(trainer, "TrainingRun", lambda *a, **k: pytest.fail("refused before training"))


def test_a_batch_larger_than_the_data_is_refused_before_anything_is_written(tmp_path, small_mnist_npz, capsys,
                                                                             monkeypatch):
    no_training(monkeypatch)
    out = tmp_path / "run"
    code = cli.main(["train", "--batch-size", "2001", "--out", str(out), "--data", str(small_mnist_npz)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--batch-size 2001:" in err and "has only 2,000 training digits; choose a batch of at most 2000" in err
    assert not out.exists()


def test_resuming_on_fewer_digits_than_a_batch_is_refused(trained, mnist, tmp_path, capsys, monkeypatch):
    no_training(monkeypatch)
    tiny = tmp_path / "tiny.npz"
    np.savez(tiny, x_train=mnist.x_train[:20], y_train=mnist.y_train[:20])
    code = cli.main(["train", "--steps", "40", "--out", str(trained), "--resume", "--data", str(tiny)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "this run's batch size 32:" in err and "has only 20 training digits" in err
