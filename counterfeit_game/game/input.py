"""Keys, clicks and touches become intents here and nowhere else.

A touch screen reports one tap twice: as finger events and as a mouse event emulated from them
(pygame-ce marks those with ``event.touch``). Fingers are the source of truth for touch, so the
emulated mouse events are dropped, and a plain mouse press that lands within a moment of a finger
press at the same spot is dropped too (some drivers forget the flag). Each tap counts once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import pygame

# Pointer intents carry a logical position.
POINTER_DOWN = "pointer_down"
POINTER_UP = "pointer_up"
POINTER_MOVE = "pointer_move"
WHEEL = "wheel"  # value: +1 up / -1 down
# Actions.
TOGGLE_PAUSE = "toggle_pause"
NEXT = "next"  # Right arrow: one step while paused; later frame in the filmstrip
PREVIOUS = "previous"  # Left arrow
FASTER = "faster"
SLOWER = "slower"
RESET = "reset"
HELP = "help"
BACK = "back"
CONFIRM = "confirm"
GUESS_REAL = "guess_real"
GUESS_FAKE = "guess_fake"
GUESS_MODE = "guess_mode"
FILMSTRIP = "filmstrip"
EXPORT = "export"
TOGGLE_FULLSCREEN = "toggle_fullscreen"
RESIZE = "resize"  # value: (width, height) of the window
QUIT = "quit"

KEY_INTENTS = {
    pygame.K_SPACE: TOGGLE_PAUSE,
    pygame.K_RIGHT: NEXT,
    pygame.K_LEFT: PREVIOUS,
    pygame.K_UP: FASTER,
    pygame.K_PLUS: FASTER,
    pygame.K_EQUALS: FASTER,
    pygame.K_KP_PLUS: FASTER,
    pygame.K_DOWN: SLOWER,
    pygame.K_MINUS: SLOWER,
    pygame.K_KP_MINUS: SLOWER,
    pygame.K_n: RESET,
    pygame.K_h: HELP,
    pygame.K_F1: HELP,
    pygame.K_QUESTION: HELP,
    pygame.K_SLASH: HELP,
    pygame.K_ESCAPE: BACK,
    pygame.K_RETURN: CONFIRM,
    pygame.K_KP_ENTER: CONFIRM,
    pygame.K_r: GUESS_REAL,
    pygame.K_f: GUESS_FAKE,
    pygame.K_p: GUESS_MODE,
    pygame.K_g: FILMSTRIP,
    pygame.K_e: EXPORT,
    pygame.K_F11: TOGGLE_FULLSCREEN,
}

# A plain mouse press this soon after a finger press, this close to it, is the same tap.
DUPLICATE_TAP_S = 0.4
DUPLICATE_TAP_PX = 24


@dataclass(frozen=True)
class Intent:
    kind: str
    pos: tuple[int, int] | None = None  # logical coordinates, for pointer intents
    value: object = None
    touch: bool = False  # from a finger (no hover exists then)


class InputMapper:
    """Turns pygame events into intents. ``to_logical`` maps window pixels to the logical canvas;
    ``window_size`` gives the window size that finger coordinates (0..1) are relative to."""

    def __init__(self, to_logical: Callable[[tuple[float, float]], tuple[int, int]],
                 window_size: Callable[[], tuple[int, int]], now: Callable[[], float] = time.monotonic):
        self._to_logical = to_logical
        self._window_size = window_size
        self._now = now
        self._finger: int | None = None  # the one finger that acts as the pointer
        self._last_finger_down: tuple[float, tuple[int, int]] | None = None
        self._swallow_up = False  # the release of a press dropped as a duplicate tap

    def translate(self, event: pygame.event.Event) -> list[Intent]:
        etype = event.type
        if etype == pygame.QUIT:
            return [Intent(QUIT)]
        if etype == pygame.KEYDOWN:
            if event.key == pygame.K_q and event.mod & (pygame.KMOD_CTRL | pygame.KMOD_META):
                return [Intent(QUIT)]
            kind = KEY_INTENTS.get(event.key)  # '/' is '?' unshifted: both open help
            return [Intent(kind)] if kind else []
        if etype in (pygame.VIDEORESIZE,):
            return [Intent(RESIZE, value=(event.w, event.h))]
        if etype == pygame.WINDOWSIZECHANGED:
            return [Intent(RESIZE, value=(event.x, event.y))]
        if etype in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            return self._mouse(event)
        if etype == pygame.MOUSEWHEEL:
            if getattr(event, "touch", False):
                return []
            return [Intent(WHEEL, value=1 if event.y > 0 else -1)] if event.y else []
        if etype in (pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION):
            return self._finger_event(event)
        return []

    def _mouse(self, event) -> list[Intent]:
        if getattr(event, "touch", False):
            return []  # emulated from a finger we already handle
        pos = self._to_logical(event.pos)
        if event.type == pygame.MOUSEMOTION:
            return [Intent(POINTER_MOVE, pos)]
        if event.button not in (1,):
            return []  # wheel buttons (4/5) and right clicks do nothing
        if event.type == pygame.MOUSEBUTTONDOWN:
            if self._is_duplicate(pos):
                self._swallow_up = True
                return []
            return [Intent(POINTER_DOWN, pos)]
        if self._swallow_up:
            self._swallow_up = False
            return []
        return [Intent(POINTER_UP, pos)]

    def _is_duplicate(self, pos) -> bool:
        if self._last_finger_down is None:
            return False
        when, where = self._last_finger_down
        return (self._now() - when <= DUPLICATE_TAP_S
                and abs(where[0] - pos[0]) <= DUPLICATE_TAP_PX
                and abs(where[1] - pos[1]) <= DUPLICATE_TAP_PX)

    def _finger_event(self, event) -> list[Intent]:
        width, height = self._window_size()
        pos = self._to_logical((event.x * width, event.y * height))
        if event.type == pygame.FINGERDOWN:
            if self._finger is not None:
                return []  # a second finger while one is down is ignored
            self._finger = event.finger_id
            self._last_finger_down = (self._now(), pos)
            return [Intent(POINTER_DOWN, pos, touch=True)]
        if event.finger_id != self._finger:
            return []
        if event.type == pygame.FINGERUP:
            self._finger = None
            return [Intent(POINTER_UP, pos, touch=True)]
        return [Intent(POINTER_MOVE, pos, touch=True)]
