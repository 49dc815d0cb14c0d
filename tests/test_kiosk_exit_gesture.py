"""Operator exit: corner taps or a long press open the PIN pad; wrong PINs lock it for a while."""

import pytest

from counterfeit_game.kiosk.config import KioskConfig, OperatorSettings
from counterfeit_game.kiosk.exit_gesture import EXIT, LOCKED, PIN_PAD_TIMEOUT, WRONG, OperatorExit

from conftest import FakeClock


CORNER = (10, 10)


@pytest.fixture
def clock():
    return FakeClock(50.0)


@pytest.fixture
def gate(clock):
    return OperatorExit(pin="2468", taps=5, seconds=3.0, attempts=3, lockout_seconds=60, clock=clock)


def tap_times(gate, clock, count, gap=0.3, pos=CORNER):
    opened = []
    for _ in range(count):
        opened.append(gate.tap(pos))
        clock.advance(gap)
    return opened


def test_five_quick_corner_taps_open_the_pin_pad(gate, clock):
    assert tap_times(gate, clock, 5) == [False] * 4 + [True]
    assert gate.pin_pad_open


def test_slow_taps_do_not(gate, clock):
    assert not any(tap_times(gate, clock, 12, gap=0.8))
    assert not gate.pin_pad_open


def test_a_tap_elsewhere_breaks_the_series(gate, clock):
    tap_times(gate, clock, 4)
    assert gate.tap((640, 360)) is False
    assert tap_times(gate, clock, 4) == [False] * 4
    assert tap_times(gate, clock, 1) == [True]


def test_taps_in_other_corners_do_not_count(gate, clock):
    for pos in ((1270, 10), (10, 710), (1270, 710), (100, 10)):
        assert not any(tap_times(gate, clock, 6, pos=pos))


def test_corner_is_configurable_and_at_least_64_px_at_1080p(clock):
    gate = OperatorExit(pin="2468", corner="bottom-right", clock=clock)
    assert gate.in_corner((1279, 719)) and gate.in_corner((1190, 630))
    assert not gate.in_corner((10, 10))
    assert gate._corner_size * 1080 / 720 >= 64


def test_right_pin_exits(gate, clock):
    tap_times(gate, clock, 5)
    assert gate.submit_pin("2468") == EXIT
    assert not gate.pin_pad_open


def test_wrong_pin_goes_back_and_the_gesture_is_needed_again(gate, clock):
    tap_times(gate, clock, 5)
    assert gate.submit_pin("1234") == WRONG
    assert not gate.pin_pad_open
    assert gate.submit_pin("2468") == WRONG  # the pad is closed: nothing to submit to
    tap_times(gate, clock, 5)
    assert gate.submit_pin("2468") == EXIT


def test_too_many_wrong_pins_lock_the_gesture(gate, clock):
    for attempt in range(3):
        tap_times(gate, clock, 5)
        result = gate.submit_pin("0000")
    assert result == LOCKED and gate.locked
    assert gate.lockout_remaining == pytest.approx(60.0)
    assert not any(tap_times(gate, clock, 10))  # ignored while locked (3 s of tapping)
    clock.advance(57.1)
    assert not gate.locked
    tap_times(gate, clock, 5)
    assert gate.pin_pad_open
    assert gate.submit_pin("2468") == EXIT


def test_a_right_pin_clears_the_wrong_count(gate, clock):
    for _ in range(2):
        tap_times(gate, clock, 5)
        gate.submit_pin("0000")
    tap_times(gate, clock, 5)
    assert gate.submit_pin("2468") == EXIT
    assert gate.wrong_in_a_row == 0


def test_a_forgotten_pin_pad_closes_by_itself(gate, clock):
    tap_times(gate, clock, 5)
    clock.advance(PIN_PAD_TIMEOUT - 1)
    gate.pad_input()  # someone is typing: keep it open
    clock.advance(PIN_PAD_TIMEOUT - 1)
    gate.update()
    assert gate.pin_pad_open
    clock.advance(1.5)
    gate.update()
    assert not gate.pin_pad_open


def test_long_press_in_the_corner(clock):
    gate = OperatorExit(pin="2468", gesture="long-press", seconds=5, clock=clock)
    assert not any(tap_times(gate, clock, 10))  # taps mean nothing in this mode
    gate.press(CORNER)
    clock.advance(4.9)
    assert gate.update() is False
    clock.advance(0.2)
    assert gate.update() is True and gate.pin_pad_open
    assert gate.update() is False  # opens once


def test_long_press_broken_by_release_or_sliding_away(clock):
    gate = OperatorExit(pin="2468", gesture="long-press", seconds=5, clock=clock)
    gate.press(CORNER)
    clock.advance(3)
    gate.release(CORNER)
    clock.advance(3)
    assert gate.update() is False
    gate.press(CORNER)
    clock.advance(1)
    gate.move((300, 300))
    clock.advance(5)
    assert gate.update() is False
    gate.press((300, 300))
    clock.advance(6)
    assert gate.update() is False


def test_from_config(clock):
    config = KioskConfig(operator=OperatorSettings(pin="97531", exit_taps=3, exit_corner="top-right"))
    gate = OperatorExit.from_config(config, clock)
    assert tap_times(gate, clock, 3, pos=(1275, 5)) == [False, False, True]
    assert gate.submit_pin("97531") == EXIT
