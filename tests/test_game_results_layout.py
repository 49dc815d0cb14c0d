"""The results screen fits 4:3 and 16:9 in both languages: nothing touches a panel's rim or wraps alone."""

from __future__ import annotations

import pygame
import pytest

from counterfeit_game import i18n
from counterfeit_game.game import theme
from counterfeit_game.game.scenes.results import ResultsScene, unbroken_parts
from counterfeit_game.game.scores import RoundResult
from test_game_helpers import make_app


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [1024, 1280])
def test_panels_and_figures_stay_inside(tmp_path, language, width):
    i18n.set_language(language)
    try:
        app, client, clock = make_app(tmp_path)
        result = RoundResult(8, 10, 10, 3, 5, 5, 5, 2, police_fakes_caught=5, police_reals_passed=5, step=300)
        scene = ResultsScene(app, result, rank=0, resume_after=False)
        size = (width, theme.LOGICAL_HEIGHT)
        scene.layout(size)
        scene.draw(pygame.Surface(size))
        screen = pygame.Rect((0, 0), size).inflate(-20, 0)
        assert screen.contains(scene.table_rect) and screen.contains(scene.best_rect)
        assert not scene.table_rect.colliderect(scene.best_rect)
        widest = app.fonts.get("bold", 20).size("10/10 (100%)")[0]
        assert scene.table_columns[2] + widest <= scene.table_rect.right - 16  # clear of the rim
        assert scene.table_columns[1] + widest <= scene.table_columns[2]  # "8/10 (80%)" clear of the police
        stats = unbroken_parts(i18n.t("results.best.stats", rounds=3, beaten=0, streak=2))
        lines = app.fonts.wrap(stats, "body", 15, scene.best_rect.width - 20)
        assert all(not line.strip().isdigit() for line in lines)
        assert any(line.rstrip().endswith("2") and len(line.strip()) > 1 for line in lines)
    finally:
        i18n.set_language("en")
