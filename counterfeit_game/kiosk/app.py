"""Kiosk mode: the game on a public touch screen for weeks, with nobody watching.

The kiosk wraps an ordinary GameApp rather than changing it. It hands the game three things:

* a display whose ``present()`` paints the kiosk's overlays (attract mode, "Are you still
  there?", the recovery message, the PIN pad) over whatever scene is showing, so game scenes may
  push, pop and replace each other underneath without knowing about the kiosk;
* an input mapper that passes every intent through the kiosk first: the touch that wakes the
  kiosk or answers the countdown goes no further, the operator's gesture is watched, and quitting
  (window close, Alt+F4, Ctrl+Q) or leaving fullscreen is refused;
* a trainer handle that always speaks to the supervisor's current client, because the supervisor
  replaces the worker after a crash.

Time comes from one injected clock, so tests walk through visitors and failures without sleeping.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import math
import signal
import sys
import time
from pathlib import Path
from typing import Callable

import pygame

from counterfeit_game import i18n
from counterfeit_game.game import input as gi
from counterfeit_game.game.app import MAX_DT, GameApp, init_pygame_quietly
from counterfeit_game.game.display import Display
from counterfeit_game.game.play_command import lower_worker_priority
from counterfeit_game.game.settings import GameSettings, speed_index
from counterfeit_game.game.widgets.toast import Toasts
from counterfeit_game.hyperparams import game_config, game_quality_interval
from counterfeit_game.i18n import t
from counterfeit_game.kiosk import session as ks
from counterfeit_game.kiosk.attract import AttractLoop
from counterfeit_game.kiosk.config import KioskConfig, ensure_folder
from counterfeit_game.kiosk.exit_gesture import EXIT, LOCKED, OperatorExit
from counterfeit_game.kiosk.session import VisitorSessions
from counterfeit_game.kiosk.supervisor import TrainingSupervisor
from counterfeit_game.snapshot import STATUS_LOADING

log = logging.getLogger(__name__)

REFUSED = (gi.QUIT, gi.TOGGLE_FULLSCREEN, gi.EXPORT)  # exports would fill the disk over weeks
STARTERS = (gi.POINTER_DOWN, gi.WHEEL)  # what wakes the kiosk; pointer-up and hover do not


class SupervisedClient:
    """The game's trainer, as the supervisor runs it now (a new one after each restart).

    The supervisor polls and reads the worker's errors and notices itself; the game gets the
    snapshot it already has and no error toasts (the recovery message says it better).
    """

    def __init__(self, supervisor: TrainingSupervisor):
        self._supervisor = supervisor

    def _call(self, name: str, *args, default=None):
        client = self._supervisor.client
        if client is None:  # between a crash and the restart: the command is moot
            return default
        try:
            return getattr(client, name)(*args)
        except Exception:  # noqa: BLE001 - a dying worker must not take the window with it
            log.exception("trainer command %s failed", name)
            return default

    def start(self):
        return self  # the supervisor starts the workers

    def close(self, timeout: float = 5.0) -> None:
        pass  # the kiosk closes the supervisor

    def poll(self):
        return self._supervisor.snapshot

    def notices(self):
        return []

    def errors(self):
        return []

    def pause(self):
        self._call("pause")

    def resume(self):
        self._call("resume")

    def step_once(self):
        self._call("step_once")

    def set_speed(self, speed):
        self._call("set_speed", speed)

    def reset(self, seed=None):
        self._call("reset", seed)

    def request_sample(self, n: int, fake_age: float = 1.0, best_of: int = 1) -> int:
        return self._call("request_sample", n, fake_age, best_of, default=-1)

    def take_sample(self, request_id: int):
        return self._call("take_sample", request_id)

    def inject_fault(self, kind: str):
        self._call("inject_fault", kind)

    @property
    def alive(self) -> bool:
        client = self._supervisor.client
        return bool(client is not None and client.alive)


class KioskDisplay(Display):
    """The game's display, plus the kiosk's overlays painted last, just before the flip."""

    overlay: Callable[[pygame.Surface], None] | None = None

    def present(self) -> None:
        if self.overlay is not None:
            self.overlay(self.canvas)
        super().present()


class KioskInput:
    """Stands in for the game's InputMapper: same translation, then the kiosk's say."""

    def __init__(self, mapper: gi.InputMapper, route: Callable[[gi.Intent], bool]):
        self.mapper = mapper
        self._route = route

    def translate(self, event) -> list[gi.Intent]:
        return [intent for intent in self.mapper.translate(event) if self._route(intent)]

    def __getattr__(self, name):
        return getattr(self.mapper, name)


def release_freed_memory() -> None:
    """Hand memory freed by the last visitor's scenes back to the system.

    glibc keeps freed heap pages for reuse, so without this the kiosk's resident size would ratchet
    up to the largest high-water mark any visitor ever caused (a filmstrip of big grids, say) and
    stay there. Once per visitor, a few milliseconds; elsewhere than glibc it does nothing.
    """
    gc.collect()
    if _libc is not None:
        try:
            _libc.malloc_trim(0)
        except (AttributeError, OSError):
            pass


def _load_libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


_libc = _load_libc()


def game_settings(config: KioskConfig, window_size=None, fullscreen: bool | None = None) -> GameSettings:
    return GameSettings(
        exports_dir=config.paths.data_dir / "exports",
        scores_path=config.scores_path,
        panels=config.display.panels,
        sound=config.sound.enabled,
        volume=config.sound.volume,
        speed=config.game.speed,
        window_size=window_size or (1280, 720),
        fullscreen=config.display.fullscreen if fullscreen is None else fullscreen,
        guess_round_length=config.game.rules.round_length,
        show_key_hints=False,  # a touch screen: no keyboard to press them on
        guess_fake_age=config.game.rules.fake_age,
        guess_best_of=config.game.rules.best_of,
        quality_interval=game_quality_interval(config.training.architecture),
        language=config.display.language,
    )


def trainer_factory(config: KioskConfig, settings: GameSettings, clock=time.monotonic, tf_threads=None):
    """Real trainers in their own process, stamped with the supervisor's clock."""

    def make():
        from counterfeit_game.worker import TrainerClient

        return TrainerClient(config=game_config(config.training.architecture), data="bundled",
                             mode="process", grid_interval=settings.grid_interval, speed=config.game.speed,
                             quality_interval=settings.quality_interval, tf_threads=tf_threads, clock=clock,
                             native_logs=False)  # an operator's journal gets our log lines, not TF's

    return make


class KioskApp:
    def __init__(self, config: KioskConfig, *, client_factory: Callable[[], object] | None = None,
                 clock: Callable[[], float] = time.monotonic, timer=time.perf_counter, window_size=None,
                 fullscreen: bool | None = None, audio=None, rng=None, fonts=None, supervisor_options=None,
                 tf_threads: int | None = None):
        self.config = config
        self.clock = clock
        ensure_folder(config.paths.data_dir, "paths.data_dir", config)
        i18n.set_language(config.display.language)
        self.settings = game_settings(config, window_size, fullscreen)
        factory = client_factory or trainer_factory(config, self.settings, clock, tf_threads)
        self.supervisor = TrainingSupervisor.from_config(config, factory, clock, **(supervisor_options or {}))
        self.sessions = VisitorSessions.from_config(config, clock)
        self.attract = AttractLoop(clock)
        init_pygame_quietly()
        display = KioskDisplay(self.settings.window_size, self.settings.fullscreen, t("app.title"))
        self.game = GameApp(SupervisedClient(self.supervisor), self.settings, display=display, now=clock,
                            timer=timer, audio=audio, rng=rng, fonts=fonts)
        self.game.input = KioskInput(self.game.input, self._route)
        self.game.exports_allowed = False  # weeks of visitors' exports would fill the disk
        self.gate = OperatorExit.from_config(config, clock, logical_size=display.viewport.logical)
        display.overlay = self._draw_overlays

        from counterfeit_game.kiosk.scenes.attract import AttractOverlay
        from counterfeit_game.kiosk.scenes.pin_pad import PinPad
        from counterfeit_game.kiosk.scenes.prompts import CountdownOverlay, RecoveryBanner

        fonts = self.game.fonts
        self.attract_overlay = AttractOverlay(fonts)
        self.countdown = CountdownOverlay(fonts, self._still_here)
        self.recovery = RecoveryBanner(fonts)
        self.pin_pad: PinPad | None = None
        self._make_pin_pad = lambda: PinPad(fonts, self._submit_pin, self._cancel_pin, self.gate.pad_input)
        self.pin_message = ""
        self.running = False
        self.exit_reason: str | None = None
        self._swallow_up = False  # the pointer-up of a touch the kiosk kept for itself
        self._launches_seen = 0
        self.refused: list[str] = []  # intents refused (quit, fullscreen, export), for the log and tests

    # -- life cycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        pygame.mouse.set_visible(False)
        self.supervisor.start()
        self.game.start()
        self.running = True
        log.info("kiosk started (language %s, reset policy %s)", self.config.display.language,
                 self.config.session.reset_policy)

    def run(self, max_frames: int | None = None, screenshot: Path | None = None) -> int:
        if not self.running:
            self.start()
        dt = 0.0
        frames = 0
        try:
            while self.running:
                self.frame(dt)
                frames += 1
                if max_frames is not None and frames >= max_frames:
                    break
                dt = min(MAX_DT, self.game.clock.tick(self.settings.fps) / 1000.0)
            if screenshot is not None:
                self.game.display.screenshot(screenshot)
        finally:
            self.close()
        return 0

    def close(self) -> None:
        """Save where training is (when it is healthy) and stop the worker.

        The window goes first: the last checkpoint and the worker's goodbye can take seconds, and
        an operator who typed the PIN should see the kiosk end at once, not a frozen screen."""
        self.running = False
        try:
            self.supervisor.save_now()
        except Exception:  # noqa: BLE001
            log.exception("final checkpoint failed")
        try:
            pygame.display.quit()
        except pygame.error:
            pass
        began = time.monotonic()
        self.supervisor.close(timeout=10.0)
        log.info("kiosk closed (%s); trainer finished in %.1f s", self.exit_reason or "program end",
                 time.monotonic() - began)

    def frame(self, dt: float) -> None:
        """Supervise training, run the visitor clock, then the game's own frame."""
        self.supervisor.update()
        self._after_launch()
        for action in self.sessions.update():
            self._act(action)
        if self.gate.update():
            self._open_pin_pad()
        if self.pin_pad is not None and not self.gate.pin_pad_open:
            self.pin_pad = None  # closed by the gate (forgotten pad, lockout)
        if self._overlays_moving():
            self.game.request_redraw()
        self.game.frame(dt)

    def _overlays_moving(self) -> bool:
        """The attract hand and cards, the countdown's ring and the recovery seal move every frame."""
        if self.sessions.state in (ks.ATTRACT, ks.COUNTDOWN):
            return True
        return self.supervisor.recovery_visible and self.supervisor.notice is not None

    # -- input --------------------------------------------------------------------------------------
    def _route(self, intent: gi.Intent) -> bool:
        """True when the game should see this intent too."""
        # What the kiosk keeps for itself (a PIN digit, the touch that wakes it) still changes the screen.
        self.game.request_redraw()
        kind = intent.kind
        if kind in REFUSED:
            self.refused.append(kind)
            log.info("kiosk mode: %s refused", kind)
            return False
        if kind == gi.RESIZE:
            return True
        opened = self._watch_gesture(intent)
        if self.pin_pad is not None:
            self.pin_pad.handle(intent)
            if self.sessions.in_session:
                self.sessions.touch()  # the operator at the pad: no countdown underneath
            return False
        if opened:
            self._open_pin_pad()
            return False
        if kind == gi.POINTER_MOVE and not intent.touch:
            return self.sessions.in_session  # a mouse hovering is nobody's touch
        if kind == gi.POINTER_UP and self._swallow_up:
            self._swallow_up = False
            return False
        if not self.sessions.in_session and kind not in STARTERS and intent.pos is not None:
            return False  # a stray pointer-up or drag in attract mode
        actions = self.sessions.touch()
        for action in actions:
            self._act(action)
        if any(a.name in (ks.START_SESSION, ks.CANCEL_COUNTDOWN) for a in actions):
            self._swallow_up = kind == gi.POINTER_DOWN
            return False
        return True

    def _watch_gesture(self, intent: gi.Intent) -> bool:
        if intent.pos is None:
            return False
        if intent.kind == gi.POINTER_DOWN:
            self.gate.press(intent.pos)
            return self.gate.tap(intent.pos)
        if intent.kind == gi.POINTER_MOVE and intent.touch:
            self.gate.move(intent.pos)
        elif intent.kind == gi.POINTER_UP:
            self.gate.release(intent.pos)
        return False

    # -- visitors -----------------------------------------------------------------------------------
    def _act(self, action: ks.SessionAction) -> None:
        if action.name == ks.START_SESSION:
            self.supervisor.begin_session(self.config.session.reset_policy)
            self.game.audio.play("click")
        elif action.name == ks.END_SESSION:
            self._next_visitor(action.reset_policy)

    def _still_here(self) -> None:
        self.sessions.touch()

    def _next_visitor(self, reset_policy: str) -> None:
        """The visitor left: their round, results, pause and speed go; training is reset by policy."""
        from counterfeit_game.game.scenes.title import TitleScene
        from counterfeit_game.game.scenes.workshop import WorkshopScene

        game = self.game
        while len(game.stack):
            game.stack.pop()
        game.toasts = Toasts()
        game.paused = False
        game.speed_index = speed_index(self.config.game.speed)
        game.set_speed_index(game.speed_index)
        loading = self.supervisor.snapshot.status == STATUS_LOADING
        game.stack.push(TitleScene(game) if loading else WorkshopScene(game))
        self.supervisor.end_session(reset_policy)
        self.attract.restart()
        self._swallow_up = False
        release_freed_memory()

    def _after_launch(self) -> None:
        """A new worker after a restart: give it the game's speed and keep it behind the window."""
        launches = self.supervisor.stats["launches"]
        if launches != self._launches_seen:
            self._launches_seen = launches
            self.game.client.set_speed(self.game.speed)
            lower_worker_priority()

    # -- the operator -------------------------------------------------------------------------------
    def _open_pin_pad(self) -> None:
        self.pin_pad = self._make_pin_pad()
        self.pin_message = ""

    def _cancel_pin(self) -> None:
        self.gate.cancel()
        self.pin_pad = None

    def _submit_pin(self, digits: str) -> None:
        result = self.gate.submit_pin(digits)
        self.pin_pad = None
        if result == EXIT:
            self.exit_reason = "operator PIN"
            self.running = False
            self.game.running = False
        elif result == LOCKED:
            self.game.toasts.show(t("kiosk.pin.locked", seconds=math.ceil(self.gate.lockout_remaining)), "error")
        else:
            self.game.toasts.show(t("kiosk.pin.wrong"), "error")

    # -- drawing ------------------------------------------------------------------------------------
    def _draw_overlays(self, canvas: pygame.Surface) -> None:
        now = self.clock()
        state = self.sessions.state
        recovery = self.supervisor.recovery_visible and self.supervisor.notice is not None
        if state == ks.ATTRACT:
            self.attract_overlay.draw(canvas, self.attract.current(), self.supervisor.snapshot, now,
                                      recovery=recovery)
        elif state == ks.COUNTDOWN:
            self.countdown.draw(canvas, self.sessions.countdown_remaining or 0.0, self.sessions.countdown_seconds)
        # The question to the visitor wins over news about the trainer: one box at a time.
        if recovery and state != ks.COUNTDOWN:
            recovering = self.supervisor._recovering_since is not None
            self.recovery.draw(canvas, self.supervisor.notice, recovering, now)
        if self.pin_pad is not None:
            self.pin_pad.draw(canvas, self.pin_message)


def stop_on_sigterm(app: KioskApp) -> None:
    """A service manager's stop (SIGTERM) ends the kiosk cleanly, with a last checkpoint.

    SDL turns SIGTERM into a window-close event, which kiosk mode refuses; without this the
    service manager would have to kill the program, leaving its trainer process behind.
    """

    def stop(signum, frame):
        app.exit_reason = "SIGTERM"
        app.running = False
        app.game.running = False

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        pass


def run_kiosk(config_path: Path | None, tf_threads: int | None = None, max_frames: int | None = None,
              screenshot: Path | None = None) -> int:
    """``counterfeit-game --kiosk [--config FILE]``: load and check the config, log to files, run."""
    from counterfeit_game.errors import UserFacingError
    from counterfeit_game.kiosk.config import load_kiosk_config
    from counterfeit_game.kiosk.logs import setup_kiosk_logging

    config = load_kiosk_config(config_path)  # first: an operator can check a config over ssh
    from counterfeit_game.game.display import require_visible_display

    require_visible_display()
    setup_kiosk_logging(config.paths.log_dir)
    app = None
    try:
        app = KioskApp(config, tf_threads=tf_threads)
        app.start()
        stop_on_sigterm(app)
        return app.run(max_frames=max_frames, screenshot=screenshot)
    except pygame.error as exc:
        raise UserFacingError(f"the kiosk window could not open: {exc}") from None
    finally:
        pygame.quit()
