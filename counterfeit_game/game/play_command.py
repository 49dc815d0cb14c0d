"""`counterfeit-game` / `counterfeit-game play`: the game window, plus headless frame statistics.

The CLI owns the parser (and adds --data and --seed); these two functions add the play options
and run the game with them.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
from pathlib import Path

from counterfeit_game.cli_types import non_negative_int, positive_int, tf_threads_value, unit_interval
from counterfeit_game.errors import UserFacingError, folder_problem
from counterfeit_game.game.settings import (ALL_PANELS, DIFFICULTIES, SPEED_LEVELS, GameSettings, default_home,
                                             panels_problem)
from counterfeit_game.hyperparams import GAME_ARCHITECTURES, game_config, game_quality_interval

log = logging.getLogger(__name__)

WORKER_NICENESS = 5  # the trainer yields to the window when both want the CPU



def window_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"window size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if width < 160 or height < 90 or width > 16384 or height > 16384:
        raise argparse.ArgumentTypeError(f"window size {text!r} is out of range (160x90 to 16384x16384)")
    return width, height


def speed_value(text: str) -> float | None:
    if text.lower() in ("max", "maximum", "unlimited"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed {text!r} is not a number of steps per second or 'max'") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"speed {text!r} is not a finite number of steps per second "
                                         "(use 'max' for as fast as possible)")
    if not value > 0:
        raise argparse.ArgumentTypeError("speed must be above 0 steps per second (or 'max')")
    if value > FASTEST_FINITE_SPEED:
        return None  # faster than the fastest rung of the speed control is its top rung: max
    return value


FASTEST_FINITE_SPEED = max(level for level in SPEED_LEVELS if level is not None)


def panel_list(text: str) -> tuple[str, ...]:
    panels = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    problem = panels_problem(panels)
    if problem:
        raise argparse.ArgumentTypeError(problem)  # argparse already names --panels
    return panels


def add_play_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("game window")
    group.add_argument("--window", type=window_size, default=(1280, 720), metavar="WxH",
                       help="window size (default 1280x720; the window can be resized)")
    group.add_argument("--fullscreen", action="store_true", help="start in fullscreen (F11 toggles)")
    group.add_argument("--speed", type=speed_value, default=None, metavar="STEPS_PER_S",
                       help="training speed at start: steps per second, or 'max' (default)")
    group.add_argument("--exports", type=Path, default=None, metavar="DIR",
                       help=f"folder for exported PNGs (default {default_home() / 'exports'})")
    group.add_argument("--scores", type=Path, default=None, metavar="FILE",
                       help=f"best-scores file (default {default_home() / 'scores.json'})")
    group.add_argument("--panels", type=panel_list, default=ALL_PANELS, metavar="LIST",
                       help=f"panels to show, comma separated: {','.join(ALL_PANELS)} (default all)")
    group.add_argument("--no-sound", action="store_true", help="play without sound")
    group.add_argument("--volume", type=unit_interval, default=0.6, help="sound volume 0..1 (default 0.6)")
    group.add_argument("--tf-threads", type=tf_threads_value, default=None, metavar="N",
                       help="threads the trainer may use, 1 to 256 (default: TensorFlow's choice)")
    group.add_argument("--difficulty", choices=tuple(DIFFICULTIES), default="normal",
                       help="the guessing game: easy (6 bills, fakes from a younger counterfeiter), normal "
                            "(10 bills as it prints them now), hard (10 bills, the police's favourite of 3)")
    group.add_argument("--architecture", choices=GAME_ARCHITECTURES, default="dcgan",
                       help="the counterfeiter and police to train: 'dcgan' (default), the fast "
                            "convolutional \"master counterfeiter\", readable digits within a "
                            "minute; 'original', the article's dense networks, slower to good digits")
    group.add_argument("--demo", action="store_true",
                       help="a scripted stand-in for training (no TensorFlow): for trying the interface")
    kiosk = parser.add_argument_group("kiosk mode")
    kiosk.add_argument("--kiosk", action="store_true",
                       help="unattended touch-screen mode: fullscreen, attract mode, exit by gesture and PIN")
    kiosk.add_argument("--config", type=Path, default=None, metavar="FILE.toml",
                       help="kiosk settings (see README, 'Kiosk mode'); with --kiosk")
    bench = parser.add_argument_group("measuring")
    bench.add_argument("--frames", type=positive_int, default=None, metavar="N",
                       help="quit after N frames (with --stats/--screenshot; works with SDL_VIDEODRIVER=dummy)")
    bench.add_argument("--stats", type=Path, default=None, metavar="FILE.json",
                       help="write frame-time and training-speed figures to this JSON file on exit")
    bench.add_argument("--measure-after-step", type=non_negative_int, default=0, metavar="K",
                       help="measure (and count --frames) only from training step K on, after XLA's warm-up")
    bench.add_argument("--screenshot", type=Path, default=None, metavar="FILE.png",
                       help="save the window as a PNG on exit")


def settings_from_args(args) -> GameSettings:
    settings = GameSettings(window_size=args.window, fullscreen=args.fullscreen, speed=args.speed,
                            panels=args.panels, sound=not args.no_sound,
                            volume=max(0.0, min(1.0, args.volume)),
                            quality_interval=game_quality_interval(getattr(args, "architecture", None)
                                                                   or "dcgan"))
    settings = settings.with_difficulty(getattr(args, "difficulty", "normal"))
    if args.exports is not None:
        settings = settings.with_changes(exports_dir=args.exports.expanduser())
    if args.scores is not None:
        settings = settings.with_changes(scores_path=args.scores.expanduser())
    return settings


def make_client(args, settings: GameSettings):
    if getattr(args, "demo", False):
        from counterfeit_game.game.scripted_client import ScriptedClient

        return ScriptedClient(seed=getattr(args, "seed", 0) or 0, grid_interval=settings.grid_interval,
                              quality_interval=settings.quality_interval, ready_after_s=1.5)
    from counterfeit_game.worker import TrainerClient

    architecture = getattr(args, "architecture", None) or "dcgan"
    config = game_config(architecture, getattr(args, "seed", None))
    return TrainerClient(config=config, data=getattr(args, "data", None) or "bundled", mode="process",
                         grid_interval=settings.grid_interval, speed=settings.speed,
                         quality_interval=settings.quality_interval,
                         tf_threads=getattr(args, "tf_threads", None))


def check_user_data(args) -> None:
    """A --data path of the user's is read here first (TF-free), so a bad file is one line and exit 2
    before any window opens, rather than an error screen whose "Try again" re-reads the same file.
    The bundled set and Keras's cache are left to the trainer (the latter may download)."""
    source = getattr(args, "data", None)
    if getattr(args, "demo", False) or source is None or str(source) in ("bundled", "keras"):
        return
    from counterfeit_game.data import load_mnist

    load_mnist(source)  # raises DataError with one line; the arrays are dropped at once


def check_scores_path(path: Path | None) -> None:
    """--scores names the best-scores *file*: a folder there (or a file where its folder should be)
    would only fail at the first save, as a log line nobody at the window reads."""
    if path is None:
        return
    path = path.expanduser()
    if path.is_dir():
        raise UserFacingError(f"--scores {path}: is a folder, not a file; give the best-scores file, "
                              f"e.g. --scores {path / 'scores.json'}")
    problem = folder_problem(path.parent)
    if problem:
        raise UserFacingError(f"--scores {path}: {problem}")


def lower_worker_priority(niceness: int = WORKER_NICENESS) -> None:
    """Let the window win the CPU over the trainer's threads when they compete (2-core machines).

    Only this process's children (the trainer) are touched; an idle window takes nothing away."""
    try:
        import psutil

        for child in psutil.Process(os.getpid()).children(recursive=True):
            try:
                child.nice(max(child.nice(), niceness))
            except (psutil.Error, OSError, ValueError):
                pass
    except Exception as exc:  # noqa: BLE001 - an optimisation, never a reason to stop
        log.debug("could not lower the trainer's priority: %s", exc)


# Play options that kiosk mode does not take: its settings come from the config file.
KIOSK_REFUSES = ("demo", "data", "seed", "no_sound", "volume", "window", "fullscreen", "panels", "speed",
                 "architecture", "difficulty", "exports", "scores", "stats", "measure_after_step")


def refuse_play_options_in_kiosk(args, defaults: dict) -> None:
    """A play option given with --kiosk would be silently ignored; say so instead."""
    for name in KIOSK_REFUSES:
        if name in defaults and getattr(args, name, defaults[name]) != defaults[name]:
            option = "--" + name.replace("_", "-")
            raise UserFacingError(f"{option} is a play option; kiosk mode takes its settings from the "
                                  "config file (see README)")


def run_play(args) -> int:
    if getattr(args, "kiosk", False) or getattr(args, "config", None) is not None:
        if not getattr(args, "kiosk", False):
            raise UserFacingError("--config is for kiosk mode: add --kiosk")
        from counterfeit_game.cli import build_parser

        refuse_play_options_in_kiosk(args, vars(build_parser().parse_args(["play"])))
        from counterfeit_game.kiosk.app import run_kiosk

        return run_kiosk(args.config, tf_threads=args.tf_threads, max_frames=args.frames,
                         screenshot=args.screenshot)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = settings_from_args(args)
    check_scores_path(args.scores)
    check_user_data(args)
    import pygame  # noqa: F401 - after argument errors, so --help stays quick

    from counterfeit_game.game.app import GameApp
    from counterfeit_game.game.display import require_visible_display

    require_visible_display()

    client = make_client(args, settings)
    app = None
    try:
        app = GameApp(client, settings)
        app.stats.warmup_steps = max(0, args.measure_after_step)
        app.start()
        lower_worker_priority()
        return app.run(max_frames=args.frames, screenshot=args.screenshot, stats_path=args.stats)
    except pygame.error as exc:
        raise UserFacingError(f"the game window could not open: {exc}") from None
    finally:
        pygame.display.quit()  # the window goes at once; the trainer may take a moment to finish
        try:
            client.close()
        finally:
            pygame.quit()
