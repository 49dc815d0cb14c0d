"""`counterfeit-game [play] | train | evaluate`: argument parsing and the one place errors become
exit codes. A UserFacingError prints one line and exits with 2; nothing prints a traceback."""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import sys

from counterfeit_game import __version__
from counterfeit_game.cli_types import seed_value
from counterfeit_game.errors import UserFacingError

SUBCOMMANDS = ("play", "train", "evaluate")


def _common(parser: argparse.ArgumentParser, data_default: str | None = "bundled", data_note: str = "") -> None:
    parser.add_argument("--data", default=data_default,
                        help="MNIST source: 'bundled' (default, offline), 'keras' (Keras's cache, "
                             "downloads if needed), a path to mnist.npz, or a folder of IDX files"
                             + data_note)
    parser.add_argument("--seed", type=seed_value, default=None, help="random seed (default 0)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="counterfeit-game",
        description="Counterfeit: watch a real GAN learn. A counterfeiter (generator) prints bills "
                    "from noise; the police (discriminator) stamp them REAL or FAKE.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{play,train,evaluate}")

    play = commands.add_parser("play", help="open the game (the default)")
    _common(play)
    _add_play(play)

    train = commands.add_parser("train", help="train headless, as the original script")
    _common(train, data_default=None, data_note="; a resumed run keeps its own")  # None: not given
    from counterfeit_game.train_command import add_train_arguments

    add_train_arguments(train)

    evaluate = commands.add_parser("evaluate", help="measure a saved generator's forgeries")
    evaluate.add_argument("-v", "--verbose", action="store_true", help="log more")
    _add_evaluate(evaluate)
    return parser


def _add_play(parser) -> None:
    try:
        from counterfeit_game.game.play_command import add_play_arguments
    except ImportError:
        return
    add_play_arguments(parser)


def _add_evaluate(parser) -> None:
    try:
        from counterfeit_game.evaluate_command import add_evaluate_arguments
    except ImportError:
        return
    add_evaluate_arguments(parser)


def _dispatch(args) -> int:
    if args.command == "train":
        from counterfeit_game.train_command import run_train

        return run_train(args)
    if args.command == "evaluate":
        from counterfeit_game.evaluate_command import run_evaluate

        return run_evaluate(args)
    from counterfeit_game.game.play_command import run_play

    return run_play(args)


def unknown_command(word: str) -> str:
    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1)
    hint = f"did you mean `counterfeit-game {close[0]}`?" if close else f"choose one of {', '.join(SUBCOMMANDS)}"
    return f"unknown command {word!r}; {hint} (`counterfeit-game --help` lists them)"


def command_after_options(word: str, words: list[str]) -> str:
    """`counterfeit-game -v train` reads as the game with a stray word: say where the command goes."""
    if word in SUBCOMMANDS:
        command = " ".join(["counterfeit-game", word] + [w for w in words if w != word])
        return f"the command comes first: `{command}`"
    return unknown_command(word)


def glue_negative_window(argv: list[str]) -> list[str]:
    """`--window -5x10` would read as a missing value (argparse takes -5x10 for an option); joined
    as `--window=-5x10` it reaches the size check and gets its real message."""
    glued: list[str] = []
    for word in argv:
        if glued and glued[-1] == "--window" and word.startswith("-") and word[1:2].isdigit():
            glued[-1] = f"--window={word}"
        else:
            glued.append(word)
    return glued


def main(argv: list[str] | None = None) -> int:
    argv = glue_negative_window(list(sys.argv[1:] if argv is None else argv))
    if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
        print(f"counterfeit-game: {unknown_command(argv[0])}", file=sys.stderr)
        return 2
    # `counterfeit-game` alone, or with only play options, plays.
    implied_play = not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version"))
    if implied_play:
        argv.insert(0, "play")
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        stray = next((word for word in extras
                      if not word.startswith("-") and difflib.get_close_matches(word, SUBCOMMANDS, n=1)), None)
        if implied_play and stray is not None:
            print(f"counterfeit-game: {command_after_options(stray, argv[1:])}", file=sys.stderr)
            return 2
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if args.command in ("train", "evaluate") and not args.verbose and sys.stderr is sys.__stderr__:
        from counterfeit_game.native_logs import silence_native_stderr

        silence_native_stderr()
    try:
        return int(_dispatch(args) or 0)
    except UserFacingError as exc:
        print(f"counterfeit-game: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("counterfeit-game: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `counterfeit-game evaluate ... | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
