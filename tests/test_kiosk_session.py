"""Visitor sessions: attract -> session -> "Are you still there?" -> attract, on an injected clock."""

import pytest

from counterfeit_game.kiosk.config import KioskConfig, SessionSettings
from counterfeit_game.kiosk.session import (
    ATTRACT,
    CANCEL_COUNTDOWN,
    COUNTDOWN,
    END_SESSION,
    SESSION,
    SHOW_COUNTDOWN,
    START_SESSION,
    VisitorSessions,
)

from conftest import FakeClock


def names(actions):
    return [action.name for action in actions]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sessions(clock):
    return VisitorSessions(idle_timeout=60, countdown_seconds=15, reset_policy="restart", clock=clock)


def run_frames(sessions, clock, seconds, frame=1 / 60):
    """Advance the clock frame by frame, as the main loop would, collecting the actions."""
    actions = []
    for _ in range(round(seconds / frame)):
        clock.advance(frame)
        actions += sessions.update()
    return actions


def test_starts_in_attract_mode_and_stays_there_without_visitors(sessions, clock):
    assert sessions.state == ATTRACT and not sessions.in_session
    assert run_frames(sessions, clock, 600, frame=0.5) == []
    assert sessions.state == ATTRACT


def test_a_touch_starts_a_session_once(sessions):
    assert names(sessions.touch()) == [START_SESSION]
    assert sessions.state == SESSION and sessions.in_session
    assert sessions.touch() == []  # further touches are just play
    assert sessions.sessions_started == 1


def test_input_keeps_the_session_alive(sessions, clock):
    sessions.touch()
    for _ in range(10):
        assert run_frames(sessions, clock, 50, frame=0.25) == []
        sessions.touch()
    assert sessions.state == SESSION


def test_idle_timeout_shows_the_countdown_then_ends_with_the_policy(sessions, clock):
    sessions.touch()
    assert run_frames(sessions, clock, 59.9, frame=0.1) == []
    actions = run_frames(sessions, clock, 0.2, frame=0.1)
    assert names(actions) == [SHOW_COUNTDOWN]
    assert sessions.state == COUNTDOWN
    assert sessions.countdown_remaining == pytest.approx(15.0, abs=0.11)
    clock.advance(5)
    assert sessions.countdown_remaining == pytest.approx(10.0, abs=0.11)
    actions = run_frames(sessions, clock, 10.1, frame=0.1)
    assert names(actions) == [END_SESSION]
    assert actions[0].reset_policy == "restart" and actions[0].reason == "idle"
    assert sessions.state == ATTRACT and sessions.countdown_remaining is None
    assert sessions.sessions_completed == 1


def test_a_touch_during_the_countdown_returns_to_the_session(sessions, clock):
    sessions.touch()
    run_frames(sessions, clock, 65, frame=0.5)
    assert sessions.state == COUNTDOWN
    assert names(sessions.touch()) == [CANCEL_COUNTDOWN]
    assert sessions.state == SESSION and sessions.countdown_remaining is None
    # the idle timer starts over from that touch: a full idle_timeout before the next question
    assert run_frames(sessions, clock, 59, frame=0.5) == []
    assert names(run_frames(sessions, clock, 1.5, frame=0.5)) == [SHOW_COUNTDOWN]


def test_next_visitor_starts_a_new_session(sessions, clock):
    sessions.touch()
    run_frames(sessions, clock, 80, frame=0.5)
    assert sessions.state == ATTRACT
    assert names(sessions.touch()) == [START_SESSION]
    assert sessions.sessions_started == 2 and sessions.sessions_completed == 1


def test_a_long_stall_ends_the_session_without_a_countdown(sessions, clock):
    sessions.touch()
    clock.advance(3600)  # e.g. the machine was suspended
    actions = sessions.update()
    assert names(actions) == [END_SESSION]
    assert sessions.state == ATTRACT


def test_a_stall_into_the_countdown_counts_from_when_it_was_due(sessions, clock):
    sessions.touch()
    clock.advance(70)
    assert names(sessions.update()) == [SHOW_COUNTDOWN]
    assert sessions.countdown_remaining == pytest.approx(5.0)


def test_end_now_returns_to_attract(sessions, clock):
    assert sessions.end_now() == []
    sessions.touch()
    actions = sessions.end_now()
    assert names(actions) == [END_SESSION] and actions[0].reason == "ended"
    assert sessions.state == ATTRACT
    assert sessions.update() == []


def test_idle_seconds(sessions, clock):
    sessions.touch()
    clock.advance(12.5)
    assert sessions.idle_seconds == pytest.approx(12.5)


def test_from_config_uses_the_session_settings(clock):
    config = KioskConfig(session=SessionSettings(idle_timeout=20, countdown_seconds=5, reset_policy="checkpoint"))
    sessions = VisitorSessions.from_config(config, clock)
    sessions.touch()
    actions = run_frames(sessions, clock, 26, frame=0.5)
    assert names(actions) == [SHOW_COUNTDOWN, END_SESSION]
    assert actions[-1].reset_policy == "checkpoint"


def test_unknown_policy_is_refused(clock):
    with pytest.raises(ValueError):
        VisitorSessions(60, 15, "forget", clock)
