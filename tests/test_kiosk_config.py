"""Kiosk config: defaults, the sample file, and a clear message naming the key for every mistake."""

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import unwritten_fifo

from counterfeit_game.checkpoint import CheckpointData, write_checkpoint
from counterfeit_game.errors import ConfigError
from counterfeit_game.hyperparams import game_config
from counterfeit_game.kiosk.config import (
    DIFFICULTIES,
    SAMPLE_CONFIG,
    KioskConfig,
    all_keys,
    default_kiosk_home,
    ensure_folder,
    load_kiosk_config,
)

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ": "), message
    return message


def test_no_file_gives_defaults():
    config = load_kiosk_config(None)
    assert config == KioskConfig()
    assert config.session.idle_timeout == 60.0
    assert config.session.reset_policy == "continue"
    assert config.display.language == "en"
    assert config.game.speed is None
    assert config.operator.pin == "1234"
    assert config.paths.data_dir == default_kiosk_home() / "data"
    assert config.checkpoint_dir == default_kiosk_home() / "data" / "checkpoints"
    assert config.checkpoint_interval_s == 300.0


def test_sample_file_sets_every_key_to_its_default():
    with SAMPLE_CONFIG.open("rb") as handle:
        data = tomllib.load(handle)
    written = sorted(f"{section}.{key}" for section, table in data.items() for key in table)
    assert written == sorted(all_keys())  # a new setting must be added to the sample too
    config = load_kiosk_config(SAMPLE_CONFIG)
    assert config.source == SAMPLE_CONFIG
    defaults = KioskConfig()
    for section in ("session", "display", "sound", "game", "operator", "paths", "training"):
        assert getattr(config, section) == getattr(defaults, section), section


def test_sample_file_is_short_enough_to_read():
    lines = SAMPLE_CONFIG.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 60
    assert max(len(line) for line in lines) <= 100


def test_values_are_read_and_converted(tmp_path):
    path = write(
        tmp_path,
        """
[session]
idle_timeout = 90
reset_policy = "restart"
[display]
language = "es"
panels = ["chart", "guess"]
fullscreen = false
[sound]
volume = 1
[game]
difficulty = "hard"
speed = 30
[operator]
exit_gesture = "long-press"
pin = "0042"
[training]
checkpoint_minutes = 0.5
""",
    )
    config = load_kiosk_config(path)
    assert config.session.idle_timeout == 90.0 and isinstance(config.session.idle_timeout, float)
    assert config.session.reset_policy == "restart"
    assert config.display.language == "es"
    assert config.display.panels == ("chart", "guess")
    assert config.display.shows("chart") and not config.display.shows("desk")
    assert config.display.fullscreen is False
    assert config.sound.volume == 1.0
    assert config.game.rules == DIFFICULTIES["hard"]
    assert config.game.speed == 30.0
    assert config.operator.exit_gesture == "long-press"
    assert config.operator.pin == "0042"
    assert config.checkpoint_interval_s == 30.0
    assert config.session.countdown_seconds == 15.0  # untouched keys keep their defaults


def test_difficulties_differ_in_what_the_sample_says():
    easy, normal, hard = DIFFICULTIES["easy"], DIFFICULTIES["normal"], DIFFICULTIES["hard"]
    assert easy.round_length < normal.round_length
    assert easy.fake_age < normal.fake_age == hard.fake_age == 1.0
    assert hard.best_of > normal.best_of == 1


def checkpoint(path: Path, architecture: str = "dcgan", weights=None, **meta) -> Path:
    """A checkpoint in the trainer's format, as checkpoint.write_checkpoint writes it (no TF)."""
    variables = weights if weights is not None else {
        "generator/dense/kernel": np.random.default_rng(0).normal(size=(100, 64)).astype(np.float32),
        "generator/dense/bias": np.zeros(64, np.float32),
        "d_optimizer/iterations": np.array(7, np.int64),
    }
    meta = {"config": game_config(architecture).as_dict(), "step": 1234, "elapsed": 60.0,
            "fixed_noise_seed": 0, "data_source": "bundled", "rng": {"bit_generator": "PCG64"}, **meta}
    history = np.array([[s, 0.7, 0.5, 0.7, 0.6] for s in range(5)], np.float64)
    write_checkpoint(path, CheckpointData(meta, variables, history, np.array([0, 4], np.int64),
                                          np.zeros((2, 25, 28, 28), np.uint8)))
    return path


def test_paths_expand_home_and_resolve_beside_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    checkpoint(tmp_path / "start.npz")
    path = write(
        tmp_path,
        '[paths]\nlog_dir = "~/logs"\ndata_dir = "data"\n'
        '[session]\nreset_policy = "checkpoint"\nreset_checkpoint = "start.npz"\n',
    )
    config = load_kiosk_config(path)
    assert config.paths.log_dir == tmp_path / "home" / "logs"
    assert config.paths.data_dir == tmp_path / "data"
    assert config.session.reset_checkpoint == tmp_path / "start.npz"
    assert not (tmp_path / "data").exists()  # created on demand, not by reading the config
    assert ensure_folder(config.paths.data_dir, "paths.data_dir", config).is_dir()


def test_empty_reset_checkpoint_means_none(tmp_path):
    config = load_kiosk_config(write(tmp_path, '[session]\nreset_checkpoint = ""\n'))
    assert config.session.reset_checkpoint is None


def test_missing_reset_checkpoint_file_is_named(tmp_path):
    message = problem(tmp_path, '[session]\nreset_checkpoint = "nowhere.npz"\n')
    assert "session.reset_checkpoint: no such file" in message


def test_unknown_key_suggests_the_close_one(tmp_path):
    message = problem(tmp_path, "[session]\nidle_timout = 30\n")
    assert "session.idle_timout: unknown key (did you mean session.idle_timeout?)" in message


def test_key_in_the_wrong_section_says_where_it_belongs(tmp_path):
    message = problem(tmp_path, '[session]\nlanguage = "es"\n')
    assert "session.language: unknown key in [session]; it belongs under [display]" in message
    message = problem(tmp_path, 'language = "es"\n')
    assert "language: unknown key here; it belongs under [display] (display.language)" in message


def test_unknown_section_suggests_the_close_one(tmp_path):
    message = problem(tmp_path, "[sesion]\nidle_timeout = 30\n")
    assert "[sesion]: unknown section (did you mean [session]?)" in message


def test_section_that_is_not_a_table(tmp_path):
    assert "sound: must be a table" in problem(tmp_path, "sound = true\n")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[session]\nidle_timeout = "60"', 'session.idle_timeout: must be a number of seconds, got "60" (text)'),
        ("[session]\nidle_timeout = true", "session.idle_timeout: must be a number of seconds, got true"),
        ("[session]\nidle_timeout = 1", "session.idle_timeout: must be between 5 and 3600 seconds, got 1"),
        ("[session]\ncountdown_seconds = nan", "session.countdown_seconds: must be between 3 and 120"),
        ("[session]\nidle_timeout = 1" + "0" * 330, "session.idle_timeout: must be between 5 and 3600 seconds, "
         "got 100000000000... (331 digits)"),
        ("[operator]\nexit_taps = -" + "9" * 400, "operator.exit_taps: must be between"),
        ('[session]\nreset_policy = "restrat"', 'session.reset_policy: must be one of "continue", "restart", '
         '"checkpoint", got "restrat" (did you mean "restart"?)'),
        ("[sound]\nvolume = 1.5", "sound.volume: must be between 0 and 1, got 1.5"),
        ('[sound]\nenabled = "yes"', 'sound.enabled: must be true or false, got "yes" (text)'),
        ('[display]\nlanguage = "fr"', 'display.language: must be one of "en", "es", got "fr"'),
        ('[display]\npanels = "chart"', "display.panels: must be a list of panel names"),
        ('[display]\npanels = ["chrat"]', 'display.panels: unknown panel "chrat" (did you mean "chart"?)'),
        ('[display]\npanels = ["chart", "chart"]', 'display.panels: lists "chart" twice'),
        ('[display]\npanels = []', "display.panels: show at least one of"),
        ('[display]\npanels = ["guess"]', "display.panels: show at least one of"),
        ('[game]\ndifficulty = "medium"', 'game.difficulty: must be one of "easy", "normal", "hard"'),
        ('[game]\nspeed = "fast"', 'game.speed: must be "max" or a number of steps per second from 0.01 '
         'to 10000, got "fast" (text)'),
        ("[game]\nspeed = 0", 'game.speed: must be "max" or a number of steps per second from 0.01 to 10000, '
         "got 0"),
        ("[game]\nspeed = true", 'game.speed: must be "max" or a number of steps per second from 0.01 to 10000, '
         "got true"),
        ("[operator]\npin = 1234", 'operator.pin: must be text in quotes, e.g. pin = "1234"'),
        ('[operator]\npin = "12a4"', 'operator.pin: must be 4 to 8 digits in quotes, got "12a4" (text)'),
        ('[operator]\npin = "123"', "operator.pin: must be 4 to 8 digits"),
        ("[operator]\nexit_taps = 2.5", "operator.exit_taps: must be a whole number of taps, got 2.5"),
        ('[operator]\nexit_gesture = "swipe"', 'operator.exit_gesture: must be one of "corner-taps", "long-press"'),
        ('[operator]\nexit_corner = "top"', 'operator.exit_corner: must be one of "top-left"'),
        ("[paths]\ndata_dir = 3", "paths.data_dir: must be a folder path in quotes, got 3"),
        ('[paths]\nlog_dir = ""', 'paths.log_dir: must be a folder path in quotes, got "" (text)'),
        ('[training]\narchitecture = "big net"', "training.architecture: must be an architecture name"),
        ("[training]\ncheckpoint_minutes = 0", "training.checkpoint_minutes: must be between 0.5 and 1440"),
        ("[training]\nhang_seconds = 5", "training.hang_seconds: must be between 10 and 3600 seconds, got 5"),
    ],
)
def test_bad_values_are_named(tmp_path, text, expected):
    assert expected in problem(tmp_path, text + "\n")


def test_whole_float_is_accepted_for_counts(tmp_path):
    config = load_kiosk_config(write(tmp_path, "[operator]\nexit_taps = 4.0\n"))
    assert config.operator.exit_taps == 4 and isinstance(config.operator.exit_taps, int)


def test_a_negative_speed_reads_as_one_sentence(tmp_path):
    message = problem(tmp_path, "[game]\nspeed = -3\n")
    assert message == (f'{tmp_path / "kiosk.toml"}: game.speed: must be "max" or a number of steps per second '
                       "from 0.01 to 10000, got -3")


def test_every_problem_is_reported_under_one_heading(tmp_path):
    path = write(tmp_path, "[sound]\nvolume = 2\nloud = true\n[session]\nidle_timeout = -1\n")
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(path)
    lines = str(caught.value).splitlines()
    assert len(caught.value.problems) == 3
    assert lines[0] == f"{path}: 3 problems:"
    assert lines[1:] == [f"  {p}" for p in caught.value.problems]
    assert lines[1].startswith("  sound.volume: must be between 0 and 1")
    assert lines[2].startswith("  sound.loud: unknown key")
    assert lines[3].startswith("  session.idle_timeout: must be between 5 and 3600 seconds")


def test_several_problems_print_well_after_the_programs_name(tmp_path, capsys):
    from counterfeit_game import cli

    path = write(tmp_path, "[sound]\nvolume = 2\n[game]\nspeed = -3\n")
    assert cli.main(["--kiosk", "--config", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"counterfeit-game: {path}: 2 problems:",
                     "  sound.volume: must be between 0 and 1, got 2",
                     '  game.speed: must be "max" or a number of steps per second from 0.01 to 10000, got -3']


def test_unparseable_toml_names_the_line(tmp_path):
    message = problem(tmp_path, "[session]\nidle_timeout = 60\nreset_policy = continue\n")
    assert "not valid TOML" in message and "line 3" in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="absent.toml: kiosk config not found$"):
        load_kiosk_config(tmp_path / "absent.toml")


def test_a_file_too_large_to_be_a_config_is_refused_unread(tmp_path):
    path = tmp_path / "kiosk.toml"
    with path.open("wb") as handle:
        handle.truncate(23_000_000)  # sparse: reading it whole would be the old behaviour
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(path)
    assert str(caught.value) == f"{path}: is 23 MB, too large to be a kiosk config (at most 1 MB)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_as_config_is_refused_without_waiting(tmp_path):
    with unwritten_fifo(tmp_path / "kiosk.toml", rescue=b"[sound]\n") as path, \
            pytest.raises(ConfigError, match=r"kiosk.toml: is a named pipe, not an ordinary file; "
                                             r"a kiosk config must be one$"):
        load_kiosk_config(path)


@pytest.mark.skipif(not Path("/dev/zero").exists() or sys.platform != "linux", reason="needs Linux /dev/zero")
def test_kiosk_with_dev_zero_as_config_says_so_and_exits(tmp_path):
    """The tester's case, end to end, in a child limited to 2 GB so the old behaviour (reading
    /dev/zero until the OOM killer came) fails quickly instead of taking the machine down."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
            "from counterfeit_game import cli; sys.exit(cli.main(['--kiosk', '--config', '/dev/zero']))")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip() == ("counterfeit-game: /dev/zero: is a device, not an ordinary file; "
                                   "a kiosk config must be one")


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        load_kiosk_config(tmp_path)


def test_not_utf8(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b'[display]\nlanguage = "es"\n# caf\xe9\n')
    with pytest.raises(ConfigError, match="line 3: not UTF-8"):
        load_kiosk_config(path)


def test_ensure_folder_names_the_key(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    config = load_kiosk_config(write(tmp_path, f'[paths]\ndata_dir = "{tmp_path}/data"\n'))
    blocker.rename(tmp_path / "data")  # it became a file after the config was read
    with pytest.raises(ConfigError) as caught:
        ensure_folder(config.paths.data_dir, "paths.data_dir", config)
    assert str(caught.value) == f"{config.source}: paths.data_dir: {tmp_path / 'data'} is a file, not a folder"
    (tmp_path / "data").rename(blocker)
    with pytest.raises(ConfigError) as caught:
        ensure_folder(blocker / "data", "paths.data_dir", config)
    assert str(caught.value) == (f"{config.source}: paths.data_dir: cannot create folder {blocker / 'data'}: "
                                 f"{blocker} is a file, not a folder")


@pytest.mark.parametrize("key", ["data_dir", "log_dir"])
def test_a_folder_key_naming_a_file_is_refused_at_start(tmp_path, key):
    (tmp_path / "data").write_text("a file where the folder should be")
    message = problem(tmp_path, f'[paths]\n{key} = "data"\n')
    assert message == f"{tmp_path / 'kiosk.toml'}: paths.{key}: {tmp_path / 'data'} is a file, not a folder"
    message = problem(tmp_path, f'[paths]\n{key} = "data/inside"\n')
    assert message.endswith(f"paths.{key}: cannot create folder {tmp_path / 'data' / 'inside'}: "
                            f"{tmp_path / 'data'} is a file, not a folder")


# --- the reset checkpoint is checked at start ---------------------------------------------------


def reset_config(tmp_path, name="lesson.npz", architecture="dcgan") -> Path:
    return write(tmp_path, f'[session]\nreset_policy = "checkpoint"\nreset_checkpoint = "{name}"\n'
                           f'[training]\narchitecture = "{architecture}"\n')


def test_a_sound_reset_checkpoint_is_accepted(tmp_path):
    checkpoint(tmp_path / "lesson.npz")
    config = load_kiosk_config(reset_config(tmp_path))
    assert config.session.reset_checkpoint == tmp_path / "lesson.npz"


def flip_a_byte_inside(path: Path, member: str) -> None:
    """Damage the stored data of one array, leaving the archive's directory readable."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    raw = bytearray(path.read_bytes())
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size // 2
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage, expected", [
    (lambda p: p.write_bytes(b"\x00garbage from a failing disk"), "lesson.npz: damaged checkpoint"),
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "lesson.npz: damaged checkpoint"),
    (lambda p: flip_a_byte_inside(p, "var:generator/dense/kernel.npy"), "lesson.npz: damaged checkpoint"),
    (lambda p: np.savez(p, x=np.zeros(3)), "lesson.npz: not a counterfeit-game checkpoint (no readable metadata)"),
    (lambda p: checkpoint(p, step="many"), "lesson.npz: not a counterfeit-game checkpoint (metadata damaged)"),
    (lambda p: checkpoint(p, architecture="original"),
     'lesson.npz: a checkpoint of the "original" architecture; training.architecture is "dcgan"'),
    (lambda p: checkpoint(p, weights={"generator/dense/kernel": np.full(3, np.nan, np.float32)}),
     "lesson.npz: checkpoint holds non-finite values in generator/dense/kernel"),
    (lambda p: checkpoint(p, weights={}), "lesson.npz: damaged checkpoint (no network weights in it)"),
])
def test_a_reset_checkpoint_the_trainer_would_refuse_is_refused_at_start(tmp_path, damage, expected):
    path = checkpoint(tmp_path / "lesson.npz")
    damage(path)
    message = problem(tmp_path, reset_config(tmp_path).read_text())
    assert f"session.reset_checkpoint: {tmp_path}/" in message and expected in message, message


def test_a_reset_checkpoint_that_is_a_folder_or_a_pipe_is_named(tmp_path):
    (tmp_path / "lesson.npz").mkdir()
    message = problem(tmp_path, reset_config(tmp_path).read_text())
    assert message.endswith("session.reset_checkpoint: " f"{tmp_path / 'lesson.npz'}: is a folder, not a checkpoint")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.npz")
        message = problem(tmp_path, reset_config(tmp_path, "pipe.npz").read_text())
        assert message.endswith(f"{tmp_path / 'pipe.npz'}: is a named pipe, not an ordinary file; "
                                "a checkpoint must be one")


def test_the_reset_checkpoint_is_checked_without_tensorflow(tmp_path):
    checkpoint(tmp_path / "lesson.npz")
    bad = checkpoint(tmp_path / "bad.npz", architecture="original")
    code = ("import sys; from counterfeit_game.kiosk.config import load_kiosk_config, checkpoint_problem; "
            f"load_kiosk_config({str(reset_config(tmp_path))!r}); "
            f"assert checkpoint_problem(__import__('pathlib').Path({str(bad)!r}), 'dcgan'); "
            "heavy = sorted(m for m in ('tensorflow', 'keras') if m in sys.modules); "
            "print('imported:', heavy)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "imported: []"


def test_reset_checkpoint_without_the_checkpoint_policy_is_warned_about(tmp_path, caplog):
    checkpoint(tmp_path / "lesson.npz")
    load_kiosk_config(write(tmp_path, '[session]\nreset_checkpoint = "lesson.npz"\n'))
    assert 'session.reset_checkpoint is only used with reset_policy = "checkpoint"' in caplog.text


def test_default_pin_is_warned_about(tmp_path, caplog):
    load_kiosk_config(write(tmp_path, "[sound]\nvolume = 0.5\n"))
    assert "operator.pin is the default" in caplog.text
    caplog.clear()
    load_kiosk_config(write(tmp_path, '[operator]\npin = "97531"\n'))
    assert "operator.pin" not in caplog.text
