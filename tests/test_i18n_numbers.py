"""Numbers on screen follow the visitor's language."""

import pytest

from counterfeit_game import i18n


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def test_english_groups_thousands_with_commas():
    i18n.set_language("en")
    assert [i18n.number(n) for n in (0, 999, 4800, 12500, 1234567, -4800)] == \
        ["0", "999", "4,800", "12,500", "1,234,567", "-4,800"]


def test_spanish_groups_with_a_space_from_five_digits():
    i18n.set_language("es")
    assert [i18n.number(n) for n in (999, 4800, 12500, 1234567)] == \
        ["999", "4800", "12\u00a0500", "1\u00a0234\u00a0567"]


def test_decimals_take_the_languages_mark():
    i18n.set_language("en")
    assert [i18n.decimal(0.5, None), i18n.decimal(62.25, 1), i18n.decimal(0.6931, 3)] == ["0.5", "62.2", "0.693"]
    i18n.set_language("es")
    assert [i18n.decimal(0.5, None), i18n.decimal(62.25, 1), i18n.decimal(0.6931, 3)] == ["0,5", "62,2", "0,693"]


def test_spanish_screens_show_decimal_commas():
    from counterfeit_game.game.scenes.workshop import rate_text, speed_label
    from counterfeit_game.game.widgets.quality_meter import format_fed

    i18n.set_language("es")
    assert speed_label(0.5) == "cámara lenta (0,5/s)"
    assert (format_fed(62.19), format_fed(12345.0)) == ("62,2", "12\u00a0345")
    assert (rate_text(2.54), rate_text(61.6)) == ("2,5", "62")


def test_an_unmeasured_rate_is_a_dash_not_a_stall():
    from counterfeit_game.game.scenes.workshop import rate_text

    assert rate_text(0.0) == rate_text(float("nan")) == "–"
    assert rate_text(0.25) == "0.2"
