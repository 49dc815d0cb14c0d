"""Command lines a newcomer types by mistake get one clear line, never a silent surprise or a traceback."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from counterfeit_game import cli


def run_cli(capsys, *argv):
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# --kiosk and the play options it does not take


@pytest.mark.parametrize("option", [["--window", "800x600"], ["--demo"], ["--seed", "3"], ["--no-sound"],
                                    ["--speed", "3"], ["--panels", "chart"], ["--data", "keras"],
                                    ["--architecture", "original"], ["--stats", "s.json"]])
def test_kiosk_refuses_play_options_it_would_ignore(capsys, option):
    code, _, err = run_cli(capsys, "--kiosk", *option)
    assert code == 2 and err.count("\n") == 1
    assert f"{option[0]} is a play option; kiosk mode takes its settings from the config file" in err


def test_kiosk_passes_frames_and_screenshot_through(monkeypatch):
    import counterfeit_game.kiosk.app as kiosk_app

    seen = {}
    monkeypatch.setattr(kiosk_app, "run_kiosk", lambda config, **kw: seen.update(kw, config=config) or 0)
    assert cli.main(["--kiosk", "--frames", "7", "--screenshot", "k.png", "--tf-threads", "1"]) == 0
    assert seen["max_frames"] == 7 and str(seen["screenshot"]) == "k.png" and seen["tf_threads"] == 1


# no display


def test_no_display_stops_with_one_line_instead_of_an_invisible_window(monkeypatch, capsys):
    import pygame

    import counterfeit_game.game.display as display

    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "offscreen")
    monkeypatch.setattr(pygame.display, "get_init", lambda: True)
    monkeypatch.setattr(pygame.display, "quit", lambda: None)
    for argv in (["--demo", "--frames", "1"], ["--kiosk", "--frames", "1"]):
        code, _, err = run_cli(capsys, *argv)
        assert code == 2 and "no display to open the game window on" in err and "counterfeit-game train" in err
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")  # chosen on purpose: allowed
    display.require_visible_display()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="elsewhere SDL finds the desktop without DISPLAY")
def test_no_display_end_to_end_is_exactly_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "counterfeit_game", "--demo", "--frames", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["counterfeit-game: no display to open the game window on (DISPLAY is "
                                        "not set); for a headless run use `counterfeit-game train`"]


# seeds


@pytest.mark.parametrize("argv", [["play", "--seed", "-1"], ["play", "--demo", "--seed", "-5"],
                                  ["train", "--seed", "-1"], ["evaluate", "g.keras", "--seed", "-1"],
                                  ["train", "--seed", str(2**32)]])
def test_seeds_outside_what_numpy_accepts_are_argument_errors(capsys, argv):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "argument --seed" in err and "outside 0..4294967295" in err


def test_the_largest_seed_is_accepted():
    assert cli.build_parser().parse_args(["train", "--seed", str(2**32 - 1)]).seed == 2**32 - 1


# --speed


def test_speed_refuses_infinity_and_takes_huge_values_as_max():
    from counterfeit_game.game.play_command import speed_value
    from counterfeit_game.game.settings import SPEED_LEVELS, speed_index

    for bad in ("inf", "-inf", "nan", "Infinity"):
        with pytest.raises(argparse.ArgumentTypeError, match="finite|above 0"):
            speed_value(bad)
    assert speed_value("1e9") is None and speed_value("31") is None
    assert speed_index(speed_value("1e9")) == len(SPEED_LEVELS) - 1
    assert speed_value("30") == 30 and speed_value("0.2") == 0.2


def test_panels_error_names_the_option_once(capsys):
    code, _, err = run_cli(capsys, "--panels", "")
    assert code == 2 and err.count("--panels") == 2  # usage line + the one message
    assert "argument --panels: show at least one" in err


# small things


@pytest.mark.parametrize("word, hint", [("trian", "did you mean `counterfeit-game train`?"),
                                        ("evalute", "did you mean `counterfeit-game evaluate`?"),
                                        ("banana", "choose one of play, train, evaluate")])
def test_a_mistyped_command_suggests_the_close_one(capsys, word, hint):
    code, _, err = run_cli(capsys, word, "--steps", "5")
    assert code == 2 and err.count("\n") == 1 and f"unknown command {word!r}; {hint}" in err


def test_a_negative_window_size_gets_the_size_message(capsys):
    code, _, err = run_cli(capsys, "--window", "-5x10")
    assert code == 2 and "window size '-5x10' is out of range" in err
    assert cli.build_parser().parse_args(cli.glue_negative_window(["play", "--window", "800x600"])).window == (800, 600)


def test_train_takes_tf_threads_like_play():
    assert cli.build_parser().parse_args(["train", "--tf-threads", "2"]).tf_threads == 2
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["train", "--tf-threads", "0"])


@pytest.mark.parametrize("words, message", [
    (["-v", "trian"], "unknown command 'trian'; did you mean `counterfeit-game train`?"),
    (["-v", "train", "--steps", "5"], "the command comes first: `counterfeit-game train -v --steps 5`"),
    (["--steps", "5", "evaluate"], "the command comes first: `counterfeit-game evaluate --steps 5`"),
])
def test_a_command_after_the_options_is_pointed_to_its_place(capsys, words, message):
    code, _, err = run_cli(capsys, *words)
    assert code == 2 and err.count("\n") == 1 and message in err


def test_other_stray_words_keep_argparse_message(capsys):
    code, _, err = run_cli(capsys, "--speed", "3", "banana")
    assert code == 2 and "unrecognized arguments: banana" in err


# counts that would exhaust memory (or time) are refused by argparse, in one line


@pytest.mark.parametrize("argv, message", [
    (["evaluate", "g.keras", "--n", "100000000000"], "argument --n: 100000000000 must be at most 100000"),
    (["evaluate", "g.keras", "--n", "9"], "argument --n: 9 must be at least 10"),
    (["train", "--batch-size", "100000"], "argument --batch-size: 100000 must be at most 4096"),
    (["train", "--steps", "1000001"], "argument --steps: 1000001 must be at most 1000000"),
    (["train", "--sample-interval", "1000001"], "argument --sample-interval: 1000001 must be at most 1000000"),
    (["train", "--tf-threads", "100000"], "argument --tf-threads: 100000 must be at most 256"),
    (["play", "--tf-threads", "100000"], "argument --tf-threads: 100000 must be at most 256"),
])
def test_counts_past_their_bound_are_one_argument_error(capsys, monkeypatch, argv, message):
    import counterfeit_game.data as data
    import counterfeit_game.game.app as game_app

    # refused while parsing: nothing is loaded, trained or opened
    monkeypatch.setattr(data, "load_mnist", lambda *a, **k: pytest.fail("the data must not load"))
    monkeypatch.setattr(game_app, "GameApp", lambda *a, **k: pytest.fail("the window must not open"))
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "" and "Traceback" not in err
    last = err.splitlines()[-1]
    assert last.startswith(f"counterfeit-game {argv[0]}: error: ") and message in last


def test_the_bounds_themselves_are_accepted_and_explained():
    parser = cli.build_parser()
    assert parser.parse_args(["evaluate", "g.keras", "--n", "100000"]).n == 100_000
    train = parser.parse_args(["train", "--batch-size", "4096", "--steps", "1000000", "--tf-threads", "256"])
    assert (train.batch_size, train.steps, train.tf_threads) == (4096, 1_000_000, 256)
    helps = {}
    for action in parser._subparsers._group_actions[0].choices["evaluate"]._actions:
        helps.update(dict.fromkeys(action.option_strings, action.help or ""))
    assert "10 to 100,000" in helps["--n"] and "memory" in helps["--n"]
