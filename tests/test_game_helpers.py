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
