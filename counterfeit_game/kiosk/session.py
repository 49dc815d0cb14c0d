"""Who is at the kiosk: attract mode, a visitor's session, and "Are you still there?".

Pure logic over an injected clock: the game feeds it touches and calls ``update()`` every frame,
and carries out the actions it returns (start a session, show or hide the countdown, end the
session and reset by the configured policy). Keeping the timing here, away from pygame, lets tests
walk through an hour of visitors in microseconds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from counterfeit_game.kiosk.config import RESET_POLICIES, KioskConfig

log = logging.getLogger(__name__)

ATTRACT = "attract"  # nobody there: the game plays itself
SESSION = "session"  # a visitor is playing
COUNTDOWN = "countdown"  # "Are you still there?" on screen, counting down

START_SESSION = "start_session"  # the touch that woke the kiosk; do not also pass it to the scene
SHOW_COUNTDOWN = "show_countdown"
CANCEL_COUNTDOWN = "cancel_countdown"  # the visitor answered; do not also pass that touch on
END_SESSION = "end_session"  # clear the visitor's score, reset training by .reset_policy, attract


@dataclass(frozen=True)
class SessionAction:
    name: str
    reset_policy: str | None = None  # only on END_SESSION
    reason: str = ""  # END_SESSION: "idle" (nobody answered) or "ended" (end_now)


class VisitorSessions:
    """The ATTRACT -> SESSION -> COUNTDOWN -> ATTRACT cycle, driven by touches and the clock."""

    def __init__(
        self,
        idle_timeout: float,
        countdown_seconds: float,
        reset_policy: str = "continue",
        clock: Callable[[], float] = time.monotonic,
    ):
        if reset_policy not in RESET_POLICIES:
            raise ValueError(f"unknown reset policy {reset_policy!r}")
        self.idle_timeout = float(idle_timeout)
        self.countdown_seconds = float(countdown_seconds)
        self.reset_policy = reset_policy
        self._clock = clock
        self.state = ATTRACT
        self._last_input = clock()
        self._state_since = self._last_input
        self.sessions_started = 0
        self.sessions_completed = 0

    @classmethod
    def from_config(cls, config: KioskConfig, clock: Callable[[], float] = time.monotonic):
        session = config.session
        return cls(session.idle_timeout, session.countdown_seconds, session.reset_policy, clock)

    # --- input -----------------------------------------------------------------------------

    def touch(self) -> list[SessionAction]:
        """Any visitor input (tap, drag, key). Returns the actions it causes, often none."""
        now = self._clock()
        self._last_input = now
        if self.state == ATTRACT:
            self._enter(SESSION, now)
            self.sessions_started += 1
            log.info("visitor session %d started", self.sessions_started)
            return [SessionAction(START_SESSION)]
        if self.state == COUNTDOWN:
            self._enter(SESSION, now)
            log.info("visitor answered the countdown")
            return [SessionAction(CANCEL_COUNTDOWN)]
        return []

    def end_now(self) -> list[SessionAction]:
        """The visitor chose to finish (e.g. a "Done" button): straight back to attract mode."""
        if self.state == ATTRACT:
            return []
        return [self._end(self._clock(), "ended")]

    # --- time ------------------------------------------------------------------------------

    def update(self) -> list[SessionAction]:
        """Call once a frame. After a long stall it may skip the countdown and end at once."""
        now = self._clock()
        idle = now - self._last_input
        if self.state == SESSION and idle >= self.idle_timeout + self.countdown_seconds:
            return [self._end(now, "idle")]
        if self.state == SESSION and idle >= self.idle_timeout:
            self._enter(COUNTDOWN, self._last_input + self.idle_timeout)
            log.info("no input for %.0f s: asking whether the visitor is still there", idle)
            return [SessionAction(SHOW_COUNTDOWN)]
        if self.state == COUNTDOWN and now - self._state_since >= self.countdown_seconds:
            return [self._end(now, "idle")]
        return []

    @property
    def countdown_remaining(self) -> float | None:
        """Seconds left on "Are you still there?"; None when it is not showing."""
        if self.state != COUNTDOWN:
            return None
        return max(0.0, self.countdown_seconds - (self._clock() - self._state_since))

    @property
    def idle_seconds(self) -> float:
        return self._clock() - self._last_input

    @property
    def in_session(self) -> bool:
        return self.state != ATTRACT

    # --- internals -------------------------------------------------------------------------

    def _enter(self, state: str, since: float) -> None:
        self.state = state
        self._state_since = since

    def _end(self, now: float, reason: str) -> SessionAction:
        self._enter(ATTRACT, now)
        self.sessions_completed += 1
        log.info(
            "visitor session ended (%s); reset policy %s; %d completed",
            reason,
            self.reset_policy,
            self.sessions_completed,
        )
        return SessionAction(END_SESSION, self.reset_policy, reason)
