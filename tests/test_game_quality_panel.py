"""The examiner in the game: the quality meter and digits panel in the workshop, the examiner's
reading in a guessing round's reveal, the round's difficulty, and stamps in the player's language."""

from __future__ import annotations

import itertools

import numpy as np
import pygame
import pytest

from counterfeit_game.game import theme
from counterfeit_game.game.scenes.guess import GuessScene, Question, examiner_text, sample_readings
from counterfeit_game.game.scenes.workshop import WorkshopScene
from counterfeit_game.game.settings import ALL_PANELS, PANEL_QUALITY
from counterfeit_game.game.widgets.stamp import StampArt
from counterfeit_game.i18n import catalog, set_language, t
from counterfeit_game import protocol
from counterfeit_game.snapshot import StepBills
from test_game_helpers import (QualityClient, click, frames, key, make_app, open_help, quality_report,
                               start_in_workshop)

WITHOUT_QUALITY = tuple(p for p in ALL_PANELS if p != PANEL_QUALITY)


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def quality_app(tmp_path, steps=30, **kw):
    app, client, clock = make_app(tmp_path, client=QualityClient(auto=False), **kw)
    client._now = clock.now
    app.start(WorkshopScene(app))
    client.advance(steps)
    frames(app, clock, 2)
    return app, client, clock


def lit_pixels(surface, rect, color, tolerance=12) -> int:
    area = pygame.surfarray.array3d(surface.subsurface(rect)).astype(int)
    return int(np.count_nonzero(np.abs(area - np.array(color)).sum(axis=2) <= tolerance))


# -- the workshop panel -----------------------------------------------------------------------------
def test_quality_is_a_panel_that_can_be_hidden():
    assert PANEL_QUALITY == "quality" and PANEL_QUALITY in ALL_PANELS


def test_before_the_first_report_the_panel_says_when_to_expect_it(tmp_path):
    app, client, clock = quality_app(tmp_path, quality_interval=250)
    scene = app.stack.top
    assert scene.quality_strip.width > 0
    assert scene.quality_meter.waiting == t("quality.meter.waiting_every", n="250")
    assert "250" in scene.quality_meter.waiting
    assert scene.quality_meter.shown is None  # no needle, no zero score
    assert scene.quality_meter.renders >= 1 and scene.digit_panel.renders >= 1
    # Only dark tiles: no digit shown as forged.
    assert lit_pixels(app.display.canvas, scene.digits_rect, theme.BILL_PAPER) == 0


def test_a_report_fills_the_meter_and_lights_its_digits(tmp_path):
    app, client, clock = quality_app(tmp_path)
    scene = app.stack.top
    client.quality = quality_report(step=30, score=40.0, coverage=3, histogram=(0, 300, 0, 0, 0, 0, 0, 200, 0, 90))
    frames(app, clock, 3)
    assert scene.quality_meter.shown == pytest.approx(40.0)  # the first score is shown at once
    assert lit_pixels(app.display.canvas, scene.digits_rect, theme.BILL_PAPER) > 0
    tiles = [tile.move(scene.digits_rect.topleft) for tile in scene.digit_panel._tiles]
    lit = [lit_pixels(app.display.canvas, tile.inflate(-8, -8), theme.BILL_PAPER) > 0 for tile in tiles]
    assert lit == [d in (1, 7, 9) for d in range(10)]


def test_the_panels_are_redrawn_only_when_the_report_changes(tmp_path):
    app, client, clock = quality_app(tmp_path)
    scene = app.stack.top
    app.always_redraw = True
    client.quality = quality_report(step=30, score=20.0)
    frames(app, clock, 2)
    meter, digits = scene.quality_meter.renders, scene.digit_panel.renders
    client.advance(20)  # new steps, same report
    frames(app, clock, 30)
    assert (scene.quality_meter.renders, scene.digit_panel.renders) == (meter, digits)
    client.quality = quality_report(step=50, score=35.0)
    frames(app, clock, 2)
    assert (scene.quality_meter.renders, scene.digit_panel.renders) == (meter + 1, digits + 1)


def test_the_needle_keeps_the_frame_alive_until_it_settles(tmp_path):
    app, client, clock = quality_app(tmp_path)
    scene = app.stack.top
    key(app, pygame.K_SPACE)  # paused: nothing else moves
    client.quality = quality_report(step=30, score=20.0, coverage=4)
    frames(app, clock, 120)
    assert not scene.animating()
    client.quality = quality_report(step=30, score=60.0, coverage=5)  # one more digit forged
    frames(app, clock, 2)
    assert scene.animating() and 20.0 < scene.quality_meter.shown < 60.0
    frames(app, clock, 60 * 3)
    assert scene.quality_meter.shown == 60.0 and not scene.animating()


def test_hiding_the_panel_gives_the_desk_its_height_back(tmp_path):
    with_quality, _client, clock = quality_app(tmp_path)
    without, client, clock = quality_app(tmp_path, panels=WITHOUT_QUALITY)
    client.quality = quality_report()
    frames(without, clock, 3)
    scene = without.stack.top
    assert scene.quality_strip.width == 0
    assert scene.quality_meter.renders == 0 and scene.digit_panel.renders == 0
    assert not any(key.startswith("help.quality") for _rect, key in scene.help_targets())
    assert scene.desk_rect.height > with_quality.stack.top.desk_rect.height


def test_the_examiner_switched_off_is_said_not_waited_for(tmp_path):
    app, client, clock = quality_app(tmp_path, quality_interval=0)
    scene = app.stack.top
    assert scene.quality_meter.waiting == t("quality.meter.off")
    assert scene.digit_panel.waiting == t("quality.coverage.off")


LAYOUTS = [p for n in range(1, 5) for p in itertools.combinations(ALL_PANELS, n) if PANEL_QUALITY in p]


@pytest.mark.parametrize("width", [1024, 1280, 1600])
@pytest.mark.parametrize("language", ["en", "es"])
def test_panels_stay_on_the_canvas_and_apart(tmp_path, width, language):
    set_language(language)
    app, client, clock = make_app(tmp_path)
    workshop_area = pygame.Rect(0, theme.TOP_BAR_H, width, theme.LOGICAL_HEIGHT - theme.TOP_BAR_H - theme.BOTTOM_BAR_H)
    for panels in LAYOUTS + [WITHOUT_QUALITY]:
        app.settings = app.settings.with_changes(panels=panels)
        scene = WorkshopScene(app)
        scene.layout((width, theme.LOGICAL_HEIGHT))
        rects = {name: r for name, r in (("desk", scene.desk_rect), ("chart", scene.chart_rect),
                                         ("wall", scene.wall_rect), ("meter", scene.quality_meter_rect),
                                         ("digits", scene.digits_rect)) if r.width}
        assert ("meter" in rects) == (PANEL_QUALITY in panels), panels
        for name, rect in rects.items():
            assert workshop_area.contains(rect), (panels, name, rect)
            assert rect.height >= 90 and rect.width >= 200, (panels, name, rect)
        for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
            assert not ra.colliderect(rb), (panels, a, b)
        if scene.desk_rect.width:
            label_top = min(label.y for label, _slots in scene.rows.values())
            assert scene.narration_rect.bottom <= label_top, panels
            for label, slots in scene.rows.values():
                for slot in slots:
                    assert scene.desk_rect.contains(slot), panels
                    assert slot.bottom + 16 <= scene.footer_y, panels  # the score bar clears the footer
            assert scene.bill_art.width >= 100, panels  # bills stay readable under the examiner's strip


def test_help_explains_the_meter_and_the_digits(tmp_path):
    app, client, clock = quality_app(tmp_path)
    workshop = app.stack.top
    targets = dict((key, rect) for rect, key in workshop.help_targets())
    assert targets["help.quality.meter"] == workshop.quality_meter_rect
    assert targets["help.quality.digits"] == workshop.digits_rect
    for language in ("en", "es"):
        texts = catalog(language)
        for name in ("meter", "digits"):
            assert texts[f"help.quality.{name}.title"] and texts[f"help.quality.{name}.text"]
    english = catalog("en")
    assert "FED" in english["help.quality.meter.text"] and "strict" in english["help.quality.meter.text"]
    assert "mode collapse" in english["help.quality.digits.text"]
    assert "colapso de modos" in catalog("es")["help.quality.digits.text"]
    overlay = open_help(app, clock)
    click(app, workshop.quality_meter_rect.center)
    frames(app, clock)
    assert overlay.selected[1] == "help.quality.meter"
    click(app, (5, 700))
    frames(app, clock)
    click(app, workshop.digits_rect.center)
    frames(app, clock)
    assert overlay.selected[1] == "help.quality.digits"


# -- the reveal ---------------------------------------------------------------------------------------
def question(is_real, digit=7, confidence=0.93):
    return Question(np.zeros((28, 28), np.uint8), is_real, 0.4, digit, confidence)


def test_the_reveal_says_what_the_examiner_reads():
    assert examiner_text(question(False, 7, 0.934)) == "The examiner reads a 7 (93% sure)"
    assert examiner_text(question(True, 3, 0.999)) == "The examiner reads a 3 (99% sure)"
    set_language("es")
    assert examiner_text(question(False, 7, 0.934)) == "El perito lee un 7 (con un 93% de seguridad)"


def test_a_fake_the_examiner_cannot_read_is_said_a_real_one_is_not():
    assert examiner_text(question(False, 4, 0.3)) == t("quality.reveal.unreadable")
    assert examiner_text(question(True, 4, 0.3)) is None


def test_no_reading_no_words():
    assert examiner_text(Question(np.zeros((28, 28), np.uint8), False, 0.4)) is None
    assert examiner_text(question(False, 7, float("nan"))) is None
    assert examiner_text(question(False, 12, 0.99)) is None


def sample(n=10, **fields):
    real = np.zeros((n, 28, 28), np.uint8)
    bills = StepBills(5, real, real + 1, np.full(n, 0.8, np.float32), np.full(n, 0.3, np.float32))
    return protocol.Sample(1, bills, **fields)


def test_readings_are_taken_only_when_they_match_the_bills():
    n = 10
    digits, confidence = np.arange(n, dtype=np.int64), np.full(n, 0.9, np.float32)
    readings = sample_readings(sample(n, fake_digits=digits, fake_digit_confidence=confidence))
    assert set(readings) == {False}
    assert sample_readings(sample(n)) == {}  # empty arrays: no examiner
    assert sample_readings(sample(n, fake_digits=digits[:3], fake_digit_confidence=confidence[:3])) == {}


def readings_of(bills):
    n = len(bills.fake)
    return dict(fake_digits=np.full(n, 7, np.int64), fake_digit_confidence=np.full(n, 0.93, np.float32),
                real_digits=np.full(len(bills.real), 2, np.int64),
                real_digit_confidence=np.full(len(bills.real), 0.4, np.float32))


def guess_app(tmp_path, client=None, **kw):
    app, client, clock = make_app(tmp_path, client=client or QualityClient(auto=False, readings=readings_of), **kw)
    client._now = clock.now
    app.start(WorkshopScene(app))
    client.advance(40)
    frames(app, clock, 2)
    key(app, pygame.K_p)
    frames(app, clock, 2)
    scene = app.stack.top
    assert isinstance(scene, GuessScene) and scene.round is not None
    return app, client, clock, scene


def test_a_round_carries_the_examiners_reading_to_each_reveal(tmp_path):
    app, client, clock, scene = guess_app(tmp_path)
    for q in scene.round.questions:
        if q.is_real:
            assert (q.examiner_digit, q.examiner_confidence) == (2, pytest.approx(0.4))
            assert examiner_text(q) is None  # sloppy handwriting is not news
        else:
            assert examiner_text(q) == "The examiner reads a 7 (93% sure)"
    key(app, pygame.K_f)
    frames(app, clock, 30)
    assert scene.revealed  # and the reveal with its extra line drew without trouble


def test_a_round_asks_for_the_configured_difficulty(tmp_path):
    app, client, clock, scene = guess_app(tmp_path, guess_fake_age=0.25, guess_best_of=3)
    assert client.sample_requests[-1] == (10, {"fake_age": 0.25, "best_of": 3})


@pytest.mark.parametrize("age, best_of", [(float("nan"), 0), (0.0, -2), (3.0, "many")])
def test_bad_difficulty_values_play_a_normal_round(tmp_path, age, best_of):
    app, client, clock, scene = guess_app(tmp_path, guess_fake_age=age, guess_best_of=best_of)
    assert client.sample_requests[-1] == (10, {"fake_age": 1.0, "best_of": 1})


def test_a_trainer_without_difficulty_still_gets_a_round(tmp_path):
    client = QualityClient(auto=False, plain_request=True)
    app, client, clock, scene = guess_app(tmp_path, client=client, guess_best_of=3)
    assert client.sample_requests[-1] == (10, {})
    assert all(q.examiner_digit is None for q in scene.round.questions)  # and no examiner lines


# -- stamps -------------------------------------------------------------------------------------------
def test_stamps_speak_the_players_language_and_fit(tmp_path):
    app, client, clock = make_app(tmp_path)
    stamps = StampArt(app.fonts, 90)
    english = stamps.frame(True, 1.0).get_size()
    set_language("es")
    assert t("stamp.real") == "VERDADERO" and t("stamp.fake") == "FALSO"
    spanish = stamps.frame(True, 1.0)
    assert spanish.get_size() != english  # re-rendered for the new language
    for text in (t("stamp.real"), t("stamp.fake")):
        assert stamps.label(text, theme.REAL_GREEN).get_width() <= stamps.width
    # The long word is no wider on the bill than twice the English one.
    assert spanish.get_width() <= 2 * english[0]
    set_language("en")
    assert stamps.frame(True, 1.0).get_size() == english
