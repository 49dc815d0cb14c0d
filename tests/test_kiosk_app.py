"""Kiosk mode end to end, headless: a scripted trainer, a fake clock and synthetic touch events."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pygame
import pytest

from counterfeit_game import i18n, protocol
from counterfeit_game.game.scenes.guess import GuessScene
from counterfeit_game.game.scenes.workshop import WorkshopScene
from counterfeit_game.game.scripted_client import ScriptedClient
from counterfeit_game.kiosk import session as ks
from counterfeit_game.kiosk.app import KioskApp
from counterfeit_game.kiosk.config import SAMPLE_CONFIG, KioskConfig

ROOT = Path(__file__).resolve().parent.parent
FPS = 20


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


class KioskScriptedClient(ScriptedClient):
    """The game's scripted trainer with the two things the supervisor also asks of a worker."""

    @property
    def ready(self):
        return self._ready

    def kill(self):
        self.close()


class Kiosk:
    def __init__(self, tmp_path, language="en", difficulty="normal", panels=None, architecture="dcgan",
                 **session):
        self.clock = FakeClock()
        self.clients: list[KioskScriptedClient] = []
        base = KioskConfig()
        self.config = replace(
            base,
            session=replace(base.session, **{"idle_timeout": 30.0, "countdown_seconds": 10.0, **session}),
            display=replace(base.display, language=language, fullscreen=False,
                            panels=base.display.panels if panels is None else panels),
            game=replace(base.game, speed=5.0, difficulty=difficulty),  # speed: few rows to rebuild
            paths=replace(base.paths, data_dir=tmp_path / "data", log_dir=tmp_path / "logs"),
            training=replace(base.training, architecture=architecture),
        )
        self.app = KioskApp(self.config, client_factory=self._client, clock=self.clock, window_size=(1280, 720),
                            supervisor_options=dict(close_in_background=False))
        pygame.event.clear()
        self.app.start()
        self.run(1.5)  # past the title card, training running

    def _client(self):
        client = KioskScriptedClient(now=self.clock)
        self.clients.append(client)
        return client

    @property
    def client(self) -> KioskScriptedClient:
        return self.clients[-1]

    @property
    def game(self):
        return self.app.game

    def run(self, seconds: float, fps: int = FPS) -> None:
        for _ in range(max(1, round(seconds * fps))):
            self.clock.t += 1 / fps
            self.app.frame(1 / fps)

    def wait(self, seconds: float) -> None:
        """Nobody touches anything: a few frames a second are enough for the timers."""
        self.run(seconds, fps=4)

    def tap(self, pos, touch_twice=True) -> None:
        """A finger tap as a touch screen reports it: finger events plus emulated mouse events."""
        x, y = pos[0] / 1280, pos[1] / 720
        pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=x, y=y, dx=0, dy=0, finger_id=1, touch_id=1,
                                             pressure=1.0))
        if touch_twice:
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=True))
        pygame.event.post(pygame.event.Event(pygame.FINGERUP, x=x, y=y, dx=0, dy=0, finger_id=1, touch_id=1,
                                             pressure=1.0))
        if touch_twice:
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=True))
        self.run(0.05)

    def press(self, key, unicode="") -> None:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=unicode))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=0, unicode=unicode))
        self.run(0.05)

    def click(self, pos) -> None:
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
        self.run(0.05)

    def workshop(self) -> WorkshopScene:
        scene = self.game.stack.find(WorkshopScene)
        assert scene is not None
        return scene

    def commands(self, name):
        return [value for command, value in self.client.commands if command == name]


@pytest.fixture
def kiosk(tmp_path):
    made = Kiosk(tmp_path)
    yield made
    made.app.close()
    i18n.set_language("en")


def test_attract_touch_session_idle_countdown_and_back(tmp_path):
    k = Kiosk(tmp_path, reset_policy="restart")
    assert k.app.sessions.state == ks.ATTRACT
    assert pygame.mouse.get_visible() is False
    guess = k.workshop().guess_button.rect.center
    k.tap(guess)  # wakes the kiosk; it is not also a press of the button underneath
    assert k.app.sessions.state == ks.SESSION
    assert not isinstance(k.game.stack.top, GuessScene)
    k.tap(guess)
    assert isinstance(k.game.stack.top, GuessScene)
    k.wait(29)
    assert k.app.sessions.state == ks.SESSION
    k.wait(1.5)
    assert k.app.sessions.state == ks.COUNTDOWN
    assert 8 <= k.app.sessions.countdown_remaining <= 10
    k.wait(10)
    assert k.app.sessions.state == ks.ATTRACT
    assert k.app.sessions.sessions_completed == 1
    # The visitor's round is gone (a fresh workshop), training runs again, and was restarted.
    assert [type(s) for s in k.game.stack] == [WorkshopScene]
    assert k.game.paused is False
    assert k.commands(protocol.RESET) == [None]
    assert k.commands(protocol.RESUME)
    k.app.close()


def test_continue_policy_keeps_training(tmp_path):
    k = Kiosk(tmp_path, reset_policy="continue")
    k.tap((640, 400))
    step_before = k.app.supervisor.snapshot.step
    k.wait(41)
    assert k.app.sessions.state == ks.ATTRACT
    assert k.commands(protocol.RESET) == []
    assert k.app.supervisor.snapshot.step > step_before
    k.app.close()


def test_checkpoint_policy_saves_at_arrival_and_reloads_at_departure(tmp_path):
    k = Kiosk(tmp_path, reset_policy="checkpoint")
    k.tap((640, 400))
    saves = k.commands(protocol.SAVE)
    assert saves and Path(saves[-1]).name == "session-start.npz"
    k.client._notices.append(protocol.Notice("saved", "saved", path=saves[-1]))
    k.wait(41)
    assert k.commands(protocol.LOAD) == [saves[-1]]
    k.app.close()


def test_touch_answers_the_countdown_and_goes_no_further(kiosk):
    kiosk.tap((640, 400))
    kiosk.wait(31)
    assert kiosk.app.sessions.state == ks.COUNTDOWN
    guess = kiosk.workshop().guess_button.rect.center
    kiosk.tap(guess)
    assert kiosk.app.sessions.state == ks.SESSION
    assert not isinstance(kiosk.game.stack.top, GuessScene)
    kiosk.wait(29)
    assert kiosk.app.sessions.state == ks.SESSION  # the idle timer started again at that touch


def test_finger_and_emulated_mouse_count_as_one_tap(kiosk):
    kiosk.tap((640, 400))  # finger + emulated mouse: wakes the kiosk once
    assert kiosk.app.sessions.sessions_started == 1
    assert kiosk.app._swallow_up is False  # the one pointer-up was the waking tap's
    # The reset button needs two presses to act: one double-reported tap must only arm it.
    reset = kiosk.workshop().reset_button.rect.center
    kiosk.tap(reset)
    assert kiosk.commands(protocol.RESET) == []
    # A driver that forgets the touch flag: the mouse press right after the finger is still dropped.
    pos = kiosk.workshop().guess_button.rect.center
    x, y = pos[0] / 1280, pos[1] / 720
    pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=x, y=y, dx=0, dy=0, finger_id=2, touch_id=1,
                                         pressure=1.0))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.FINGERUP, x=x, y=y, dx=0, dy=0, finger_id=2, touch_id=1,
                                         pressure=1.0))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    kiosk.run(0.05)
    assert sum(isinstance(s, GuessScene) for s in kiosk.game.stack) == 1
    assert len(kiosk.commands(protocol.SAMPLE)) == 1


@pytest.mark.parametrize("event", [
    pygame.event.Event(pygame.QUIT),  # window close, and Alt+F4 through the window manager
    pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="\x1b"),
    pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_CTRL, unicode="q"),
    pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F4, mod=pygame.KMOD_ALT, unicode=""),
    pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F11, mod=0, unicode=""),
])
def test_quitting_is_refused_in_kiosk_mode(kiosk, event):
    kiosk.tap((640, 400))
    for _ in range(3):
        pygame.event.post(event)
        kiosk.run(0.1)
    assert kiosk.app.running and kiosk.game.running
    assert kiosk.game.display.fullscreen is False  # F11 did not toggle either


def pin_pad_tap(kiosk, label):
    button = next(b for b in kiosk.app.pin_pad.buttons if b.text == label)
    kiosk.tap(button.rect.center)


def test_corner_taps_and_the_pin_exit(kiosk):
    for _ in range(5):
        kiosk.tap((20, 20))
    assert kiosk.app.pin_pad is not None
    for digit in "1234":
        pin_pad_tap(kiosk, digit)
    assert kiosk.app.pin_pad.digits == "1234"
    assert kiosk.app.running
    pin_pad_tap(kiosk, i18n.t("kiosk.pin.ok"))
    assert not kiosk.app.running and not kiosk.game.running
    assert kiosk.app.exit_reason == "operator PIN"


class SavingScriptedClient(KioskScriptedClient):
    """Writes its checkpoints as the worker does: a save asked for just before close is written on
    the way out, when nobody reads the "saved" notice any more."""

    def save(self, path):
        super().save(path)
        Path(path).write_bytes(b"checkpoint at step %d" % self.step)
        self._notices.append(protocol.Notice("saved", "saved", str(path)))

    def load(self, path):
        super().load(path)
        self._notices.append(protocol.Notice("loaded", "loaded", str(path)))


def test_leaving_with_the_pin_keeps_the_last_three_checkpoints(tmp_path, monkeypatch):
    folder = tmp_path / "data" / "checkpoints" / "dcgan"
    folder.mkdir(parents=True)
    for number in (5, 6, 7):  # weeks of running: the last three saves, all confirmed
        (folder / f"kiosk-00000{number}.npz").write_bytes(b"older training")
    monkeypatch.setattr(Kiosk, "_client", lambda self: self.clients.append(SavingScriptedClient(now=self.clock))
                        or self.clients[-1])
    k = Kiosk(tmp_path)
    assert [Path(p) for p in k.commands(protocol.LOAD)] == [folder / "kiosk-000007.npz"]
    for _ in range(5):
        k.tap((20, 20))
    for digit in "1234":
        pin_pad_tap(k, digit)
    pin_pad_tap(k, i18n.t("kiosk.pin.ok"))
    assert not k.app.running
    k.app.close()  # what run() does once the loop ends
    assert [Path(p).name for p in k.commands(protocol.SAVE)] == ["kiosk-000008.npz"]
    assert sorted(p.name for p in folder.iterdir()) == ["kiosk-000006.npz", "kiosk-000007.npz", "kiosk-000008.npz"]


def test_a_wrong_pin_closes_the_pad_and_keeps_running(kiosk):
    for _ in range(5):
        kiosk.tap((20, 20))
    for digit in "9999":
        pin_pad_tap(kiosk, digit)
    pin_pad_tap(kiosk, i18n.t("kiosk.pin.ok"))
    assert kiosk.app.pin_pad is None and kiosk.app.running
    assert i18n.t("kiosk.pin.wrong") in kiosk.game.toasts.texts
    kiosk.tap((20, 20))  # the gesture must be made again: one tap does not reopen the pad
    assert kiosk.app.pin_pad is None


def test_four_corner_taps_or_taps_elsewhere_do_not_open_the_pad(kiosk):
    for _ in range(4):
        kiosk.tap((20, 20))
    kiosk.tap((640, 400))
    kiosk.tap((20, 20))
    assert kiosk.app.pin_pad is None


def test_a_trainer_crash_shows_the_recovery_message_and_commands_reach_the_new_worker(kiosk):
    kiosk.tap((640, 400))
    first = kiosk.client
    first.close()  # the worker died
    kiosk.run(0.1)
    supervisor = kiosk.app.supervisor
    assert supervisor.stats["crashes"] == 1
    assert kiosk.client is not first and supervisor.client is kiosk.client
    assert supervisor.recovery_visible
    assert supervisor.notice.title_key == "kiosk.recovery.crash"
    canvas = pygame.Surface((1280, 720))
    before = pygame.image.tobytes(canvas, "RGB")
    kiosk.app.recovery.draw(canvas, supervisor.notice, True, kiosk.clock())
    assert pygame.image.tobytes(canvas, "RGB") != before
    kiosk.game.set_paused(True)
    assert (protocol.PAUSE, None) in kiosk.client.commands
    assert (protocol.PAUSE, None) not in first.commands
    kiosk.run(10)
    assert not supervisor.recovery_visible and supervisor.stats["recoveries"] == 1
    assert kiosk.app.running


def test_hidden_guess_panel_takes_its_button_away(tmp_path):
    k = Kiosk(tmp_path, panels=("desk", "chart", "wall"))
    workshop = k.workshop()
    assert workshop.guess_button not in workshop.buttons
    assert workshop.export_button not in workshop.buttons  # exports would fill the disk over weeks
    # The remaining controls share the whole bar: no hole where the buttons were.
    help_right = workshop.help_button.rect.right
    assert help_right >= 1280 - 40
    k.tap((640, 400))  # wakes the kiosk
    k.press(pygame.K_p, "p")  # the key of the hidden game does nothing either
    k.run(0.3)
    assert not isinstance(k.game.stack.top, GuessScene)
    k.app.close()


def test_spanish_text_on_the_attract_screen(tmp_path):
    k = Kiosk(tmp_path, language="es")
    try:
        assert i18n.get_language() == "es"
        assert i18n.t("kiosk.attract.touch_to_play") == "Toca para jugar"
        assert k.workshop().guess_button.text == i18n.catalog("es")["controls.guess"]
    finally:
        k.app.close()
        i18n.set_language("en")


def test_spanish_catalog_has_every_english_key():
    en = i18n.catalog("en")
    es = i18n.catalog("es")
    assert set(en) - set(es) == set()
    for key, text in en.items():  # the same {fields}, so no message breaks when filled in
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", es[key])), key
    import json

    base_en = json.loads((ROOT / "counterfeit_game/i18n/en.json").read_text(encoding="utf-8"))
    base_es = json.loads((ROOT / "counterfeit_game/i18n/es.json").read_text(encoding="utf-8"))
    assert set(base_en) - set(base_es) == set()


def test_readme_sample_config_is_the_packaged_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    assert SAMPLE_CONFIG.read_text(encoding="utf-8") in blocks


def test_play_command_config_without_kiosk_is_refused():
    from counterfeit_game.errors import UserFacingError
    from counterfeit_game.game.play_command import run_play

    class Args:
        kiosk = False
        config = Path("kiosk.toml")

    with pytest.raises(UserFacingError, match="--kiosk"):
        run_play(Args())


def test_kiosk_with_a_bad_config_names_the_key(tmp_path):
    from counterfeit_game.errors import ConfigError
    from counterfeit_game.kiosk.app import run_kiosk

    path = tmp_path / "kiosk.toml"
    path.write_text("[session]\nidle_timeout = -3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"session\.idle_timeout"):
        run_kiosk(path)


def test_sigterm_from_a_service_manager_ends_the_kiosk(kiosk):
    import os
    import signal

    from counterfeit_game.kiosk.app import stop_on_sigterm

    previous = signal.getsignal(signal.SIGTERM)
    try:
        stop_on_sigterm(kiosk.app)
        os.kill(os.getpid(), signal.SIGTERM)
        kiosk.run(0.05)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not kiosk.app.running and kiosk.app.exit_reason == "SIGTERM"


def test_run_stops_after_max_frames_saves_a_screenshot_and_closes_the_window_first(kiosk, tmp_path):
    shot = tmp_path / "shots" / "kiosk.png"
    order = []
    supervisor_close = kiosk.app.supervisor.close

    def close_trainer(timeout=5.0):
        order.append(("trainer", pygame.display.get_init()))
        supervisor_close(timeout)

    kiosk.app.supervisor.close = close_trainer
    assert kiosk.app.run(max_frames=3, screenshot=shot) == 0
    assert pygame.image.load(str(shot)).get_size() == (1280, 720)
    assert not kiosk.app.running
    assert order == [("trainer", False)]  # the window was gone before the trainer was asked to stop


def test_the_filmstrip_has_no_export_button_and_exports_never_run(kiosk):
    from counterfeit_game.game.scenes.filmstrip import FilmstripScene

    kiosk.workshop().open_filmstrip()
    kiosk.run(0.2)
    film = kiosk.game.stack.find(FilmstripScene)
    assert film is not None
    assert film.export_button not in film.buttons
    started = []
    kiosk.game.exporter.export = lambda *a, **k: started.append(a) or True
    kiosk.game.export_now()  # e.g. a button some scene still holds
    assert started == []
    assert not (kiosk.config.paths.data_dir / "exports").exists()


@pytest.mark.parametrize("difficulty, expected", [("easy", (6, 1 / 3, 1)), ("hard", (10, 1.0, 3))])
def test_difficulty_reaches_the_guessing_rounds_samples(tmp_path, difficulty, expected):
    k = Kiosk(tmp_path, difficulty=difficulty)
    guess = k.workshop().guess_button.rect.center
    k.tap(guess)  # wakes the kiosk
    k.tap(guess)
    k.run(0.5)
    assert isinstance(k.game.stack.top, GuessScene)
    round_length, fake_age, best_of = expected
    assert k.client.sample_options, "the round asked for no bills"
    n, age, best = k.client.sample_options[-1]
    assert (age, best) == pytest.approx((fake_age, best_of))
    assert n * 2 >= round_length  # enough bills for a round of this length
    k.app.close()


def test_each_architecture_keeps_its_own_checkpoints(tmp_path):
    dcgan_folder = tmp_path / "data" / "checkpoints" / "dcgan"
    dcgan_folder.mkdir(parents=True)
    trained = dcgan_folder / "kiosk-000007.npz"
    trained.write_bytes(b"weeks of training")
    k = Kiosk(tmp_path, architecture="original")  # the operator tries the other pair...
    assert k.commands(protocol.LOAD) == []  # ...which starts fresh in its own folder
    k.app.close()
    assert trained.read_bytes() == b"weeks of training"  # not set aside as corrupt
    assert sorted(p.name for p in dcgan_folder.iterdir()) == ["kiosk-000007.npz"]
    k = Kiosk(tmp_path, architecture="dcgan")  # and switching back picks it up again
    assert [Path(p) for p in k.commands(protocol.LOAD)] == [trained]
    k.app.close()


def test_no_keyboard_hints_on_the_touch_screen(kiosk):
    assert kiosk.app.settings.show_key_hints is False
    workshop = kiosk.workshop()
    assert all(not getattr(button, "hint", "") for button in workshop.buttons)


def test_are_you_still_there_is_never_drawn_under_the_recovery_message(kiosk, monkeypatch):
    drawn = []
    monkeypatch.setattr(kiosk.app.recovery, "draw", lambda *a, **k: drawn.append("recovery"))
    monkeypatch.setattr(kiosk.app.countdown, "draw", lambda *a, **k: drawn.append("countdown"))
    monkeypatch.setattr(type(kiosk.app.supervisor), "recovery_visible", property(lambda self: True))
    kiosk.app.supervisor.notice = "kiosk.recovery.crash"
    canvas = pygame.Surface((1280, 720))
    kiosk.tap((640, 400))
    drawn.clear()
    kiosk.app._draw_overlays(canvas)
    assert drawn == ["recovery"]  # a visitor playing sees the news about the trainer
    drawn.clear()
    kiosk.wait(31)
    assert kiosk.app.sessions.state == ks.COUNTDOWN
    drawn.clear()
    kiosk.app._draw_overlays(canvas)
    assert drawn == ["countdown"]  # one box at a time: the question to the visitor wins


def _into_a_still_round(kiosk):
    """A visitor's guessing round: training paused, nothing on the game's own screen moving."""
    kiosk.tap((640, 400))
    kiosk.tap(kiosk.workshop().guess_button.rect.center)
    assert isinstance(kiosk.game.stack.top, GuessScene) and kiosk.game.paused
    kiosk.run(2)
    for _ in range(40):  # just after a drawn frame, so the next can only be drawn for a reason
        kiosk.run(0.05)
        if kiosk.game.last_frame_drawn:
            return
    raise AssertionError("no frame drawn in two seconds")


def test_a_pin_digit_is_drawn_on_the_frame_of_its_tap(kiosk):
    _into_a_still_round(kiosk)
    for _ in range(5):
        kiosk.tap((20, 20))
    assert kiosk.app.pin_pad is not None and kiosk.game.last_frame_drawn
    for digit in "12":
        kiosk.run(0.05)
        pin_pad_tap(kiosk, digit)
        assert kiosk.game.last_frame_drawn, f"the dot for {digit} waits for an idle redraw"
    assert kiosk.app.pin_pad.digits == "12"


def test_the_countdown_ring_moves_every_frame_while_training_is_paused(kiosk):
    _into_a_still_round(kiosk)
    kiosk.wait(31)
    assert kiosk.app.sessions.state == ks.COUNTDOWN
    drawn = []
    for _ in range(10):
        kiosk.run(0.05)
        drawn.append(kiosk.game.last_frame_drawn)
    assert all(drawn)
    kiosk.tap((640, 400))  # "I'm still here": back to the still round, frames are saved again
    kiosk.run(2)
    drawn = []
    for _ in range(10):
        kiosk.run(0.05)
        drawn.append(kiosk.game.last_frame_drawn)
    assert not all(drawn)
