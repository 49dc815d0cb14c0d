"""Bills and stamps in both languages: the bank's name, serials and stamps stay on the bill at every size."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from counterfeit_game import i18n
from counterfeit_game.game.fonts import Fonts
from counterfeit_game.game.scenes.workshop import WorkshopScene
from counterfeit_game.game.widgets.bill import BillArt, fitted_text, serial_text
from counterfeit_game.game.widgets.stamp import ZOOM_FRAMES, StampArt, place
from test_game_helpers import frames, make_app


@pytest.fixture
def fonts():
    pygame.init()
    return Fonts()


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


def test_bank_name_and_serial_follow_the_language(fonts):
    art = BillArt(fonts, 137)
    english = pygame.image.tobytes(art.template, "RGBA")
    assert serial_text("000300-01") == "No. 000300-01"
    i18n.set_language("es")
    assert serial_text("000300-01") == "N.º 000300-01"
    assert i18n.t("bill.bank") == "BANCO DE MNIST"
    assert pygame.image.tobytes(art.template, "RGBA") != english  # engraved again in Spanish


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [114, 137, 190])
def test_long_words_are_condensed_to_fit(fonts, language, width):
    i18n.set_language(language)
    limit = width // 2
    for text in (i18n.t("bill.bank"), serial_text("000300-01")):
        assert fitted_text(fonts, text, "bold", 12, (0, 0, 0), limit).get_width() <= limit


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [40, 70, 114, 137, 190, 300, 420])
def test_every_stamp_frame_lies_on_its_bill(fonts, language, width):
    i18n.set_language(language)
    art = BillArt(fonts, width)
    stamps = StampArt(fonts, int(width * 0.5), fit=art.size)
    bill = pygame.Rect((50, 60), art.size)
    for real in (True, False):
        for age in np.linspace(0, 0.3, ZOOM_FRAMES + 3):
            frame = stamps.frame(real, float(age))
            spot = (bill.x + bill.width * 0.7, bill.y + bill.height * 0.64)
            assert bill.contains(place(frame, spot, bill)), (real, age, frame.get_size(), art.size)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_desk_stamps_are_made_for_the_desk_bills(tmp_path, language, size):
    i18n.set_language(language)
    app, client, clock = make_app(tmp_path, window_size=size)
    app.display.resized(size)
    app.start(WorkshopScene(app))
    client.advance(40)
    frames(app, clock, 40)
    scene = app.stack.top
    width, height = scene.bill_art.size
    frame = scene.stamps.frame(i18n.get_language() == "es", 1.0)
    assert frame.get_width() <= width and frame.get_height() <= height


def test_an_untrained_grey_print_is_a_smudge_not_a_grey_square(fonts):
    from counterfeit_game.game import theme
    from counterfeit_game.game.scripted_client import load_real_digits
    from counterfeit_game.game.widgets.bill import INK_FADE, digit_surface

    grey = np.full((28, 28), 128, np.uint8)  # what a DCGAN prints at step 0, near enough
    cell = digit_surface(grey, 28)
    assert tuple(cell.get_at((0, 0)))[:3] == tuple(theme.BILL_PAPER)  # paper in the corners
    assert tuple(cell.get_at((14, 14)))[:3] != tuple(theme.BILL_PAPER)  # ink in the middle
    art = BillArt(fonts, 137)
    template = art.template.copy()
    printed = art.render(grey)
    header = art._header.get_rect(topleft=art._header_at)
    assert header.height > 0
    for x in range(header.left, header.right, 3):
        for y in range(header.top, header.bottom, 2):
            assert printed.get_at((x, y)) == template.get_at((x, y))  # the bank's name stays clear
    real = load_real_digits(300).astype(np.float64)  # real digits keep their ink
    lost = (real * (1 - INK_FADE)).sum(axis=(1, 2)) / real.sum(axis=(1, 2))
    assert lost.max() < 0.05
