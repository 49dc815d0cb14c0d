"""'You be the police': the round's rules, scoring against the police, and the scenes around it."""

from __future__ import annotations

import random

import numpy as np
import pygame
import pytest

from counterfeit_game import protocol
from counterfeit_game.game.scenes.guess import GuessRound, GuessScene
from counterfeit_game.game.scenes.results import ResultsScene
from counterfeit_game.game.scenes.workshop import WorkshopScene
from counterfeit_game.game.scores import ScoreStore
from counterfeit_game.snapshot import StepBills
from test_game_helpers import click, frames, key, start_in_workshop, tap


def bills(n=10):
    real = np.full((n, 28, 28), 1, np.uint8)
    fake = np.full((n, 28, 28), 2, np.uint8)
    # Police: right on the first half of each kind, wrong on the rest.
    real_scores = np.array([0.9] * (n // 2) + [0.2] * (n - n // 2), np.float32)
    fake_scores = np.array([0.1] * (n // 2) + [0.7] * (n - n // 2), np.float32)
    return StepBills(7, real, fake, real_scores, fake_scores)


def test_a_round_is_half_real_half_fake_in_random_order():
    orders = set()
    for seed in range(5):
        round_ = GuessRound.from_bills(bills(), 10, random.Random(seed))
        kinds = [q.is_real for q in round_.questions]
        assert sum(kinds) == 5
        orders.add(tuple(kinds))
        for q in round_.questions:
            assert q.image[0, 0] == (1 if q.is_real else 2)  # real images for real questions
    assert len(orders) > 1


def test_scoring_against_the_police_and_streaks():
    round_ = GuessRound.from_bills(bills(), 10, random.Random(3), step=42)
    truth = [q.is_real for q in round_.questions]
    answers = truth[:6] + [not x for x in truth[6:8]] + truth[8:]
    for says_real in answers:
        round_.answer(says_real)
    assert round_.finished
    result = round_.result(when=99.0)
    assert result.correct == 8 and result.total == 10
    assert result.police_correct == sum(q.police_says_real == q.is_real for q in round_.questions)
    assert result.best_streak == 6
    assert result.fakes_total == 5 and result.reals_total == 5
    fakes = [(a, q) for a, q in zip(answers, round_.questions) if not q.is_real]
    assert result.fakes_caught == sum(not a for a, _ in fakes)
    assert result.police_fakes_caught == sum(q.police_score < 0.5 for _, q in fakes)
    assert result.step == 42 and result.when == 99.0


def play_round(app, clock, client, answer_right: bool):
    scene = app.stack.top
    assert isinstance(scene, GuessScene)
    frames(app, clock, 2)  # the sample arrives
    assert scene.round is not None
    for _ in range(10):
        question = scene.round.current
        says_real = question.is_real if answer_right else not question.is_real
        key(app, pygame.K_r if says_real else pygame.K_f)
        frames(app, clock)
        assert scene.revealed
        key(app, pygame.K_RETURN)
        frames(app, clock)


def test_a_full_round_through_keys_pauses_training_then_resumes(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=40)
    key(app, pygame.K_p)
    frames(app, clock)
    assert isinstance(app.stack.top, GuessScene)
    assert app.paused and client.commands[-2:] == [(protocol.PAUSE, None), (protocol.SAMPLE, 10)]
    step_before = app.snapshot.step
    play_round(app, clock, client, answer_right=True)
    assert app.snapshot.step == step_before  # no training during the round
    results = app.stack.top
    assert isinstance(results, ResultsScene)
    assert results.result.correct == 10
    board = ScoreStore(tmp_path / "scores.json").board  # on disk, read back
    assert board.rounds_played == 1 and board.best[0]["correct"] == 10
    assert board.best_streak == 10
    key(app, pygame.K_ESCAPE)
    frames(app, clock)
    assert isinstance(app.stack.top, WorkshopScene)
    assert not app.paused and client.commands[-1] == (protocol.RESUME, None)


def test_a_round_started_while_paused_stays_paused_afterwards(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    key(app, pygame.K_SPACE)
    key(app, pygame.K_p)
    frames(app, clock)
    scene = app.stack.top
    key(app, pygame.K_ESCAPE)  # leave at once
    frames(app, clock)
    assert app.stack.top is not scene and app.paused


def test_guessing_by_touch_counts_each_tap_once(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    key(app, pygame.K_p)
    frames(app, clock, 3)
    scene = app.stack.top
    tap(app, scene.real_button.rect.center)
    frames(app, clock)
    assert scene.round.answers == [True]
    tap(app, scene.next_button.rect.center)
    frames(app, clock)
    assert not scene.revealed and scene.round.index == 1
    click(app, scene.fake_button.rect.center)
    frames(app, clock)
    assert scene.round.answers == [True, False]


def test_a_slow_sample_falls_back_to_the_desk_bills(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=12)
    client._sample_delay_polls = 10_000  # the worker never answers
    key(app, pygame.K_p)
    frames(app, clock, 30)
    scene = app.stack.top
    assert scene.round is None
    frames(app, clock, 60 * 4)
    assert scene.round is not None and len(scene.round.questions) == 10


def test_play_again_and_results_are_ranked(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    key(app, pygame.K_p)
    frames(app, clock)
    play_round(app, clock, client, answer_right=False)
    assert app.stack.top.result.correct == 0
    key(app, pygame.K_RETURN)  # play again
    frames(app, clock)
    play_round(app, clock, client, answer_right=True)
    results = app.stack.top
    assert results.rank == 0 and results.headline_key() in ("results.win", "results.draw")
    assert [e["correct"] for e in app.scores.board.best] == [10, 0]
    assert len(app.stack) == 2  # workshop + results: rounds do not pile up


@pytest.mark.parametrize("auto_wait", [True])
def test_reveal_moves_on_by_itself(tmp_path, auto_wait):
    app, client, clock = start_in_workshop(tmp_path)
    key(app, pygame.K_p)
    frames(app, clock, 2)
    scene = app.stack.top
    key(app, pygame.K_r)
    frames(app, clock)
    frames(app, clock, 60 * 9)
    assert scene.round.index == 1 and not scene.revealed
