"""Key hints on buttons and in help: shown at a desk, left off on a touch-only screen."""

from __future__ import annotations

import pygame
import pytest

from counterfeit_game import i18n
from counterfeit_game.game.scenes.workshop import WorkshopScene
from counterfeit_game.game.widgets.key_hints import without_key_hints
from test_game_helpers import frames, key, start_in_workshop


def all_buttons(app):
    scene = app.stack.top
    return [value for value in vars(scene).values() if hasattr(value, "hint") and hasattr(value, "on_press")]


@pytest.mark.parametrize("show", [True, False])
def test_buttons_carry_key_hints_only_when_asked(tmp_path, show):
    app, client, clock = start_in_workshop(tmp_path, show_key_hints=show)
    buttons = all_buttons(app)
    assert any(b.text == i18n.t("controls.pause") for b in buttons)
    assert all(bool(b.hint) == show for b in buttons if b.help_key and b.help_key.startswith("help.controls.")
               and b.help_key != "help.controls.help")
    key(app, pygame.K_SPACE)  # paused: the narration says what to do
    frames(app, clock, 5)
    assert isinstance(app.stack.top, WorkshopScene)
    line = app.stack.top._paused_line()
    assert ("Space" in line) == show
    key(app, pygame.K_p)  # a guessing round, then its results
    frames(app, clock, 3)
    guess_buttons = all_buttons(app)
    assert guess_buttons and all(bool(b.hint) == show for b in guess_buttons)


def test_help_texts_lose_their_key_names_on_a_touch_screen():
    assert without_key_hints(i18n.t("help.controls.pause.text")).startswith("Stop and restart training. While")
    assert "(E)" not in without_key_hints(i18n.t("help.controls.export.text"))
    assert without_key_hints("loss (D) and (G)") == "loss (D) and"  # only key names go
    i18n.set_language("es")
    try:
        assert "(Intro)" not in without_key_hints(i18n.t("help.results.again.text"))
        assert "(Espacio)" not in without_key_hints(i18n.t("help.controls.pause.text"))
    finally:
        i18n.set_language("en")
