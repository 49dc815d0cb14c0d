"""Shared pieces for the game tests: a fake clock, an app on a scripted trainer, event builders."""

from __future__ import annotations

import random

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game.app import GameApp
from counterfeit_game.game.audio import Audio
from counterfeit_game.game.exports import Exporter
from counterfeit_game.game.scores import ScoreStore
from counterfeit_game.game.scripted_client import ScriptedClient
from counterfeit_game.game.settings import GameSettings


class FakeClock:
    """Stands in for pygame's Clock and time.monotonic: each tick moves time by one 60 fps frame."""

    def __init__(self, frame_ms: float = 1000 / 60):
        self.t = 1000.0
        self.frame_ms = frame_ms

    def tick(self, fps=0) -> float:
        self.t += self.frame_ms / 1000
        return self.frame_ms

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def make_app(tmp_path, client=None, clock=None, **settings_changes):
    clock = clock or FakeClock()
    client = client or ScriptedClient(now=clock.now, auto=False)
    settings = GameSettings(exports_dir=tmp_path / "exports", scores_path=tmp_path / "scores.json",
                            sound=False, **settings_changes)
    app = GameApp(client, settings, clock=clock, timer=clock.now, now=clock.now,
                  audio=Audio(enabled=False, now=clock.now), rng=random.Random(1234),
                  scores=ScoreStore(settings.scores_path, now=lambda: 1_700_000_000.0),
                  exporter=Exporter(settings.exports_dir, synchronous=True))
    return app, client, clock


def frames(app, clock, n: int = 1, dt: float | None = None) -> None:
    """Runs n frames of the real loop body, with the injected clock."""
    for _ in range(n):
        step = clock.frame_ms / 1000 if dt is None else dt
        clock.advance(step)
        app.frame(step)


def key(app, k, mod=0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0))


def click(app, pos) -> None:
    """A mouse click at a LOGICAL position (converted to window pixels)."""
    vp = app.display.viewport
    wx = pos[0] * vp.scale + vp.offset[0]
    wy = pos[1] * vp.scale + vp.offset[1]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(wx, wy), button=1, touch=False))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(wx, wy), button=1, touch=False))


def tap(app, pos) -> None:
    """A finger tap at a LOGICAL position, with the emulated mouse events a touch screen adds."""
    vp = app.display.viewport
    wx = pos[0] * vp.scale + vp.offset[0]
    wy = pos[1] * vp.scale + vp.offset[1]
    fx, fy = wx / vp.window[0], wy / vp.window[1]
    for etype in (pygame.FINGERDOWN, pygame.FINGERUP):
        pygame.event.post(pygame.event.Event(etype, x=fx, y=fy, dx=0, dy=0, finger_id=1, touch_id=1, pressure=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(wx, wy), button=1, touch=True))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(wx, wy), button=1, touch=True))


def start_in_workshop(tmp_path, steps: int = 30, **kw):
    """An app past its title card, with ``steps`` training steps done."""
    app, client, clock = make_app(tmp_path, **kw)
    from counterfeit_game.game.scenes.workshop import WorkshopScene

    app.start(WorkshopScene(app))
    client.advance(steps)
    frames(app, clock, 2)
    return app, client, clock


def intent(kind, pos=None, touch=False):
    return gi.Intent(kind, pos, touch=touch)


def quality_report(step=500, score=50.0, coverage=10, histogram=None, confidence=0.9, fed=20.0):
    from counterfeit_game.snapshot import QualityReport

    if histogram is None:
        histogram = tuple(100 if d < coverage else 0 for d in range(10))
    return QualityReport(step=step, fed=fed, score=score, confidence=confidence, coverage=coverage,
                         histogram=tuple(histogram))


class QualityClient(ScriptedClient):
    """The scripted trainer with the examiner's reports and readings under the test's control.

    ``quality``: the report every snapshot carries (None: none yet), whatever the script would send.

    ``readings``: None (samples without examiner arrays, as from an older trainer) or a function
    (bills) -> dict of Sample fields (fake_digits, fake_digit_confidence, real_digits, ...).
    ``plain_request``: request_sample takes only n, like a trainer without difficulty levels.
    """

    def __init__(self, *args, readings=None, plain_request=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.quality = None
        self.readings = readings
        self.plain_request = plain_request
        self.sample_requests: list[tuple] = []

    def _snapshot(self, status):
        from dataclasses import replace

        snap = super()._snapshot(status)
        if snap.quality is not self.quality:
            snap = replace(snap, quality=self.quality)
            self._last_snapshot = snap
        return snap

    def request_sample(self, n, *args, **kwargs):
        from counterfeit_game import protocol

        if self.plain_request and (args or kwargs):
            raise TypeError("request_sample() takes 2 positional arguments")
        self.sample_requests.append((n, kwargs))
        rid = super().request_sample(n)
        wait, sample = self._samples[rid]
        fields = {} if self.readings is None else self.readings(sample.bills)
        self._samples[rid] = (wait, protocol.Sample(rid, sample.bills, **fields))
        return rid


def open_help(app, clock):
    """Presses H on the current scene and returns the help overlay it opened."""
    from counterfeit_game.game.scenes.help import HelpOverlay

    key(app, pygame.K_h)
    frames(app, clock)
    overlay = app.stack.top
    assert isinstance(overlay, HelpOverlay)
    return overlay
