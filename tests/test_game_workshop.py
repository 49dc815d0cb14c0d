"""The workshop driven through real events and an injected clock: pause, step, speed, reset, help."""

from __future__ import annotations

import json

import pygame
import pytest

from counterfeit_game import protocol
from counterfeit_game.game import input as gi
from counterfeit_game.game.scenes.title import TitleScene
from counterfeit_game.game.scenes.workshop import WorkshopScene
from counterfeit_game.game.settings import SPEED_LEVELS
from counterfeit_game.game.scripted_client import ScriptedClient
from test_game_helpers import click, frames, key, make_app, open_help, start_in_workshop, tap


def commands(client, name):
    return [value for cmd, value in client.commands if cmd == name]


def test_title_shows_first_then_workshop_once_the_engine_is_ready(tmp_path):
    app, client, clock = make_app(tmp_path)
    client = ScriptedClient(now=clock.now, auto=True, ready_after_s=5.0)
    app.client = client
    app.start()
    frames(app, clock, 3)
    assert isinstance(app.stack.top, TitleScene)
    assert app.stats.first_frame_s is not None
    frames(app, clock, 60 * 4)  # still loading at 4 s
    assert isinstance(app.stack.top, TitleScene)
    frames(app, clock, 60 * 2)
    assert isinstance(app.stack.top, WorkshopScene)
    frames(app, clock, 30)
    assert app.snapshot.step > 0  # training started on its own


def test_space_pauses_and_resumes(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    key(app, pygame.K_SPACE)
    frames(app, clock)
    assert app.paused and client.commands[-1] == (protocol.PAUSE, None)
    assert app.snapshot.status == "paused"
    key(app, pygame.K_SPACE)
    frames(app, clock)
    assert not app.paused and client.commands[-1] == (protocol.RESUME, None)


def test_pause_button_click_and_touch_each_count_once(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    scene = app.stack.top
    click(app, scene.pause_button.rect.center)
    frames(app, clock)
    assert app.paused
    tap(app, scene.pause_button.rect.center)  # finger events plus emulated mouse events
    frames(app, clock)
    assert not app.paused
    assert len(commands(client, protocol.PAUSE)) == 1 and len(commands(client, protocol.RESUME)) == 1


def test_right_arrow_steps_once_and_walks_through_the_stages(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=10)
    scene = app.stack.top
    key(app, pygame.K_SPACE)
    frames(app, clock, 60)  # let the current desk settle
    before = app.snapshot.step
    key(app, pygame.K_RIGHT)
    frames(app, clock)
    assert app.snapshot.step == before + 1
    assert len(commands(client, protocol.STEP)) == 1
    assert scene.shown.step == before + 1 and scene.staged
    seen = []
    for _ in range(60 * 5):
        frames(app, clock)
        if scene.stage not in seen:
            seen.append(scene.stage)
    assert seen[:4] == [0, 1, 2, 3]
    assert all(bill.stamped for bill in scene.desk)


def test_stamps_use_the_police_scores_of_that_step(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=5)
    scene = app.stack.top
    frames(app, clock, 30)
    bills = scene.shown
    assert bills is app.snapshot.bills
    for bill in scene.desk:
        scores = bills.real_scores if bill.real else bills.fake_scores
        assert bill.score == pytest.approx(float(scores[bill.index]))
        assert bill.police_says_real == (scores[bill.index] >= 0.5)


def test_hovering_a_bill_shows_its_score(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=5)
    scene = app.stack.top
    frames(app, clock, 30)
    bill = scene.desk[0]
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=bill.rect.center, rel=(0, 0), buttons=(0, 0, 0),
                                         touch=False))
    frames(app, clock)
    assert scene.bill_at(app.pointer) is bill
    # A tap selects a bill on touch screens (no hover there).
    tap(app, scene.desk[-1].rect.center)
    frames(app, clock)
    assert scene.selected is scene.desk[-1]


def test_speed_keys_and_slider_set_the_trainer_speed(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    start = app.speed_index
    assert start == len(SPEED_LEVELS) - 1  # maximum by default
    key(app, pygame.K_DOWN)
    key(app, pygame.K_DOWN)
    frames(app, clock)
    assert app.speed == SPEED_LEVELS[start - 2]
    assert commands(client, protocol.SET_SPEED)[-1] == SPEED_LEVELS[start - 2]
    slider = app.stack.top.speed_slider
    click(app, (slider.notch_x(0), slider.rect.centery + 10))
    frames(app, clock)
    assert app.speed == SPEED_LEVELS[0]
    assert commands(client, protocol.SET_SPEED)[-1] == SPEED_LEVELS[0]


def test_slow_motion_walks_each_step_through_four_stages(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    scene = app.stack.top
    app.set_speed_index(0)  # slow motion
    client.advance(1)
    frames(app, clock, 60 * 6)  # one whole step's walk-through (4 stages of 1.25 s)
    client.advance(1)
    frames(app, clock)
    assert scene.staged
    expected_len = max(0.5, min(2.5, 1.0 / SPEED_LEVELS[0] / 4))
    assert scene.stage_len == pytest.approx(expected_len)
    assert scene.stage == 0
    frames(app, clock, dt=expected_len * 1.5)
    assert scene.stage == 1


def test_reset_needs_a_second_press(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=50)
    key(app, pygame.K_n)
    frames(app, clock)
    assert commands(client, protocol.RESET) == []
    key(app, pygame.K_n)
    frames(app, clock)
    assert commands(client, protocol.RESET) == [None]
    assert app.snapshot.step == 0 and app.snapshot.generation == 1
    frames(app, clock)
    assert app.stack.top.shown is None  # the old run's bills are gone
    # A press, then too long a wait: the second press only arms again.
    key(app, pygame.K_n)
    frames(app, clock)
    frames(app, clock, dt=4.0)
    key(app, pygame.K_n)
    frames(app, clock)
    assert commands(client, protocol.RESET) == [None]


def test_help_overlay_explains_the_tapped_element(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    workshop = app.stack.top
    help_scene = open_help(app, clock)
    click(app, workshop.chart_rect.center)
    frames(app, clock)
    assert help_scene.selected[1] == "help.chart"
    # Every element's help has a title and a text in the catalog.
    from counterfeit_game.i18n import catalog

    english = catalog("en")
    for _rect, help_key in workshop.help_targets():
        assert f"{help_key}.title" in english and f"{help_key}.text" in english, help_key
    click(app, (5, 700))  # closes the card
    frames(app, clock)
    assert help_scene.selected is None
    key(app, pygame.K_ESCAPE)
    frames(app, clock)
    assert app.stack.top is workshop
    assert not app.paused  # help does not pause: training keeps going underneath


def test_export_writes_pngs_and_confirms(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=60)
    key(app, pygame.K_e)
    frames(app, clock, 2)
    files = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert files == ["grid_step_000050.png", "losses_step_000060.png"]
    assert any("Saved" in text for text in app.toasts.texts)
    for name in files:
        assert (tmp_path / "exports" / name).read_bytes()[:4] == b"\x89PNG"


def test_resize_reflows_the_layout(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    scene = app.stack.top
    wide_desk = scene.desk_rect.width
    pygame.display.set_mode((800, 600), pygame.RESIZABLE)  # what the window manager does
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=800, h=600, size=(800, 600)))
    frames(app, clock)
    assert app.display.viewport.logical == (1024, 720)
    assert scene.size == (1024, 720)
    assert scene.desk_rect.width < wide_desk
    for _label, slots in scene.rows.values():  # the bills reflowed into the narrower desk
        assert all(scene.desk_rect.contains(slot) for slot in slots)
    assert scene.desk_rect.right < scene.chart_rect.x  # nothing overlaps
    for a in scene.buttons:
        assert a.rect.right <= 1024 and a.rect.height >= 52


def test_panels_setting_hides_panels(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, panels=("desk",))
    scene = app.stack.top
    assert scene.chart_rect.width == 0 and scene.wall_rect.width == 0
    assert scene.desk_rect.width > 1200
    frames(app, clock, 5)


def test_run_writes_stats_and_screenshot(tmp_path):
    app, client, clock = make_app(tmp_path)
    client = ScriptedClient(now=clock.now, auto=True)
    app.client = client
    stats, shot = tmp_path / "stats.json", tmp_path / "shot.png"
    assert app.run(max_frames=120, screenshot=shot, stats_path=stats) == 0
    data = json.loads(stats.read_text())
    assert set(data) >= {"frames", "frame_ms_p50", "frame_ms_p95", "train_steps", "train_steps_per_s"}
    assert data["frames_total"] == 120 and data["train_steps"] > 0
    assert pygame.image.load(str(shot)).get_size() == (1280, 720)


def test_quit_intent_ends_the_loop(tmp_path):
    app, client, clock = make_app(tmp_path)
    app.start()
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    assert app.run(max_frames=1000) == 0
    assert app.frame_count == 1


def test_a_failing_trainer_shows_a_message_not_a_crash(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    client._errors.append(protocol.WorkerError("the police fainted", "trace", False))
    frames(app, clock)
    assert any("the police fainted" in text for text in app.toasts.texts)


def test_post_lets_a_controller_drive_the_app(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    app.post(gi.Intent(gi.TOGGLE_PAUSE))
    frames(app, clock)
    assert app.paused


def test_a_still_screen_is_not_redrawn_every_frame(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=20)
    key(app, pygame.K_SPACE)
    frames(app, clock, 120)  # stamps have landed, nothing moves
    app.stats.drawn.clear()
    for _ in range(60):
        frames(app, clock)
        app.stats.drawn.append(app.last_frame_drawn)
    assert sum(app.stats.drawn) <= 2  # only the idle refresh (every 0.5 s)
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(5, 5), rel=(0, 0), buttons=(0, 0, 0), touch=False))
    frames(app, clock)
    assert app.last_frame_drawn  # input is answered on the very next frame


def test_speeding_up_ends_a_slow_motion_walk_through(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    scene = app.stack.top
    app.set_speed_index(0)
    frames(app, clock, 60 * 6)
    client.advance(1)
    frames(app, clock, 30)
    assert scene.stage == 0
    key(app, pygame.K_UP)
    key(app, pygame.K_UP)  # 0.2 -> 0.5 -> 1 step/s: out of slow motion
    frames(app, clock)
    assert scene.stage == -1 and all(bill.stamped for bill in scene.desk)


def test_export_toasts_replace_each_other(tmp_path):
    app, client, clock = start_in_workshop(tmp_path, steps=30)
    key(app, pygame.K_e)
    frames(app, clock)
    assert len(app.toasts.texts) == 1 and app.toasts.texts[0].startswith("Saved")
