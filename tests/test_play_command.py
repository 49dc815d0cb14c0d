"""`play`'s training options reach the trainer the game starts (nothing is started here)."""

from __future__ import annotations

import pytest

from counterfeit_game import cli
from counterfeit_game.game.play_command import make_client, settings_from_args
from counterfeit_game.hyperparams import GAME_PRESET, GanConfig, game_config


def client_for(*argv):
    args = cli.build_parser().parse_args(["play", *argv])
    return make_client(args, settings_from_args(args))


def test_the_game_trains_the_fast_preset_and_measures_its_quality():
    client = client_for()
    options = client._options
    assert options["config"] == GAME_PRESET
    assert options["quality_interval"] == 250
    assert settings_from_args(cli.build_parser().parse_args(["play"])).quality_interval == 250
    assert client._worker is None, "making the client starts nothing"


def test_architecture_and_seed_reach_the_trainers_config():
    options = client_for("--architecture", "original", "--seed", "4")._options
    assert options["config"] == game_config("original", 4) == GanConfig(seed=4)
    assert options["quality_interval"] == 500
    assert client_for("--architecture", "dcgan", "--seed", "4")._options["config"].seed == 4


def test_unknown_architecture_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["play", "--architecture", "big"])
    assert info.value.code == 2 and "invalid choice: 'big'" in capsys.readouterr().err


def test_demo_client_reports_quality():
    client = client_for("--demo")
    client.start()
    client.advance(1)
    assert type(client).__name__ == "ScriptedClient" and client.poll().quality is not None
    assert client.quality_interval == 250


def test_panels_take_the_same_names_as_the_kiosk_and_refuse_an_empty_screen():
    import argparse

    import pytest

    from counterfeit_game.game.play_command import panel_list
    from counterfeit_game.game.settings import ALL_PANELS

    assert panel_list("chart,guess") == ("chart", "guess")
    assert panel_list("quality, quality") == ("quality",)
    assert "guess" in ALL_PANELS and "quality" in ALL_PANELS
    for bad, why in (("guess", "screen would be empty"), ("", "screen would be empty"),
                     ("desk,moon", "unknown panel 'moon'")):
        with pytest.raises(argparse.ArgumentTypeError, match=why):
            panel_list(bad)


def test_bad_data_of_the_users_is_one_line_before_any_window(tmp_path, capsys, monkeypatch):
    import counterfeit_game.game.app as game_app

    monkeypatch.setattr(game_app, "GameApp", lambda *a, **k: pytest.fail("the window must not open"))
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"PK\x03\x04 not really")
    for source, why in ((bad, "not a readable .npz archive"), (tmp_path / "nowhere", "no such file or folder")):
        code = cli.main(["--data", str(source)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and err.startswith("counterfeit-game: ") and why in err


def test_good_user_data_passes_the_check(small_mnist_npz):
    from counterfeit_game.game.play_command import check_user_data

    args = cli.build_parser().parse_args(["play", "--data", str(small_mnist_npz)])
    assert check_user_data(args) is None
    check_user_data(cli.build_parser().parse_args(["play", "--demo", "--data", "/nowhere"]))  # demo reads none


def test_difficulty_sets_the_guessing_rounds_like_the_kiosk(tmp_path):
    import argparse

    import pytest

    from counterfeit_game.errors import UserFacingError
    from counterfeit_game.game.play_command import (add_play_arguments, refuse_play_options_in_kiosk,
                                                    settings_from_args)
    from counterfeit_game.kiosk.config import DIFFICULTIES

    parser = argparse.ArgumentParser()
    add_play_arguments(parser)
    normal = settings_from_args(parser.parse_args([]))
    assert (normal.guess_round_length, normal.guess_fake_age, normal.guess_best_of) == (10, 1.0, 1)
    easy = settings_from_args(parser.parse_args(["--difficulty", "easy"]))
    assert (easy.guess_round_length, easy.guess_fake_age, easy.guess_best_of) == \
        (DIFFICULTIES["easy"].round_length, DIFFICULTIES["easy"].fake_age, 1)
    hard = settings_from_args(parser.parse_args(["--difficulty", "hard"]))
    assert hard.guess_best_of == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["--difficulty", "impossible"])
    defaults = vars(parser.parse_args([]))
    with pytest.raises(UserFacingError, match="--difficulty is a play option"):
        refuse_play_options_in_kiosk(parser.parse_args(["--difficulty", "hard"]), defaults)


def test_scores_in_a_folder_are_refused_before_any_window(tmp_path, capsys, monkeypatch):
    import counterfeit_game.game.app as game_app

    monkeypatch.setattr(game_app, "GameApp", lambda *a, **k: pytest.fail("the window must not open"))
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for scores, why in ((tmp_path, f"--scores {tmp_path}: is a folder, not a file"),
                        (a_file / "scores.json", f"{a_file} is a file, not a folder")):
        code = cli.main(["--demo", "--scores", str(scores)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and err.startswith("counterfeit-game: ") and why in err


def test_a_scores_file_that_does_not_exist_yet_is_fine(tmp_path):
    from counterfeit_game.game.play_command import check_scores_path

    assert check_scores_path(tmp_path / "new" / "scores.json") is None
    assert check_scores_path(None) is None
