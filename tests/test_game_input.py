"""Keys, clicks and touches become intents; one tap counts once."""

from __future__ import annotations

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game.display import Viewport


def mapper(now=lambda: 0.0, window=(1280, 720)):
    viewport = Viewport(window)
    return gi.InputMapper(viewport.to_logical, lambda: viewport.window, now), viewport


def ev(etype, **attrs):
    return pygame.event.Event(etype, **attrs)


def kinds(intents):
    return [i.kind for i in intents]


def test_keys_map_to_intents():
    m, _ = mapper()
    assert kinds(m.translate(ev(pygame.KEYDOWN, key=pygame.K_SPACE, mod=0))) == [gi.TOGGLE_PAUSE]
    assert kinds(m.translate(ev(pygame.KEYDOWN, key=pygame.K_RIGHT, mod=0))) == [gi.NEXT]
    assert kinds(m.translate(ev(pygame.KEYDOWN, key=pygame.K_r, mod=0))) == [gi.GUESS_REAL]
    assert kinds(m.translate(ev(pygame.KEYDOWN, key=pygame.K_f, mod=0))) == [gi.GUESS_FAKE]
    assert kinds(m.translate(ev(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_LCTRL))) == [gi.QUIT]
    assert m.translate(ev(pygame.KEYDOWN, key=pygame.K_q, mod=0)) == []
    assert kinds(m.translate(ev(pygame.QUIT))) == [gi.QUIT]


def test_one_tap_counts_once_with_emulated_mouse_events():
    m, _ = mapper()
    down = m.translate(ev(pygame.FINGERDOWN, x=0.5, y=0.5, finger_id=3, touch_id=1))
    emulated_down = m.translate(ev(pygame.MOUSEBUTTONDOWN, pos=(640, 360), button=1, touch=True))
    up = m.translate(ev(pygame.FINGERUP, x=0.5, y=0.5, finger_id=3, touch_id=1))
    emulated_up = m.translate(ev(pygame.MOUSEBUTTONUP, pos=(640, 360), button=1, touch=True))
    all_intents = down + emulated_down + up + emulated_up
    assert kinds(all_intents) == [gi.POINTER_DOWN, gi.POINTER_UP]
    assert all(i.touch for i in all_intents)
    assert all_intents[0].pos == (640, 360)


def test_unflagged_mouse_copy_of_a_tap_is_dropped_but_later_clicks_count():
    clock = [10.0]
    m, _ = mapper(now=lambda: clock[0])
    m.translate(ev(pygame.FINGERDOWN, x=0.25, y=0.25, finger_id=1, touch_id=1))
    m.translate(ev(pygame.FINGERUP, x=0.25, y=0.25, finger_id=1, touch_id=1))
    copy = m.translate(ev(pygame.MOUSEBUTTONDOWN, pos=(321, 181), button=1, touch=False))
    copy += m.translate(ev(pygame.MOUSEBUTTONUP, pos=(321, 181), button=1, touch=False))
    assert copy == []
    clock[0] += 1.0
    later = m.translate(ev(pygame.MOUSEBUTTONDOWN, pos=(321, 181), button=1, touch=False))
    later += m.translate(ev(pygame.MOUSEBUTTONUP, pos=(321, 181), button=1, touch=False))
    assert kinds(later) == [gi.POINTER_DOWN, gi.POINTER_UP]


def test_second_finger_is_ignored_while_the_first_is_down():
    m, _ = mapper()
    first = m.translate(ev(pygame.FINGERDOWN, x=0.1, y=0.1, finger_id=1, touch_id=1))
    second = m.translate(ev(pygame.FINGERDOWN, x=0.9, y=0.9, finger_id=2, touch_id=1))
    second += m.translate(ev(pygame.FINGERUP, x=0.9, y=0.9, finger_id=2, touch_id=1))
    assert kinds(first) == [gi.POINTER_DOWN] and second == []


def test_letterboxed_window_maps_to_logical_coordinates():
    # A 4:3 window: the canvas is 1024 wide (the narrowest layout) and letterboxed vertically.
    m, viewport = mapper(window=(1024, 768))
    assert viewport.logical == (1024, 720)
    assert viewport.offset == (0, 24)
    (intent,) = m.translate(ev(pygame.MOUSEBUTTONDOWN, pos=(512, 24 + 360), button=1, touch=False))
    assert intent.pos == (512, 360)
    # A wide window gets a wider canvas instead of bars.
    wide = Viewport((2560, 1080))
    assert wide.logical == (1600, 720)


def test_resize_and_right_click():
    m, _ = mapper()
    assert m.translate(ev(pygame.VIDEORESIZE, w=800, h=450, size=(800, 450)))[0].value == (800, 450)
    assert m.translate(ev(pygame.MOUSEBUTTONDOWN, pos=(5, 5), button=3, touch=False)) == []
