"""What an operator or a player may change about the game, in one place.

A kiosk controller builds one of these from its config file; the play command builds one from the
command line. Scenes read it and never look at argv or files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

# Panels of the workshop that can be hidden (e.g. a kiosk may drop the loss chart).
PANEL_DESK = "desk"
PANEL_CHART = "chart"
PANEL_WALL = "wall"
PANEL_QUALITY = "quality"  # the examiner's forgery-quality meter and the digits it can forge
PANEL_GUESS = "guess"  # the "You be the police" button (a lesson or a kiosk may not want the game)
SCREEN_PANELS = (PANEL_DESK, PANEL_CHART, PANEL_WALL, PANEL_QUALITY)  # at least one must show
ALL_PANELS = (*SCREEN_PANELS, PANEL_GUESS)


def panels_problem(panels) -> str | None:
    """Why this choice of panels cannot be shown, or None: one check for the command line and
    the kiosk config."""
    listed = ", ".join(ALL_PANELS)
    unknown = [p for p in panels if p not in ALL_PANELS]
    if unknown:
        return f"unknown panel {unknown[0]!r}; panels are {listed}"
    if not any(p in SCREEN_PANELS for p in panels):
        return f"show at least one of {', '.join(SCREEN_PANELS)}: the screen would be empty"
    return None

# The speed ladder, slowest first. None is "as fast as possible". Speeds at or below
# SLOW_MOTION_MAX walk through the stages of each step with narration.
SPEED_LEVELS: tuple[float | None, ...] = (0.2, 0.5, 1.0, 3.0, 10.0, 30.0, None)
SLOW_MOTION_MAX = 0.5


def default_home() -> Path:
    return Path.home() / "counterfeit_game"


@dataclass(frozen=True)
class Difficulty:
    """What a difficulty (`play --difficulty`, the kiosk's ``game.difficulty``) changes: only the guessing game, never the training itself."""

    round_length: int  # bills per guess round
    fake_age: float  # fakes come from the counterfeiter as it was at this fraction of its steps so far
    best_of: int  # print this many fakes per fake shown and show the police's favourite


DIFFICULTIES = {
    "easy": Difficulty(round_length=6, fake_age=1 / 3, best_of=1),
    "normal": Difficulty(round_length=10, fake_age=1.0, best_of=1),
    "hard": Difficulty(round_length=10, fake_age=1.0, best_of=3),
}


@dataclass(frozen=True)
class GameSettings:
    exports_dir: Path = field(default_factory=lambda: default_home() / "exports")
    scores_path: Path = field(default_factory=lambda: default_home() / "scores.json")
    panels: tuple[str, ...] = ALL_PANELS
    sound: bool = True
    volume: float = 0.6  # 0..1
    speed: float | None = None  # steps per second at start; None = as fast as possible
    fps: int = 60
    window_size: tuple[int, int] = (1280, 720)
    fullscreen: bool = False
    grid_interval: int = 25  # the progress wall gets a new 5x5 grid every this many steps
    # The examiner grades the counterfeits every this many steps (0: never; its panel then says so).
    quality_interval: int = 200
    guess_round_length: int = 10
    guess_pauses_training: bool = True
    # Difficulty of a guessing round: fakes from the counterfeiter as it was at this fraction of its
    # steps so far (below 1: younger, easier to spot), and the police's favourite of this many fakes.
    guess_fake_age: float = 1.0
    guess_best_of: int = 1
    bills_shown: int = 5  # bills per row on the desk at the logical 1280x720 size
    language: str = "en"
    # Keyboard hints on buttons and in help ("Space", "→", "(E)"); a touch-only kiosk turns them off.
    show_key_hints: bool = True

    def with_difficulty(self, name: str) -> "GameSettings":
        rules = DIFFICULTIES[name]
        return replace(self, guess_round_length=rules.round_length, guess_fake_age=rules.fake_age,
                       guess_best_of=rules.best_of)

    def with_changes(self, **changes) -> "GameSettings":
        return replace(self, **changes)

    def shows(self, panel: str) -> bool:
        return panel in self.panels


def speed_index(speed: float | None) -> int:
    """The ladder position nearest to ``speed`` (None = the last, unlimited)."""
    if speed is None:
        return len(SPEED_LEVELS) - 1
    finite = [(abs(level - speed), i) for i, level in enumerate(SPEED_LEVELS) if level is not None]
    return min(finite)[1]


def is_slow_motion(speed: float | None) -> bool:
    return speed is not None and speed <= SLOW_MOTION_MAX
