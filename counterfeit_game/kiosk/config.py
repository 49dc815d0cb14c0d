"""Kiosk settings from a TOML file, checked key by key, with a default for everything.

An operator edits the file by hand once and then nobody looks at the kiosk for weeks, so every
mistake is refused at start-up with a message naming the file, the dotted key and the problem;
nothing is silently ignored. ``sample-kiosk.toml`` beside this module lists every key with its
default (a test keeps it complete).
"""

from __future__ import annotations

import difflib
import logging
import math
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from counterfeit_game.errors import (CheckpointError, ConfigError, file_size, folder_problem, problem_list,
                                     read_bytes)
from counterfeit_game.game.settings import ALL_PANELS, panels_problem  # TF- and pygame-free
from counterfeit_game.game.settings import DIFFICULTIES, Difficulty  # noqa: F401 - part of this module's API

log = logging.getLogger(__name__)

SAMPLE_CONFIG = Path(__file__).resolve().parent / "sample-kiosk.toml"

RESET_POLICIES = ("continue", "restart", "checkpoint")
EXIT_GESTURES = ("corner-taps", "long-press")
EXIT_CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
DEFAULT_PIN = "1234"
CONFIG_MAX_BYTES = 1_000_000  # the sample is 2 kB; anything near this is not a kiosk config
CHECKPOINT_MAX_BYTES = 500_000_000  # real ones: dcgan 2 MB, the original pair 25 MB (with Adam's moments)


def default_kiosk_home() -> Path:
    return Path.home() / "counterfeit_game" / "kiosk"


def workshop_panels() -> tuple[str, ...]:
    """Panel names the game knows (the guessing game among them)."""
    return ALL_PANELS


def known_languages() -> tuple[str, ...]:
    from counterfeit_game import i18n

    return tuple(i18n.available_languages())


# --- value checks: each takes the raw TOML value and returns the stored one or raises _Bad ------


class _Bad(Exception):
    """A value's problem, without the file and key (the loader adds those)."""


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}" (text)'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def _boolean() -> Callable:
    def check(value):
        if not isinstance(value, bool):
            raise _Bad(f"must be true or false, got {_show(value)}")
        return value

    return check


def _number(low: float, high: float, unit: str = "", whole: bool = False) -> Callable:
    kind = ("a whole number" if whole else "a number") + (f" of {unit}" if unit else "")
    unit = f" {unit}" if unit else ""

    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad(f"must be {kind}, got {_show(value)}")
        if whole and not (isinstance(value, int) or float(value).is_integer()):
            raise _Bad(f"must be {kind}, got {value}")
        if not _within(value, low, high):
            raise _Bad(f"must be between {low:g} and {high:g}{unit}, got {_shown_number(value)}")
        return int(value) if whole else float(value)

    return check


def _within(value, low: float, high: float) -> bool:
    try:
        return math.isfinite(value) and low <= value <= high
    except OverflowError:  # an integer too large for a float: far out of range anyway
        return False


def _shown_number(value) -> str:
    text = str(value)
    return text if len(text) <= 20 else f"{text[:12]}... ({len(text)} digits)"


def _choice(options: Callable[[], tuple[str, ...]] | tuple[str, ...]) -> Callable:
    def check(value):
        allowed = options() if callable(options) else options
        listed = ", ".join(f'"{o}"' for o in allowed)
        if not isinstance(value, str):
            raise _Bad(f"must be one of {listed}, got {_show(value)}")
        if value not in allowed:
            close = difflib.get_close_matches(value, allowed, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise _Bad(f'must be one of {listed}, got "{value}"{hint}')
        return value

    return check


def _panels() -> Callable:
    def check(value):
        allowed = workshop_panels()
        listed = ", ".join(f'"{p}"' for p in allowed)
        if not isinstance(value, list):
            raise _Bad(f"must be a list of panel names from {listed}, got {_show(value)}")
        chosen = []
        for item in value:
            if not isinstance(item, str) or item not in allowed:
                shown = f'"{item}"' if isinstance(item, str) else _show(item)
                close = difflib.get_close_matches(item, allowed, n=1) if isinstance(item, str) else []
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                raise _Bad(f"unknown panel {shown}{hint}; panels are {listed}")
            if item in chosen:
                raise _Bad(f'lists "{item}" twice')
            chosen.append(item)
        problem = panels_problem(chosen)
        if problem:
            raise _Bad(problem)
        return tuple(chosen)

    return check


def _speed(low: float = 0.01, high: float = 10_000) -> Callable:
    wanted = f'must be "max" or a number of steps per second from {low:g} to {high:g}'

    def check(value):
        if value == "max":
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad(f"{wanted}, got {_show(value)}")
        if not _within(value, low, high):
            raise _Bad(f"{wanted}, got {_shown_number(value)}")
        return float(value)

    return check


def _pin() -> Callable:
    def check(value):
        if isinstance(value, int) and not isinstance(value, bool):
            raise _Bad(f'must be text in quotes, e.g. pin = "{value}"')
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4,8}", value):
            raise _Bad(f"must be 4 to 8 digits in quotes, got {_show(value)}")
        return value

    return check


def _text(pattern: str = r".+", what: str = "text") -> Callable:
    def check(value):
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise _Bad(f"must be {what}, got {_show(value)}")
        return value

    return check


def _architecture() -> Callable:
    """Names are checked against the engine's TF-free list where it publishes one."""
    plain = _text(r"[A-Za-z0-9_-]+", "an architecture name")

    def check(value):
        value = plain(value)
        from counterfeit_game import hyperparams

        names = getattr(hyperparams, "ARCHITECTURE_NAMES", None)
        return _choice(tuple(names))(value) if names else value

    return check


def _folder() -> Callable:
    def check(value):
        if not isinstance(value, str) or not value.strip():
            raise _Bad(f"must be a folder path in quotes, got {_show(value)}")
        return Path(value)  # ~ and relative paths are resolved by the loader, which knows the file

    return check


def _optional_file() -> Callable:
    def check(value):
        if not isinstance(value, str):
            raise _Bad(f'must be a file path in quotes, or "" for none, got {_show(value)}')
        return Path(value) if value.strip() else None

    return check


def _setting(default=None, check: Callable | None = None, factory: Callable | None = None):
    meta = {"check": check}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


# --- the settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSettings:
    idle_timeout: float = _setting(60.0, _number(5, 3600, "seconds"))
    countdown_seconds: float = _setting(15.0, _number(3, 120, "seconds"))
    reset_policy: str = _setting("continue", _choice(RESET_POLICIES))
    reset_checkpoint: Path | None = _setting(None, _optional_file())


@dataclass(frozen=True)
class DisplaySettings:
    language: str = _setting("en", _choice(known_languages))
    fullscreen: bool = _setting(True, _boolean())
    panels: tuple[str, ...] = _setting(check=_panels(), factory=workshop_panels)

    def shows(self, panel: str) -> bool:
        return panel in self.panels


@dataclass(frozen=True)
class SoundSettings:
    enabled: bool = _setting(True, _boolean())
    volume: float = _setting(0.6, _number(0, 1))


@dataclass(frozen=True)
class GameplaySettings:
    difficulty: str = _setting("normal", _choice(tuple(DIFFICULTIES)))
    speed: float | None = _setting(None, _speed())  # steps per second; None = as fast as possible

    @property
    def rules(self) -> Difficulty:
        return DIFFICULTIES[self.difficulty]


@dataclass(frozen=True)
class OperatorSettings:
    exit_gesture: str = _setting("corner-taps", _choice(EXIT_GESTURES))
    exit_corner: str = _setting("top-left", _choice(EXIT_CORNERS))
    exit_taps: int = _setting(5, _number(2, 20, "taps", whole=True))
    exit_seconds: float = _setting(3.0, _number(0.5, 30, "seconds"))
    pin: str = _setting(DEFAULT_PIN, _pin())
    pin_attempts: int = _setting(3, _number(1, 20, "attempts", whole=True))
    lockout_seconds: float = _setting(60.0, _number(0, 3600, "seconds"))


@dataclass(frozen=True)
class PathSettings:
    log_dir: Path = _setting(check=_folder(), factory=lambda: default_kiosk_home() / "logs")
    data_dir: Path = _setting(check=_folder(), factory=lambda: default_kiosk_home() / "data")


@dataclass(frozen=True)
class TrainingSettings:
    architecture: str = _setting("dcgan", _architecture())  # the game's fast preset; "original" = the article's
    checkpoint_minutes: float = _setting(5.0, _number(0.5, 24 * 60, "minutes"))
    hang_seconds: float = _setting(60.0, _number(10, 3600, "seconds"))


SECTIONS: dict[str, type] = {
    "session": SessionSettings,
    "display": DisplaySettings,
    "sound": SoundSettings,
    "game": GameplaySettings,
    "operator": OperatorSettings,
    "paths": PathSettings,
    "training": TrainingSettings,
}


@dataclass(frozen=True)
class KioskConfig:
    session: SessionSettings = field(default_factory=SessionSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    sound: SoundSettings = field(default_factory=SoundSettings)
    game: GameplaySettings = field(default_factory=GameplaySettings)
    operator: OperatorSettings = field(default_factory=OperatorSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    source: Path | None = None  # the file these came from; None = all defaults

    @property
    def checkpoint_dir(self) -> Path:
        return self.paths.data_dir / "checkpoints"

    @property
    def scores_path(self) -> Path:
        return self.paths.data_dir / "scores.json"

    @property
    def checkpoint_interval_s(self) -> float:
        return self.training.checkpoint_minutes * 60.0


def all_keys() -> list[str]:
    """Every dotted key a config file may set, e.g. ``session.idle_timeout``."""
    return [f"{name}.{f.name}" for name, cls in SECTIONS.items() for f in fields(cls)]


# --- loading --------------------------------------------------------------------------------


def load_kiosk_config(path: str | Path | None = None) -> KioskConfig:
    """The settings in ``path`` over the defaults; all defaults when ``path`` is None.

    Raises ConfigError listing every problem: ``FILE: section.key: problem`` for one, a
    ``FILE: N problems:`` heading and one indented ``section.key: problem`` line each for several
    (``error.problems`` holds them without the file).
    """
    if path is None:
        return KioskConfig()
    path = Path(path).expanduser()
    data = _read_toml(path)
    problems: list[str] = []
    sections = {}
    for name, table in data.items():
        if name not in SECTIONS:
            problems.append(_unknown_section(name, table))
        elif not isinstance(table, dict):
            problems.append(f"{name}: must be a table: write [{name}] on a line of its own, then its keys")
        else:
            sections[name] = _read_section(name, table, path.parent, problems)
    config = KioskConfig(source=path, **sections)
    _check_across_sections(config, problems)
    if problems:
        error = ConfigError(problem_list(str(path), problems))
        error.problems = problems
        raise error
    if config.operator.pin == DEFAULT_PIN:
        log.warning("%s: operator.pin is the default %s; set your own", path, DEFAULT_PIN)
    if config.session.reset_checkpoint is not None and config.session.reset_policy != "checkpoint":
        log.warning('%s: session.reset_checkpoint is only used with reset_policy = "checkpoint"', path)
    return config


def _check_across_sections(config: KioskConfig, problems: list[str]) -> None:
    """What one key cannot know alone: the folders against the disk, the reset checkpoint against
    the architecture that will load it. Skipped for keys that already have a problem."""
    bad = {p.split(":", 1)[0] for p in problems}
    for key in ("log_dir", "data_dir"):
        if f"paths.{key}" not in bad:
            problem = folder_problem(getattr(config.paths, key))
            if problem:
                problems.append(f"paths.{key}: {problem}")
    reset_file = config.session.reset_checkpoint
    if reset_file is not None and "session.reset_checkpoint" not in bad:
        architecture = None if "training.architecture" in bad else config.training.architecture
        problem = checkpoint_problem(reset_file, architecture)
        if problem:
            problems.append(f"session.reset_checkpoint: {problem}")


def checkpoint_problem(path: Path, architecture: str | None = None) -> str | None:
    """Why the trainer would refuse to load ``path``, or None: checked here, before TensorFlow
    loads (and without it), so that a damaged reset checkpoint is refused at start instead of
    silently restarting training at every visitor.

    The same reading and metadata checks as the worker's (checkpoint.read_checkpoint), the
    architecture and latent size it compares, every array read in full (the archive's checksums),
    and the weights finite. Only the exact weight shapes wait for the worker's own check."""
    import numpy as np

    from counterfeit_game.checkpoint import read_checkpoint
    from counterfeit_game.hyperparams import game_config

    try:
        file_size(path, CheckpointError, "checkpoint", CHECKPOINT_MAX_BYTES)
        data = read_checkpoint(path)
    except CheckpointError as exc:
        return str(exc)
    stored = data.meta.get("config", {})
    if architecture is not None:
        wanted = game_config(architecture)
        found = stored.get("architecture", "original")
        if found != wanted.architecture:
            return (f'{path}: a checkpoint of the "{found}" architecture; training.architecture is '
                    f'"{architecture}"')
        if stored.get("latent_dim", 100) != wanted.latent_dim:
            return (f"{path}: its counterfeiter takes {stored.get('latent_dim')} noise values, "
                    f"not {wanted.latent_dim}")
    if not data.variables:
        return f"{path}: damaged checkpoint (no network weights in it)"
    for name, value in data.variables.items():
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            return f"{path}: checkpoint holds non-finite values in {name}"
    images, steps = data.grid_images, data.grid_steps
    if images.ndim != 4 or images.shape[2:] != (28, 28) or steps.shape != (len(images),):
        return f"{path}: damaged checkpoint (sample grids of shape {images.shape} for {steps.shape} steps)"
    return None


def _read_toml(path: Path) -> dict:
    raw = read_bytes(path, ConfigError, "kiosk config", limit=CONFIG_MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 text; save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _read_section(name: str, table: dict, base: Path, problems: list[str]):
    cls = SECTIONS[name]
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, raw in table.items():
        dotted = f"{name}.{key}"
        if key not in known:
            problems.append(_unknown_key(name, key, known))
            continue
        try:
            value = known[key].metadata["check"](raw)
        except _Bad as bad:
            problems.append(f"{dotted}: {bad}")
            continue
        if isinstance(value, Path):
            value = _resolve(value, base)
            if key == "reset_checkpoint" and not (value.exists() or value.is_symlink()):
                problems.append(f"{dotted}: no such file: {value}")
                continue
        values[key] = value
    return cls(**values)


def _resolve(path: Path, base: Path) -> Path:
    """~ expanded; a relative path is taken from the config file's folder, not the working dir."""
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _unknown_section(name: str, value) -> str:
    if not isinstance(value, dict):  # a key written before any [section]
        owners = [s for s, cls in SECTIONS.items() if name in {f.name for f in fields(cls)}]
        if owners:
            return f"{name}: unknown key here; it belongs under [{owners[0]}] ({owners[0]}.{name})"
        return f"{name}: unknown key{_suggest(name, all_keys())}"
    return f"[{name}]: unknown section{_suggest(name, list(SECTIONS), '[{}]')}"


def _unknown_key(section: str, key: str, known: dict) -> str:
    dotted = f"{section}.{key}"
    owners = [s for s, cls in SECTIONS.items() if s != section and key in {f.name for f in fields(cls)}]
    if owners:
        return f"{dotted}: unknown key in [{section}]; it belongs under [{owners[0]}]"
    return f"{dotted}: unknown key{_suggest(key, list(known), section + '.{}')}"


def _suggest(word: str, options: list[str], form: str = "{}") -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {form.format(close[0])}?)" if close else ""


def ensure_folder(path: Path, key: str, config: KioskConfig | None = None) -> Path:
    """Create a configured folder on first use; a failure names the key that chose it."""
    where = f"{config.source}: " if config is not None and config.source else ""
    problem = folder_problem(path)
    if problem:
        raise ConfigError(f"{where}{key}: {problem}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{where}{key}: cannot create folder {path} ({exc.strerror or exc})") from None
    return path
