"""`train` stopped by a signal and resumed with the command it printed: the same files as a run
never stopped, with the run's own settings, on small real data."""

from __future__ import annotations

import csv
import json
import shlex
import signal
import subprocess
import sys

import pytest

from counterfeit_game import cli


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def images(out):
    return {p.name: p.read_bytes() for p in (out / "images").iterdir()}


def continue_words(err: str) -> list[str]:
    lines = [line for line in err.splitlines() if "Continue with: " in line]
    assert len(lines) == 1, err
    return shlex.split(lines[0].split("Continue with: ", 1)[1])


def signal_after_grid(monkeypatch, signum, grid_name):
    """Send ``signum`` to this very process right after images/<grid_name> is written, as a
    person's Ctrl-C (or a closing terminal, or `kill`) would arrive mid-run."""
    import os

    from counterfeit_game import outputs

    real = outputs.save_sample_grid

    def save_then_signal(frame_images, path, *args, **kwargs):
        result = real(frame_images, path, *args, **kwargs)
        if path.name == grid_name:
            os.kill(os.getpid(), signum)
        return result

    monkeypatch.setattr(outputs, "save_sample_grid", save_then_signal)


@pytest.fixture
def no_death_by(request):
    """A stand-in handler for a signal whose default would end the test session; it records what
    reached it (nothing should, while train has its own handler installed)."""
    reached = []
    previous = {}

    def install(signum):
        previous[signum] = signal.signal(signum, lambda number, frame: reached.append(number))
        return reached

    yield install
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def test_interrupted_and_resumed_run_writes_what_an_unbroken_one_writes(tmp_path, small_mnist_npz,
                                                                        monkeypatch, capsys):
    common = ["--steps", "12", "--sample-interval", "4", "--seed", "3", "--data", str(small_mnist_npz)]
    unbroken, broken = tmp_path / "unbroken", tmp_path / "broken"
    assert cli.main(["train", "--out", str(unbroken), *common]) == 0
    done = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Done:")]

    signal_after_grid(monkeypatch, signal.SIGINT, "4.png")
    assert cli.main(["train", "--out", str(broken), *common]) == 130
    words = continue_words(capsys.readouterr().err)
    stopped_generator = (broken / "generator.keras").is_file()
    assert len(rows(broken / "losses.csv")) - 1 == 5, "stopped at step 4"
    monkeypatch.undo()

    assert words[:2] == ["counterfeit-game", "train"] and "--resume" in words
    assert cli.main(words[1:]) == 0, "the printed command continues the run"
    assert "Resuming at step 4" in capsys.readouterr().out
    assert sorted(images(broken)) == ["0.png", "12.png", "4.png", "8.png"]
    assert images(broken) == images(unbroken)
    assert rows(broken / "quality.csv") == rows(unbroken / "quality.csv")
    assert [r[0] for r in rows(unbroken / "quality.csv")] == ["step", "0", "4", "8", "12"]
    assert [r[:4] for r in rows(broken / "losses.csv")] == [r[:4] for r in rows(unbroken / "losses.csv")]
    assert stopped_generator, "a stopped run leaves generator.keras, so it can be evaluated"
    assert len(done) == 1, "the Done: line lists what was written"
    for name in ("images/", "losses.csv", "losses.png", "quality.csv", "generator.keras", "checkpoint.npz"):
        assert name in done[0] and (unbroken / name).exists()


def test_sighup_stops_like_ctrl_c_and_resume_keeps_no_quality(tmp_path, small_mnist_npz, monkeypatch,
                                                              capsys, no_death_by):
    from counterfeit_game.checkpoint import read_checkpoint

    reached = no_death_by(signal.SIGHUP)
    out = tmp_path / "run"
    signal_after_grid(monkeypatch, signal.SIGHUP, "4.png")
    code = cli.main(["train", "--steps", "12", "--sample-interval", "4", "--no-quality", "--out", str(out),
                     "--data", str(small_mnist_npz)])
    err = capsys.readouterr().err
    assert reached == [] and code == 128 + signal.SIGHUP
    assert "Interrupted by SIGHUP at step 4" in err
    assert read_checkpoint(out / "checkpoint.npz").meta["step"] == 4
    assert (out / "generator.keras").is_file()
    monkeypatch.undo()

    assert cli.main(continue_words(err)[1:]) == 0
    done = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Done:")][0]
    assert sorted(images(out)) == ["0.png", "12.png", "4.png", "8.png"], "the sample interval was kept"
    assert not (out / "quality.csv").exists() and "quality.csv" not in done, "--no-quality was kept"
    assert "checkpoint.npz" in done


class DeadTerminal:
    """What a terminal that hung up gives a program: every write fails with EIO."""

    def write(self, text):
        import errno

        raise OSError(errno.EIO, "Input/output error")

    def flush(self):
        self.write("")

    def isatty(self):
        return True


def test_sighup_with_the_terminal_gone_still_saves(tmp_path, small_mnist_npz, monkeypatch, no_death_by):
    from counterfeit_game import outputs
    from counterfeit_game.checkpoint import read_checkpoint

    no_death_by(signal.SIGHUP)
    out = tmp_path / "run"
    real = outputs.save_sample_grid

    def hang_up_after_4(frame_images, path, *args, **kwargs):
        import os

        result = real(frame_images, path, *args, **kwargs)
        if path.name == "4.png":
            monkeypatch.setattr(sys, "stdout", DeadTerminal())
            monkeypatch.setattr(sys, "stderr", DeadTerminal())
            os.kill(os.getpid(), signal.SIGHUP)
        return result

    monkeypatch.setattr(outputs, "save_sample_grid", hang_up_after_4)
    code = cli.main(["train", "--steps", "8", "--sample-interval", "4", "--no-quality", "--out", str(out),
                     "--data", str(small_mnist_npz)])
    assert code == 128 + signal.SIGHUP
    assert read_checkpoint(out / "checkpoint.npz").meta["step"] == 4
    assert (out / "generator.keras").is_file() and len(rows(out / "losses.csv")) == 6


def test_sigterm_in_a_real_process_saves_and_prints_a_runnable_command(tmp_path, small_mnist_npz, capsys):
    out = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-m", "counterfeit_game", "train", "--steps", "100000", "--sample-interval", "8",
         "--no-quality", "--out", str(out), "--data", str(small_mnist_npz)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if line.startswith("8 ["):
                break
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "Interrupted by SIGTERM at step" in err
    words = continue_words(err)
    assert words[:4] == [sys.executable, "-m", "counterfeit_game", "train"], "runnable as printed"
    assert (out / "generator.keras").is_file()
    from counterfeit_game.checkpoint import read_checkpoint

    stopped = read_checkpoint(out / "checkpoint.npz").meta["step"]
    assert 8 <= stopped < 100000 and stopped % 8 == 0
    # the printed command, with a nearer target given again: everything else is the run's own
    assert cli.main(words[3:] + ["--steps", str(stopped + 8)]) == 0
    assert (out / "images" / f"{stopped + 8}.png").exists() and not (out / "quality.csv").exists()
    capsys.readouterr()


def test_options_given_again_on_resume_win_and_are_kept(tmp_path):
    from counterfeit_game.train_command import RunSettings, read_settings, resolve_settings, write_settings

    path = tmp_path / "settings.json"
    write_settings(path, RunSettings(steps=600, sample_interval=100, quality=False, data="keras"))

    def resolved(*argv):
        return resolve_settings(cli.build_parser().parse_args(["train", "--resume", *argv]), read_settings(path))

    assert resolved() == RunSettings(steps=600, sample_interval=100, quality=False, data="keras")
    assert resolved("--sample-interval", "50", "--quality", "--steps", "900") == RunSettings(
        steps=900, sample_interval=50, quality=True, data="keras")
    assert resolve_settings(cli.build_parser().parse_args(["train"]), {}) == RunSettings()


def test_damaged_settings_are_one_line_on_resume(tmp_path, small_mnist_npz, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--steps", "1", "--no-quality", "--out", str(out),
                     "--data", str(small_mnist_npz)]) == 0
    settings = json.loads((out / "settings.json").read_text())
    assert settings["steps"] == 1 and settings["quality"] is False
    (out / "settings.json").write_text(json.dumps({**settings, "sample_interval": "often"}))
    capsys.readouterr()
    code = cli.main(["train", "--steps", "2", "--out", str(out), "--resume"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "settings.json: damaged run settings (sample_interval is 'often')" in err


def test_the_continue_line_names_the_program_as_it_was_started(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    import counterfeit_game
    from counterfeit_game.train_command import program_words

    main = str(Path(counterfeit_game.__file__).parent / "__main__.py")
    assert program_words(main) == [sys.executable, "-m", "counterfeit_game"]
    script = tmp_path / "venv" / "bin" / "counterfeit-game"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.chdir(tmp_path)
    assert program_words("venv/bin/counterfeit-game") == ["venv/bin/counterfeit-game"], "not on PATH"
    monkeypatch.setenv("PATH", f"{empty}{os.pathsep}{script.parent}")
    assert program_words("venv/bin/counterfeit-game") == ["counterfeit-game"], "PATH finds the same file"
    assert program_words("counterfeit-game") == ["counterfeit-game"]
    assert program_words("/usr/lib/python3/site-packages/pytest/__main__.py") == ["counterfeit-game"]
