"""Hostile machines: no sound device, broken fonts, tiny and odd windows; the filmstrip; play options."""

from __future__ import annotations

import argparse
import logging

import pygame
import pytest

from counterfeit_game.game.audio import Audio, synthesize
from counterfeit_game.game.fonts import Fonts
from counterfeit_game.game.play_command import add_play_arguments, settings_from_args
from counterfeit_game.game.scenes.filmstrip import FilmstripScene
from test_game_helpers import click, frames, key, start_in_workshop


def test_no_sound_device_means_silence_and_a_log_line(monkeypatch, caplog):
    def broken_init(*args, **kwargs):
        raise pygame.error("no audio device")

    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    monkeypatch.setattr(pygame.mixer, "init", broken_init)
    with caplog.at_level(logging.WARNING):
        audio = Audio(enabled=True)
    assert not audio.enabled and "no usable sound device" in audio.reason
    assert "sound off" in caplog.text
    assert audio.play("stamp_real") is False


def test_sounds_are_synthesized_and_thinned_out():
    clock = [0.0]
    audio = Audio(enabled=True, now=lambda: clock[0])  # SDL's dummy audio driver
    assert audio.enabled
    assert audio.play("stamp_real") is True
    assert audio.play("stamp_real") is False  # too soon after the last one
    clock[0] += 0.5
    assert audio.play("stamp_real") is True
    for name in ("stamp_fake", "click", "correct", "wrong", "round_end"):
        wave = synthesize(name)
        assert wave.ndim == 1 and len(wave) > 100 and abs(wave).max() <= 2.0


def test_missing_or_broken_font_falls_back_with_one_log_line(tmp_path, caplog, monkeypatch):
    from counterfeit_game.game import fonts as fonts_module

    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"this is not a font")
    monkeypatch.setattr(fonts_module, "asset_path", lambda *parts: broken)
    with caplog.at_level(logging.WARNING):
        fonts = Fonts({"body": "broken.ttf", "bold": "broken.ttf", "display": "missing.ttf"})
        surface = fonts.render("Step 12", "bold", 20, (0, 0, 0))
        fonts.render("Step 13", "body", 20, (0, 0, 0))
    assert surface.get_width() > 20
    assert caplog.text.count("broken.ttf unusable") == 1


def test_the_whole_game_runs_on_the_fallback_font(tmp_path, monkeypatch):
    from counterfeit_game.game import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "asset_path", lambda *parts: tmp_path / "nope.ttf")
    app, client, clock = start_in_workshop(tmp_path, steps=30)
    frames(app, clock, 10)
    key(app, pygame.K_p)
    frames(app, clock, 5)
    key(app, pygame.K_r)
    frames(app, clock, 5)


@pytest.mark.parametrize("size", [(320, 180), (640, 1000), (3840, 2160)])
def test_tiny_tall_and_huge_windows(tmp_path, size):
    app, client, clock = start_in_workshop(tmp_path)
    pygame.display.set_mode(size, pygame.RESIZABLE)
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=size[0], h=size[1], size=size))
    frames(app, clock, 3)
    vp = app.display.viewport
    assert vp.scaled[0] <= size[0] and vp.scaled[1] <= size[1]
    scene = app.stack.top
    click(app, scene.pause_button.rect.center)  # clicks still land on the right button
    frames(app, clock)
    assert app.paused


def test_filmstrip_scrubs_between_step_zero_and_now(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=250)  # grids at 0, 25, ..., 250
    key(app, pygame.K_g)
    frames(app, clock)
    film = app.stack.top
    assert isinstance(film, FilmstripScene)
    assert film.selected_index == 10  # follows the newest
    key(app, pygame.K_LEFT)
    key(app, pygame.K_LEFT)
    frames(app, clock)
    assert film.frames[film.selected_index].step == 200
    client.advance(25)
    frames(app, clock)
    assert film.frames[film.selected_index].step == 200  # a chosen frame stays put
    click(app, (film.track_rect.x + 20, film.track_rect.centery))  # the start of the scrubber
    frames(app, clock)
    assert film.selected_index == 0 and film.frames[0].step == 0
    key(app, pygame.K_RETURN)  # back to "now"
    frames(app, clock)
    assert film.frames[film.selected_index].step == 275
    key(app, pygame.K_ESCAPE)
    frames(app, clock)
    assert app.stack.top is not film


def test_play_options_parse_and_reject_bad_values(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_play_arguments(parser)
    args = parser.parse_args(["--window", "800x600", "--speed", "max", "--exports", str(tmp_path),
                              "--panels", "desk,chart", "--no-sound", "--frames", "10"])
    settings = settings_from_args(args)
    assert settings.window_size == (800, 600) and settings.speed is None
    assert settings.exports_dir == tmp_path and settings.panels == ("desk", "chart") and not settings.sound
    assert parser.parse_args(["--speed", "2.5"]).speed == 2.5
    for bad in (["--window", "big"], ["--speed", "-1"], ["--panels", "desk,moon"], ["--frames", "0"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
    assert "WIDTHxHEIGHT" in capsys.readouterr().err


def test_the_trainer_process_is_niced_below_the_window():
    import subprocess
    import sys

    import psutil

    from counterfeit_game.game.play_command import WORKER_NICENESS, lower_worker_priority

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        lower_worker_priority()
        assert psutil.Process(child.pid).nice() == max(WORKER_NICENESS, psutil.Process().nice())
    finally:
        child.stdin.close()
        child.wait(timeout=10)
