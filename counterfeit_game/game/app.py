"""The one main loop (events -> update(dt) -> draw -> flip) and the scene stack it drives.

Everything the loop touches is injected (client, display, clock, timer, audio, random numbers), so
tests run it frame by frame headless, and a kiosk controller can drive ``app.stack`` from outside.
The loop never waits for the trainer: ``client.poll()`` returns whatever has arrived.
"""

from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path

import numpy as np
import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game.audio import Audio
from counterfeit_game.game.display import Display
from counterfeit_game.game.exports import Exporter
from counterfeit_game.game.fonts import Fonts
from counterfeit_game.game.scenes.base import SceneStack
from counterfeit_game.game.scores import ScoreStore
from counterfeit_game.game.settings import SPEED_LEVELS, GameSettings, speed_index
from counterfeit_game.game.widgets.draw import one_line
from counterfeit_game.game.widgets.toast import Toasts
from counterfeit_game.i18n import t
from counterfeit_game.snapshot import STATUS_LOADING, STATUS_RUNNING, TrainingSnapshot

log = logging.getLogger(__name__)

MAX_DT = 0.1  # after a stall (window dragged, machine busy) animations jump at most this far
IDLE_REDRAW_S = 0.5  # even a still screen is redrawn this often, in case something was missed
SNAPSHOT_REDRAW_S = 0.05  # new numbers alone (step counter, chart) are shown at most 20 times a second


class FrameStats:
    """Per-frame work time (events + update + draw + flip, without the wait for the next frame)."""

    def __init__(self, warmup_steps: int = 0):
        self.warmup_steps = warmup_steps  # training frames count from this step on (XLA compiles first)
        self.work_ms: list[float] = []
        self.interval_ms: list[float] = []
        self.training: list[bool] = []
        self.drawn: list[bool] = []
        self.cpu_ms: list[float] = []  # the main thread's own CPU time per frame: what a frame costs
        self.measured = 0
        self.first_frame_s: float | None = None
        self.ready_s: float | None = None
        self.train_start: tuple[float, int] | None = None  # (time, step) of the first training frame
        self.train_end: tuple[float, int] | None = None

    def add(self, work_ms: float, interval_ms: float, training: bool, drawn: bool = True,
            cpu_ms: float = 0.0) -> None:
        self.drawn.append(drawn)
        self.cpu_ms.append(cpu_ms)
        self.work_ms.append(work_ms)
        self.interval_ms.append(interval_ms)
        self.training.append(training)
        self.measured += int(training)

    def summary(self) -> dict:
        work = np.asarray(self.work_ms, dtype=np.float64)
        interval = np.asarray(self.interval_ms, dtype=np.float64)
        drawn = np.asarray(self.drawn, dtype=bool)
        cpu = np.asarray(self.cpu_ms, dtype=np.float64)
        mask = np.asarray(self.training, dtype=bool)
        if mask.any():  # measure while training runs, which is what the targets are about
            work, interval, drawn, cpu = work[mask], interval[mask], drawn[mask], cpu[mask]
        drawn_work = work[drawn]
        drawn_cpu = cpu[drawn]

        def pct(values, q):
            return round(float(np.percentile(values, q)), 3) if values.size else None

        steps, rate = 0, 0.0
        if self.train_start and self.train_end and self.train_end[0] > self.train_start[0]:
            steps = self.train_end[1] - self.train_start[1]
            rate = steps / (self.train_end[0] - self.train_start[0])
        return {
            "frames": int(work.size),
            "frames_total": len(self.work_ms),
            "frame_ms_p50": pct(work, 50),
            "frame_ms_p95": pct(work, 95),
            "frame_ms_max": round(float(work.max()), 3) if work.size else None,
            "frames_drawn": int(drawn.sum()),
            "drawn_frame_ms_p50": pct(drawn_work, 50),
            "drawn_frame_ms_p95": pct(drawn_work, 95),
            "drawn_frame_cpu_ms_p50": pct(drawn_cpu, 50),
            "drawn_frame_cpu_ms_p95": pct(drawn_cpu, 95),
            "interval_ms_p50": pct(interval, 50),
            "interval_ms_p95": pct(interval, 95),
            "train_steps": int(steps),
            "train_steps_per_s": round(rate, 2),
            "first_frame_s": None if self.first_frame_s is None else round(self.first_frame_s, 3),
            "ready_s": None if self.ready_s is None else round(self.ready_s, 3),
        }


def init_pygame_quietly() -> None:
    """The display and fonts only: ``pygame.init()`` would also open the sound system, which on a
    machine without a sound card prints a screenful of ALSA errors even with --no-sound. Audio
    opens the mixer itself, only when sound is on."""
    if not pygame.display.get_init():
        pygame.display.init()
    if not pygame.font.get_init():
        pygame.font.init()


class GameApp:
    def __init__(self, client, settings: GameSettings | None = None, *, display: Display | None = None,
                 clock=None, timer=time.perf_counter, now=time.monotonic, audio: Audio | None = None,
                 fonts: Fonts | None = None, rng: random.Random | None = None,
                 scores: ScoreStore | None = None, exporter: Exporter | None = None):
        self.settings = settings or GameSettings()
        self.client = client
        self.started_at_perf = timer()
        init_pygame_quietly()
        self.display = display or Display(self.settings.window_size, self.settings.fullscreen, t("app.title"))
        self.clock = clock or pygame.time.Clock()
        self.timer = timer
        self.now = now
        self.fonts = fonts or Fonts()
        self.audio = audio or Audio(self.settings.sound, self.settings.volume, now=now)
        self.rng = rng or random.Random()
        self.scores = scores or ScoreStore(self.settings.scores_path)
        self.exporter = exporter or Exporter(self.settings.exports_dir)
        self.toasts = Toasts()
        self.stack = SceneStack(lambda: self.display.viewport.logical)
        self.snapshot: TrainingSnapshot = TrainingSnapshot.loading()
        self.speed_index = speed_index(self.settings.speed)
        self.paused = False  # what the player asked for; the snapshot says what the trainer does
        self.running = False
        self.frame_count = 0
        self.stats = FrameStats()
        self._pending: list[gi.Intent] = []
        self._layout_version = self.display.layout_version
        self.input = gi.InputMapper(self.display.viewport.to_logical, lambda: self.display.viewport.window, now)
        self.pointer: tuple[int, int] | None = None  # last hover position (mouse only)
        self.time = 0.0  # seconds of game time, advanced by dt
        self.last_frame_drawn = False
        self._last_draw_time = -1e9
        self._snapshot_dirty = True
        self.always_redraw = False  # tests and screenshots may want every frame drawn
        self._redraw_requested = False
        self.exports_allowed = True  # a kiosk turns them off: weeks of exports would fill its disk

    def request_redraw(self) -> None:
        """Draw the next frame even if no scene changed: for what is painted over the scenes (a kiosk's
        overlays), which the still-frame rule cannot see."""
        self._redraw_requested = True

    # -- commands the scenes use --------------------------------------------------------------
    @property
    def speed(self) -> float | None:
        return SPEED_LEVELS[self.speed_index]

    def set_speed_index(self, index: int) -> None:
        index = max(0, min(len(SPEED_LEVELS) - 1, index))
        self.speed_index = index
        self.client.set_speed(SPEED_LEVELS[index])

    def set_paused(self, paused: bool) -> None:
        if paused == self.paused:
            return
        self.paused = paused
        log.info("training %s", "paused" if paused else "resumed")
        if paused:
            self.client.pause()
        else:
            self.client.resume()

    def step_once(self) -> None:
        if not self.paused:
            self.set_paused(True)
        log.info("one step requested at step %d", self.snapshot.step)
        self.client.step_once()

    def hire_new_counterfeiter(self) -> None:
        self.client.reset(None)
        self.toasts.show(t("toast.reset"))

    def export_now(self) -> None:
        if not self.exports_allowed:
            log.info("export refused: exports are off here")
            return
        snap = self.snapshot
        grid = snap.grids[-1] if snap.grids else None
        if grid is None and len(snap.history) == 0:
            self.toasts.show(t("toast.export_nothing"), "error")
            return
        started = self.exporter.export(None if grid is None else grid.images, 0 if grid is None else grid.step,
                                       snap.history if len(snap.history) else None, snap.step)
        if started:
            self.toasts.show(t("toast.exporting"), topic="export")

    def post(self, intent: gi.Intent) -> None:
        """Queue an intent as if the player had produced it (tests, kiosk controllers)."""
        self._pending.append(intent)

    def quit(self) -> None:
        log.info("quitting")
        self.running = False

    # -- the loop -------------------------------------------------------------------------------
    def start(self, first_scene=None, start_client: bool = True) -> None:
        """Opens the first scene; ``start_client=False`` for a trainer that is already running."""
        if start_client:
            self.client.start()
        self.client.set_speed(self.speed)
        if first_scene is None:
            from counterfeit_game.game.scenes.title import TitleScene

            first_scene = TitleScene(self)
        self.stack.push(first_scene)
        self.running = True

    def run(self, max_frames: int | None = None, screenshot: Path | None = None,
            stats_path: Path | None = None) -> int:
        if not self.running:
            self.start()
        last = self.timer()
        dt = 0.0
        first_frame, first_measured = self.frame_count, self.stats.measured
        try:
            while self.running:
                begin = self.timer()
                cpu_begin = time.thread_time()
                self.frame(dt)
                end = self.timer()
                cpu_ms = (time.thread_time() - cpu_begin) * 1000.0
                measured = (self.snapshot.status == STATUS_RUNNING
                            and self.snapshot.step >= self.stats.warmup_steps)
                self.stats.add((end - begin) * 1000.0, (begin - last) * 1000.0, measured, self.last_frame_drawn,
                               cpu_ms)
                last = begin
                if max_frames is not None and self._frames_counted(first_frame, first_measured) >= max_frames:
                    break
                dt = min(MAX_DT, self.clock.tick(self.settings.fps) / 1000.0)
        finally:
            if screenshot is not None:
                self.display.screenshot(screenshot)
            if stats_path is not None:
                Path(stats_path).parent.mkdir(parents=True, exist_ok=True)
                Path(stats_path).write_text(json.dumps(self.stats.summary(), indent=2))
        return 0

    def _frames_counted(self, first_frame: int, first_measured: int) -> int:
        """Frames of this run toward --frames: all, or with a warm-up step set, the measured ones."""
        if self.stats.warmup_steps <= 0:
            return self.frame_count - first_frame
        return self.stats.measured - first_measured

    def frame(self, dt: float) -> None:
        """One iteration: events -> intents -> scenes; poll the trainer; update; draw; flip."""
        for event in pygame.event.get():
            self._pending.extend(self.input.translate(event))
        pending, self._pending = self._pending, []
        top_before = self.stack.top
        for intent in pending:
            self.handle_intent(intent)
        previous = self.snapshot
        self._poll_trainer()
        if self.snapshot is not previous:
            self._snapshot_dirty = True
        changed = bool(pending) or self.stack.top is not top_before
        if self.display.layout_version != self._layout_version:
            self._layout_version = self.display.layout_version
            self.stack.relayout(self.display.viewport.logical)
            changed = True
        self.time += dt
        visible = self.stack.visible()
        for scene in visible:
            scene.update(dt)
        self.toasts.update(dt)
        since_draw = self.time - self._last_draw_time
        redraw = (changed or self.always_redraw or self._redraw_requested or self.stack.top is not top_before
                  or (self._snapshot_dirty and since_draw >= SNAPSHOT_REDRAW_S) or bool(self.toasts.texts)
                  or any(scene.animating() for scene in visible)
                  or since_draw >= IDLE_REDRAW_S)
        if redraw:
            canvas = self.display.canvas
            for scene in self.stack.visible():
                scene.draw(canvas)
            self.toasts.draw(canvas, self.fonts)
            self.display.present()
            self._last_draw_time = self.time
            self._snapshot_dirty = False
            self._redraw_requested = False
        self.last_frame_drawn = redraw
        self.frame_count += 1
        if self.stats.first_frame_s is None:
            self.stats.first_frame_s = self.timer() - self.started_at_perf

    def handle_intent(self, intent: gi.Intent) -> None:
        if intent.kind == gi.QUIT:
            self.quit()
            return
        if intent.kind == gi.RESIZE:
            self.display.resized(intent.value)
            return
        if intent.kind == gi.TOGGLE_FULLSCREEN:
            self.display.toggle_fullscreen()
            return
        if intent.kind == gi.POINTER_MOVE and not intent.touch:
            self.pointer = intent.pos
        if self.stack.dispatch(intent):
            return
        if intent.kind == gi.HELP:
            self.open_help()

    def open_help(self) -> None:
        from counterfeit_game.game.scenes.help import HelpOverlay

        if not isinstance(self.stack.top, HelpOverlay):
            self.stack.push(HelpOverlay(self, self.stack.top))

    def _poll_trainer(self) -> None:
        try:
            snapshot = self.client.poll()
        except Exception:  # noqa: BLE001 - a broken pipe must not take the window down
            log.exception("polling the trainer failed")
            return
        previous = self.snapshot
        self.snapshot = snapshot
        now = self.timer()
        if snapshot.status != STATUS_LOADING and self.stats.ready_s is None:
            self.stats.ready_s = now - self.started_at_perf
        if snapshot.status == STATUS_RUNNING and snapshot.step >= self.stats.warmup_steps:
            if self.stats.train_start is None:
                self.stats.train_start = (now, snapshot.step)
            self.stats.train_end = (now, snapshot.step)
        if previous.generation != snapshot.generation:
            log.info("new run (generation %s)", snapshot.generation)
        for error in self.client.errors():
            log.warning("trainer: %s", error.message)
            if error.detail:
                log.debug("%s", error.detail)
            self.toasts.show(t("toast.trainer_error", message=one_line(error.message)), "error")
        for notice in self.client.notices():
            log.info("trainer notice: %s %s", notice.kind, notice.text)
        for result in self.exporter.results():
            if result.ok:
                self.toasts.show(t("toast.exported", folder=str(result.folder), files=", ".join(result.files)),
                                 topic="export")
            else:
                self.toasts.show(t("toast.export_failed", error=one_line(result.error)), "error", topic="export")
