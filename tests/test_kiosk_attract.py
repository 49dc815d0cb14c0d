"""Attract mode's timetable: cards and hand demos in turn, round and round, on an injected clock."""

import json

import pytest

from counterfeit_game import i18n
from counterfeit_game.kiosk.attract import CARD, CARDS, DEMO, DEMO_GUESS_SECONDS, AttractLoop

from conftest import FakeClock


def test_cards_and_demos_alternate_and_loop():
    clock = FakeClock(0.0)
    loop = AttractLoop(clock, card_seconds=5, demo_seconds=12)
    seen = []
    for second in range(0, int(loop.loop_seconds) * 2, 1):
        clock.now = second + 0.5
        beat = loop.current()
        if not seen or seen[-1] != (beat.kind, beat.name, beat.index):
            seen.append((beat.kind, beat.name, beat.index))
    once = [(CARD, name, 2 * i) for i, name in enumerate(CARDS)]
    expected = [b for card in once for b in (card, (DEMO, "demo", card[2] + 1))]
    assert seen == expected * 2
    assert loop.loop_seconds == len(CARDS) * 17


def test_restart_begins_with_the_first_card():
    clock = FakeClock(100.0)
    loop = AttractLoop(clock)
    clock.now = 123.0
    assert loop.current().elapsed > 0
    loop.restart()
    beat = loop.current()
    assert beat.kind == CARD and beat.name == CARDS[0] and beat.elapsed == 0.0


def test_demo_walks_through_its_guesses():
    clock = FakeClock(0.0)
    loop = AttractLoop(clock, card_seconds=5)
    clock.now = 5 + DEMO_GUESS_SECONDS * 1.5
    beat = loop.current()
    assert beat.kind == DEMO and beat.guess == (1, pytest.approx(0.5))
    assert beat.title_key == "kiosk.attract.demo" and beat.body_key is None


def test_without_demos_only_cards():
    clock = FakeClock(0.0)
    loop = AttractLoop(clock, demos=False, card_seconds=4)
    kinds = set()
    for tenth in range(int(loop.loop_seconds * 10)):
        clock.now = tenth / 10
        kinds.add(loop.current().kind)
    assert kinds == {CARD}


def test_every_card_has_text_in_both_languages():
    loop_keys = set()
    clock = FakeClock(0.0)
    loop = AttractLoop(clock)
    for tenth in range(int(loop.loop_seconds * 10)):
        clock.now = tenth / 10
        beat = loop.current()
        loop_keys |= {beat.title_key, beat.body_key} - {None}
    for language in ("en", "es"):
        catalog = json.loads((i18n._DIR / f"{language}_kiosk.json").read_text(encoding="utf-8"))
        assert loop_keys <= set(catalog), language


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [1280, 1024])
def test_heading_card_and_recovery_message_never_overlap(language, width):
    import pygame

    from counterfeit_game.game import theme
    from counterfeit_game.game.fonts import Fonts
    from counterfeit_game.kiosk.attract import CARD_SECONDS, AttractBeat
    from counterfeit_game.kiosk.scenes.attract import AttractOverlay
    from counterfeit_game.kiosk.scenes.prompts import RecoveryBanner
    from counterfeit_game.snapshot import TrainingSnapshot

    class Notice:
        title_key, detail_key, fields = "kiosk.recovery.crash", "kiosk.recovery.from_checkpoint", {}

    pygame.init()
    i18n.set_language(language)
    try:
        fonts = Fonts()
        overlay, banner = AttractOverlay(fonts), RecoveryBanner(fonts)
        canvas = pygame.Surface((width, theme.LOGICAL_HEIGHT))
        snapshot = TrainingSnapshot.loading()
        beats = [AttractBeat(CARD, "police", 1, 3.0, CARD_SECONDS),
                 AttractBeat(DEMO, "demo", 2, DEMO_GUESS_SECONDS * 0.8, DEMO_GUESS_SECONDS * 3)]
        for beat in beats:
            overlay.draw(canvas, beat, snapshot, now=1.0)
            # The heading has its own band, which covers the workshop's top bar, and stays in it.
            assert overlay.band_rect.bottom >= theme.TOP_BAR_H
            assert overlay.band_rect.contains(overlay.heading_rect)
            assert overlay.card_rect is not None and not overlay.card_rect.colliderect(overlay.band_rect)
            # While the recovery message shows, the card makes way for it.
            overlay.draw(canvas, beat, snapshot, now=1.0, recovery=True)
            banner.draw(canvas, Notice, True, now=1.0)
            assert overlay.card_rect is None
            assert not banner.rect.colliderect(overlay.band_rect)
    finally:
        i18n.set_language("en")
