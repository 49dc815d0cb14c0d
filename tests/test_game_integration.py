"""The game on the real trainer (thread mode, small data): training shows up, keys reach it."""

from __future__ import annotations

import time

import pygame
from counterfeit_game.game.scenes.guess import GuessScene
from counterfeit_game.game.scenes.workshop import WorkshopScene
from counterfeit_game.hyperparams import GanConfig
from test_game_helpers import key, make_app

TIMEOUT_S = 240  # TensorFlow import and XLA compilation on a busy 2-core machine


class RealClock:
    """Real time, paced at 60 frames a second, for a real trainer thread."""

    def __init__(self):
        self.clock = pygame.time.Clock()
        self.frame_ms = 1000 / 60

    def tick(self, fps=60):
        return self.clock.tick(fps)

    def now(self):
        return time.monotonic()


def run_until(app, clock, predicate, timeout=TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.frame(min(0.1, clock.tick(60) / 1000))
        if predicate():
            return
    raise AssertionError("the game did not reach the expected state in time")


def test_real_trainer_drives_the_workshop_and_answers_the_keys(tmp_path, small_mnist_npz):
    from counterfeit_game.worker import TrainerClient

    clock = RealClock()
    client = TrainerClient(config=GanConfig(seed=3), data=small_mnist_npz, mode="thread", grid_interval=5)
    app, _client, _clock = make_app(tmp_path, client=client, clock=clock)
    app.timer = time.perf_counter
    try:
        app.start()
        run_until(app, clock, lambda: isinstance(app.stack.top, WorkshopScene) and app.snapshot.step >= 3)
        workshop = app.stack.top
        run_until(app, clock, lambda: workshop.shown is not None)
        assert workshop.shown.real.shape[1:] == (28, 28)
        assert len(app.snapshot.history) >= 3 and app.stack.top.chart.redraws >= 1
        key(app, pygame.K_SPACE)
        run_until(app, clock, lambda: app.snapshot.status == "paused")
        paused_at = app.snapshot.step
        run_until(app, clock, lambda: True, timeout=0.3)
        assert app.snapshot.step == paused_at  # really paused
        key(app, pygame.K_RIGHT)
        run_until(app, clock, lambda: app.snapshot.step == paused_at + 1)
        run_until(app, clock, lambda: workshop.shown.step == paused_at + 1 and workshop.staged)
        key(app, pygame.K_p)
        run_until(app, clock, lambda: isinstance(app.stack.top, GuessScene) and app.stack.top.round is not None)
        guess = app.stack.top
        first = guess.round.current
        key(app, pygame.K_r if first.is_real else pygame.K_f)
        run_until(app, clock, lambda: guess.revealed)
        assert guess.round.score()[0] == 1
        assert 0.0 <= first.police_score <= 1.0
    finally:
        client.close()
