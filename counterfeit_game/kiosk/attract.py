"""What attract mode shows when nobody is there, and when: explanation cards between short demos
where an animated hand plays a few guesses. Training runs underneath the whole time.

Pure timing over an injected clock; the attract scene asks ``current()`` every frame and draws it.
Card texts are the i18n keys ``kiosk.attract.card.<name>.title`` and ``.body``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

CARDS = ("counterfeiter", "police", "learning", "you")
CARD_SECONDS = 7.0  # long enough to read two short lines at a glance, short enough to keep moving
DEMO_GUESSES = 3
DEMO_GUESS_SECONDS = 4.0  # the hand moves to a bill, taps REAL or FAKE, the answer shows

CARD, DEMO = "card", "demo"


@dataclass(frozen=True)
class AttractBeat:
    kind: str  # CARD or DEMO
    name: str  # the card's name; "demo" for a demo
    index: int  # position in the loop
    elapsed: float  # seconds into this beat
    duration: float

    @property
    def progress(self) -> float:
        return min(1.0, self.elapsed / self.duration) if self.duration else 1.0

    @property
    def title_key(self) -> str:
        return f"kiosk.attract.card.{self.name}.title" if self.kind == CARD else "kiosk.attract.demo"

    @property
    def body_key(self) -> str | None:
        return f"kiosk.attract.card.{self.name}.body" if self.kind == CARD else None

    @property
    def guess(self) -> tuple[int, float] | None:
        """In a demo: which guess the hand is on and how far through it (0..1)."""
        if self.kind != DEMO:
            return None
        number = min(DEMO_GUESSES - 1, int(self.elapsed // DEMO_GUESS_SECONDS))
        return number, min(1.0, (self.elapsed - number * DEMO_GUESS_SECONDS) / DEMO_GUESS_SECONDS)


class AttractLoop:
    """Card, demo, card, demo, ... round and round; ``restart()`` when attract mode begins."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        cards: tuple[str, ...] = CARDS,
        card_seconds: float = CARD_SECONDS,
        demo_seconds: float = DEMO_GUESSES * DEMO_GUESS_SECONDS,
        demos: bool = True,
    ):
        self._clock = clock
        beats: list[tuple[str, str, float]] = []
        for name in cards:
            beats.append((CARD, name, card_seconds))
            if demos:
                beats.append((DEMO, "demo", demo_seconds))
        if not beats:
            beats.append((DEMO, "demo", demo_seconds))
        self._beats = beats
        self.loop_seconds = sum(duration for _, _, duration in beats)
        self._started = clock()

    def restart(self) -> None:
        self._started = self._clock()

    def current(self) -> AttractBeat:
        into_loop = (self._clock() - self._started) % self.loop_seconds
        for index, (kind, name, duration) in enumerate(self._beats):
            if into_loop < duration:
                return AttractBeat(kind, name, index, into_loop, duration)
            into_loop -= duration
        kind, name, duration = self._beats[-1]  # rounding at the very end of the loop
        return AttractBeat(kind, name, len(self._beats) - 1, duration, duration)
