"""The forgery-quality meter and the digits panel, drawn headless from QualityReports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pygame
import pytest

from counterfeit_game.game import theme
from counterfeit_game.game.widgets.digit_coverage import (
    PULSE_S,
    DigitCoverage,
    forged_digits,
    looks_collapsed,
    reading_text,
)
from counterfeit_game.game.widgets.quality_meter import QualityMeter, band_index, score_color
from counterfeit_game.i18n import set_language
from counterfeit_game.snapshot import QualityReport

I18N = Path(__file__).resolve().parent.parent / "counterfeit_game" / "i18n"


def report(score=50.0, coverage=10, histogram=(100,) * 10, confidence=0.9, step=500, fed=20.0):
    return QualityReport(step=step, fed=fed, score=score, confidence=confidence,
                         coverage=coverage, histogram=tuple(histogram))


@pytest.fixture(scope="module")
def fonts():
    pygame.init()
    from counterfeit_game.game.fonts import Fonts

    return Fonts()


@pytest.fixture
def canvas():
    surface = pygame.Surface((600, 200))
    surface.fill(theme.WOOD_DARK)
    return surface


# -- the meter ----------------------------------------------------------------------------------
def _bar_pixel(surface, meter, fraction):
    bar = meter._bar.move(20, 20)
    return surface.get_at((bar.x + int(bar.width * fraction), bar.centery))[:3]


def test_meter_fills_its_bar_up_to_the_score(fonts, canvas):
    meter = QualityMeter(fonts, animate=False)
    meter.draw(canvas, (20, 20, 330, 110), report(score=50.0))
    assert _bar_pixel(canvas, meter, 0.25) == score_color(50.0)
    assert _bar_pixel(canvas, meter, 0.75) == theme.BAR_BG


def test_meter_renders_its_panel_once_per_report(fonts, canvas):
    meter = QualityMeter(fonts)
    first = report(score=30.0)
    for _ in range(5):
        meter.draw(canvas, (20, 20, 330, 110), first)
    assert meter.renders == 1
    meter.draw(canvas, (20, 20, 330, 110), report(score=31.0))
    assert meter.renders == 2


def test_needle_eases_towards_a_new_score(fonts, canvas):
    meter = QualityMeter(fonts)
    meter.draw(canvas, (20, 20, 330, 110), report(score=10.0))
    assert meter.shown == 10.0  # the first report is shown at once
    meter.draw(canvas, (20, 20, 330, 110), report(score=80.0, step=900))
    meter.update(0.1)
    assert 10.0 < meter.shown < 80.0
    for _ in range(30):
        meter.update(0.1)
    assert meter.shown == 80.0


def test_meter_without_a_report_draws_no_needle(fonts, canvas):
    meter = QualityMeter(fonts)
    meter.draw(canvas, (20, 20, 330, 110), None)
    assert meter.shown is None and meter._bar is None


def test_bands_rise_with_the_score():
    assert [band_index(s) for s in (0, 20, 30, 40, 60, 95)] == [0, 1, 2, 3, 4, 5]
    assert band_index(100.0) == 5 and band_index(11.9) == 0


def test_non_finite_reports_do_not_break_the_meter(fonts, canvas):
    meter = QualityMeter(fonts, animate=False)
    meter.draw(canvas, (20, 20, 330, 110), report(score=float("nan"), fed=float("inf")))
    assert meter.shown == 0.0


# -- the digits panel ---------------------------------------------------------------------------
def test_forged_digits_are_the_most_read_ones():
    histogram = (0, 5, 40, 300, 21, 19, 0, 22, 0, 0)
    lit = forged_digits(report(coverage=4, histogram=histogram))
    assert [d for d in range(10) if lit[d]] == [2, 3, 4, 7]
    assert forged_digits(report(coverage=0, histogram=histogram)) == (False,) * 10
    assert forged_digits(None) == (False,) * 10


def test_lit_tiles_are_paper_and_the_others_dark(fonts, canvas):
    panel = DigitCoverage(fonts)
    panel.draw(canvas, (20, 20, 440, 150), report(coverage=1, histogram=(0,) * 8 + (30, 0)))
    tile_8, tile_9 = panel._tiles[8].move(20, 20), panel._tiles[9].move(20, 20)
    assert canvas.get_at((tile_8.x + 4, tile_8.y + 4))[:3] == theme.BILL_PAPER
    assert canvas.get_at((tile_9.x + 4, tile_9.y + 4))[:3] == theme.BAR_BG


def test_a_newly_forged_digit_glows_for_a_moment(fonts, canvas):
    panel = DigitCoverage(fonts)
    rect = (20, 20, 440, 150)
    panel.draw(canvas, rect, report(coverage=1, histogram=(30,) + (0,) * 9, step=100))
    assert panel.pulses == [0.0] * 10  # the first report lights without a fanfare
    panel.draw(canvas, rect, report(coverage=2, histogram=(30, 25) + (0,) * 8, step=200))
    assert panel.pulses[1] == PULSE_S and panel.pulses[0] == 0.0
    panel.update(PULSE_S + 0.1)
    assert panel.pulses[1] == 0.0
    assert panel.renders == 2
    panel.draw(canvas, rect, report(coverage=2, histogram=(30, 25) + (0,) * 8, step=200))
    assert panel.renders == 2  # same report: the cached panel is reused


def test_collapse_is_flagged_only_for_a_confident_few():
    stuck = (0, 0, 0, 900, 0, 0, 0, 30, 0, 0)
    assert looks_collapsed(report(coverage=2, histogram=stuck, confidence=0.9))
    assert not looks_collapsed(report(coverage=2, histogram=stuck, confidence=0.4))  # still noise
    assert not looks_collapsed(report(coverage=10))


def test_reveal_text_says_what_the_examiner_reads():
    set_language("en")
    assert "7" in reading_text(7, 0.98)
    assert "7" not in reading_text(7, 0.3)
    assert reading_text(7, 0.3) == reading_text(2, float("nan"))


def test_every_language_has_the_same_quality_keys():
    english = json.loads((I18N / "en_quality.json").read_text(encoding="utf-8"))
    for path in I18N.glob("*_quality.json"):
        assert set(json.loads(path.read_text(encoding="utf-8"))) == set(english), path.name


def test_quality_texts_come_from_the_catalog():
    from counterfeit_game.i18n import t

    set_language("es")
    try:
        assert t("quality.meter.title") == "Calidad de la falsificación"
    finally:
        set_language("en")
    assert t("quality.coverage.count", coverage=7) == "7 of 10 digits"


def test_widgets_never_load_tensorflow():
    code = ("import sys, counterfeit_game.game.widgets.quality_meter, "
            "counterfeit_game.game.widgets.digit_coverage; "
            "sys.exit(1 if 'tensorflow' in sys.modules or 'keras' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
