"""Kiosk config: defaults, the sample file, and a clear message naming the key for every mistake."""

import tomllib
from pathlib import Path

import pytest

from counterfeit_game.errors import ConfigError
from counterfeit_game.kiosk.config import (
    DIFFICULTIES,
    SAMPLE_CONFIG,
    KioskConfig,
    all_keys,
    default_kiosk_home,
    ensure_folder,
    load_kiosk_config,
)


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


def test_paths_expand_home_and_resolve_beside_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "start.npz").write_bytes(b"x")
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
        ('[game]\nspeed = "fast"', 'game.speed: must be a number of steps per second, got "fast" (text) '
         '(or "max" for as fast as possible)'),
        ("[game]\nspeed = 0", "game.speed: must be between 0.01 and 10000 steps per second, got 0"),
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


def test_every_problem_is_reported_one_per_line(tmp_path):
    path = write(tmp_path, "[sound]\nvolume = 2\nloud = true\n[session]\nidle_timeout = -1\n")
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3 and len(caught.value.problems) == 3
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert any("sound.loud: unknown key" in line for line in lines)


def test_unparseable_toml_names_the_line(tmp_path):
    message = problem(tmp_path, "[session]\nidle_timeout = 60\nreset_policy = continue\n")
    assert "not valid TOML" in message and "line 3" in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_kiosk_config(tmp_path / "absent.toml")


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
    config = load_kiosk_config(write(tmp_path, f'[paths]\ndata_dir = "{blocker}/data"\n'))
    with pytest.raises(ConfigError, match=r"paths\.data_dir: cannot create folder"):
        ensure_folder(config.paths.data_dir, "paths.data_dir", config)


def test_default_pin_is_warned_about(tmp_path, caplog):
    load_kiosk_config(write(tmp_path, "[sound]\nvolume = 0.5\n"))
    assert "operator.pin is the default" in caplog.text
    caplog.clear()
    load_kiosk_config(write(tmp_path, '[operator]\npin = "97531"\n'))
    assert "operator.pin" not in caplog.text
