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
    client = TrainerClient(config=GanConfig(seed=3), data=small_mnist_npz, mode="thread", grid_interval=5,
                           quality_interval=10)
    app, _client, _clock = make_app(tmp_path, client=client, clock=clock, quality_interval=10,
                                    guess_fake_age=0.5, guess_best_of=2)
    app.timer = time.perf_counter
    try:
        app.start()
        run_until(app, clock, lambda: isinstance(app.stack.top, WorkshopScene) and app.snapshot.step >= 3)
        workshop = app.stack.top
        run_until(app, clock, lambda: workshop.shown is not None)
        assert workshop.shown.real.shape[1:] == (28, 28)
        assert len(app.snapshot.history) >= 3 and app.stack.top.chart.redraws >= 1
        # The examiner's report reaches the meter and the digits panel.
        run_until(app, clock, lambda: app.snapshot.quality is not None)
        run_until(app, clock, lambda: workshop.quality_meter.shown is not None)
        assert 0.0 <= workshop.quality_meter.shown <= 100.0 and workshop.digit_panel.renders >= 1
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
        # A younger counterfeiter's best of two, each bill with the examiner's reading.
        assert all(q.examiner_digit is not None and 0.0 <= q.examiner_confidence <= 1.0
                   for q in guess.round.questions)
        key(app, pygame.K_r if first.is_real else pygame.K_f)
        run_until(app, clock, lambda: guess.revealed)
        assert guess.round.score()[0] == 1
        assert 0.0 <= first.police_score <= 1.0
    finally:
        client.close()
