"""The operator's way out: a gesture no visitor makes by chance, then a PIN.

In kiosk mode Esc, Alt+F4 and the window's close button do nothing, so this is the only exit.
Pure logic over an injected clock and logical (1280x720) tap positions; the PIN pad scene draws
``pin_pad_open`` and hands the digits it collected to ``submit_pin``.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections import deque
from typing import Callable

from counterfeit_game.kiosk.config import EXIT_CORNERS, EXIT_GESTURES, KioskConfig

log = logging.getLogger(__name__)

LOGICAL_SIZE = (1280, 720)
CORNER_SIZE = 96  # logical px: 144 px at 1080p, comfortably above the 64 px touch minimum
PIN_PAD_TIMEOUT = 30.0  # an open PIN pad nobody uses closes by itself (a curious visitor found it)

EXIT = "exit"  # right PIN: the program may end
WRONG = "wrong"  # wrong PIN: the pad closed; the gesture must be made again
LOCKED = "locked"  # too many wrong PINs: gesture and pad ignored until the lockout ends


class OperatorExit:
    """Watches taps (or a long press) in one corner; opens the PIN pad; checks the PIN."""

    def __init__(
        self,
        pin: str,
        gesture: str = "corner-taps",
        corner: str = "top-left",
        taps: int = 5,
        seconds: float = 3.0,
        attempts: int = 3,
        lockout_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        logical_size: tuple[int, int] = LOGICAL_SIZE,
        corner_size: int = CORNER_SIZE,
    ):
        if gesture not in EXIT_GESTURES:
            raise ValueError(f"unknown exit gesture {gesture!r}")
        if corner not in EXIT_CORNERS:
            raise ValueError(f"unknown corner {corner!r}")
        self.gesture = gesture
        self.corner = corner
        self.taps_needed = int(taps)
        self.seconds = float(seconds)
        self.attempts = int(attempts)
        self.lockout_seconds = float(lockout_seconds)
        self._pin = pin.encode()
        self._clock = clock
        self._size = logical_size
        self._corner_size = corner_size
        self._tap_times: deque[float] = deque(maxlen=self.taps_needed)
        self._press_started: float | None = None
        self._pad_activity = 0.0
        self._locked_until = float("-inf")
        self.wrong_in_a_row = 0
        self.pin_pad_open = False

    @classmethod
    def from_config(cls, config: KioskConfig, clock: Callable[[], float] = time.monotonic, **kwargs):
        op = config.operator
        return cls(
            op.pin, op.exit_gesture, op.exit_corner, op.exit_taps, op.exit_seconds,
            op.pin_attempts, op.lockout_seconds, clock, **kwargs,
        )

    def in_corner(self, pos: tuple[float, float]) -> bool:
        x, y = pos
        width, height = self._size
        size = self._corner_size
        inside_x = x < size if self.corner.endswith("left") else x >= width - size
        inside_y = y < size if self.corner.startswith("top") else y >= height - size
        return inside_x and inside_y

    @property
    def locked(self) -> bool:
        return self._clock() < self._locked_until

    @property
    def lockout_remaining(self) -> float:
        return max(0.0, self._locked_until - self._clock())

    # --- the gesture -----------------------------------------------------------------------

    def tap(self, pos: tuple[float, float]) -> bool:
        """One tap (finger or click) at a logical position. True when it opens the PIN pad."""
        if self.gesture != "corner-taps" or self.pin_pad_open or self.locked:
            return False
        if not self.in_corner(pos):
            self._tap_times.clear()  # the taps must come in a row, without any elsewhere
            return False
        now = self._clock()
        self._tap_times.append(now)
        if len(self._tap_times) == self.taps_needed and now - self._tap_times[0] <= self.seconds:
            return self._open(now)
        return False

    def press(self, pos: tuple[float, float]) -> None:
        """Finger down (long-press gesture)."""
        if self.gesture == "long-press" and not self.pin_pad_open and self.in_corner(pos):
            self._press_started = self._clock()
        else:
            self._press_started = None

    def move(self, pos: tuple[float, float]) -> None:
        if self._press_started is not None and not self.in_corner(pos):
            self._press_started = None

    def release(self, pos: tuple[float, float] | None = None) -> None:
        self._press_started = None

    def update(self) -> bool:
        """Call once a frame: completes a long press, closes a forgotten PIN pad.

        True when the PIN pad opened just now.
        """
        now = self._clock()
        if self.pin_pad_open and now - self._pad_activity >= PIN_PAD_TIMEOUT:
            log.info("operator PIN pad closed after %.0f s without input", PIN_PAD_TIMEOUT)
            self.cancel()
        if (
            self._press_started is not None
            and now - self._press_started >= self.seconds
            and not self.locked
        ):
            self._press_started = None
            return self._open(now)
        return False

    # --- the PIN pad -----------------------------------------------------------------------

    def pad_input(self) -> None:
        """A key pressed on the open pad: keeps it from timing out."""
        self._pad_activity = self._clock()

    def submit_pin(self, digits: str) -> str:
        """EXIT, WRONG (pad closes) or LOCKED (too many wrong tries; pad closes)."""
        now = self._clock()
        if self.locked:
            self.cancel()
            return LOCKED
        if not self.pin_pad_open:
            return WRONG
        self.pin_pad_open = False
        if hmac.compare_digest(digits.encode(), self._pin):
            self.wrong_in_a_row = 0
            log.warning("operator PIN accepted: leaving kiosk mode")
            return EXIT
        self.wrong_in_a_row += 1
        if self.wrong_in_a_row >= self.attempts:
            self.wrong_in_a_row = 0
            self._locked_until = now + self.lockout_seconds
            log.warning("operator PIN wrong %d times: locked for %.0f s", self.attempts, self.lockout_seconds)
            return LOCKED
        log.warning("operator PIN wrong (%d of %d)", self.wrong_in_a_row, self.attempts)
        return WRONG

    def cancel(self) -> None:
        self.pin_pad_open = False
        self._tap_times.clear()
        self._press_started = None

    def _open(self, now: float) -> bool:
        self._tap_times.clear()
        self.pin_pad_open = True
        self._pad_activity = now
        log.info("operator exit gesture recognised: PIN pad open")
        return True
