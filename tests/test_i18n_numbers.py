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
