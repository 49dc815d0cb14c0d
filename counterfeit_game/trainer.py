"""Training apart from any UI: a TrainingRun (the state of one run) and a TrainerCore (the worker
loop: commands in; Progress, Sample, Notice, WorkerError and Heartbeat messages out).

TrainerCore runs inside a worker process (the game) or thread (tests); it talks only through two
queue-like objects, so it never knows which. Every failure inside training becomes a WorkerError
message and the loop carries on, paused; only a CLOSE command (the sentinel) ends it.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from counterfeit_game import protocol
from counterfeit_game.checkpoint import (
    CheckpointData,
    check_variables_fit,
    read_checkpoint,
    write_checkpoint,
)
from counterfeit_game.data import MnistData, load_mnist, scale_images
from counterfeit_game.errors import CheckpointError, UserFacingError
from counterfeit_game.hyperparams import GanConfig
from counterfeit_game.snapshot import (
    GRID_SIDE,
    STATUS_FAILED,
    STATUS_PAUSED,
    STATUS_RUNNING,
    GridFrame,
    HistoryBuffer,
    StepBills,
    thin_frames,
    to_pixels,
)

log = logging.getLogger(__name__)

GRID_COUNT = GRID_SIDE * GRID_SIDE


CHUNK = 8  # steps per compiled call on the fast path; one size, so XLA compiles it once


def chunk_size(step: int, boundary: int, limit: int | None = None) -> int:
    """CHUNK steps when they fit before the next multiple of ``boundary`` (and ``limit``), else 1."""
    room = boundary - step % boundary
    if limit is not None:
        room = min(room, limit - step)
    return CHUNK if room >= CHUNK else 1


class TrainingDiverged(RuntimeError):
    """Losses became NaN or infinite: the run cannot continue from here."""


class TrainingRun:
    """One counterfeiter and one police force, their data, their history and their filmstrip."""

    def __init__(self, config: GanConfig, data: MnistData, max_history: int = 200_000):
        from counterfeit_game.gan import CounterfeitGAN  # TF loads here, not at import

        self.data = data
        self.images = scale_images(data.x_train)
        self.gan = CounterfeitGAN(config)
        self.max_history = max_history
        self._start_fresh(config.seed)

    @property
    def config(self) -> GanConfig:
        return self.gan.config

    def _start_fresh(self, seed: int) -> None:
        self.step = 0
        self._restart_clock(0.0)
        self.rng = np.random.default_rng(seed)
        self.fixed_noise = (
            np.random.default_rng([seed, 1]).normal(size=(GRID_COUNT, self.config.latent_dim))
        ).astype(np.float32)
        self.history = HistoryBuffer(self.max_history)
        self.grids: list[GridFrame] = []
        self.last_bills: StepBills | None = None
        self._last_real = self._side_batch()
        self._record(self.gan.measure(self._last_real, self.step))

    def _restart_clock(self, elapsed: float) -> None:
        self._elapsed_offset = elapsed
        self._clock_start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        """Wall seconds since the run began, across resumes."""
        return self._elapsed_offset + time.perf_counter() - self._clock_start

    def reset(self, seed: int) -> None:
        self.gan.reinitialize(seed)
        self._start_fresh(seed)

    def _side_batch(self) -> np.ndarray:
        """A real batch for measuring, drawn without touching the training batches' generator,
        so that measuring (at the start, after a load) never changes what training sees."""
        rng = np.random.default_rng([self.config.seed, 2, self.step])
        return self.images[rng.integers(0, len(self.images), self.config.batch_size)]

    def real_batch(self, size: int | None = None) -> np.ndarray:
        index = self.rng.integers(0, len(self.images), size or self.config.batch_size)
        return self.images[index]

    def train_step(self) -> dict:
        real = self.real_batch()
        out = self.gan.train_steps(real, self.step + 1)
        self._last_real = real
        self.step += 1
        self._record(out)
        return out

    def train_chunk(self, count: int) -> dict:
        """``count`` steps in one compiled call: the fast path when nobody watches every step."""
        if count <= 1:
            return self.train_step()
        reals = self.images[self.rng.integers(0, len(self.images), (count, self.config.batch_size))]
        before = self.elapsed
        out = self.gan.train_many(reals, self.step + 1)
        self._last_real = reals[-1]
        losses = out.pop("losses").astype(np.float64)
        now = self.elapsed
        steps = self.step + 1 + np.arange(count)
        times = before + (now - before) * (np.arange(1, count + 1) / count)
        self.history.extend(np.column_stack([steps, losses, times]))
        self.step += count
        self._last_out = out
        if not np.all(np.isfinite(losses)):
            bad = int(steps[np.argmax(~np.all(np.isfinite(losses), axis=1))])
            raise TrainingDiverged(f"losses became non-finite at step {bad}")
        return out

    def _record(self, out: dict) -> None:
        d_loss, d_acc, g_loss = float(out["d_loss"]), float(out["d_acc"]), float(out["g_loss"])
        self.history.append(self.step, d_loss, d_acc, g_loss, self.elapsed)
        self._last_out = out
        if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
            raise TrainingDiverged(
                f"losses became non-finite at step {self.step} (D {d_loss}, G {g_loss})"
            )

    def bills(self) -> StepBills:
        """The latest step's bills with the police's scores from that step (built on demand)."""
        out = self._last_out
        if self.last_bills is None or self.last_bills.step != self.step:
            self.last_bills = StepBills(
                step=self.step,
                real=to_pixels(self._last_real),
                fake=to_pixels(out["fake"]),
                real_scores=np.asarray(out["real_scores"], np.float32),
                fake_scores=np.asarray(out["fake_scores"], np.float32),
            )
        return self.last_bills

    def grid(self) -> GridFrame:
        fake, _ = self.gan.print_bills(self.fixed_noise)
        frame = GridFrame(self.step, to_pixels(fake))
        if self.grids and self.grids[-1].step == self.step:
            self.grids[-1] = frame
        else:
            self.grids.append(frame)
        self.grids = thin_frames(self.grids)
        return frame

    def sample(self, n: int) -> tuple[StepBills, np.ndarray]:
        """n fresh counterfeits and n real bills, judged by the police as they are now."""
        noise = np.random.default_rng().normal(size=(n, self.config.latent_dim)).astype(np.float32)
        fake, fake_scores = self.gan.print_bills(noise)
        index = np.random.default_rng().integers(0, len(self.images), n)
        real = self.images[index]
        bills = StepBills(
            step=self.step,
            real=to_pixels(real),
            fake=to_pixels(fake),
            real_scores=self.gan.judge(real).astype(np.float32),
            fake_scores=fake_scores.astype(np.float32),
        )
        return bills, self.data.y_train[index].astype(np.int64)

    def generator_images(self, n: int, seed: int = 0) -> np.ndarray:
        """The same noise as quality.generate(), so `train`'s quality.csv and `evaluate` agree."""
        noise = np.random.default_rng(seed).standard_normal((n, self.config.latent_dim)).astype(np.float32)
        return self.gan.print_bills(noise)[0]

    # -- checkpoints ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the whole state atomically; refuses (CheckpointError) rather than save a broken
        run or leave a half-written file."""
        variables = {name: v.numpy() for name, v in self.gan.state_variables().items()}
        broken = [name for name, value in variables.items()
                  if value.dtype.kind == "f" and not np.all(np.isfinite(value))]
        if broken:
            raise CheckpointError(f"{path}: not saved: the networks hold non-finite values ({broken[0]})")
        meta = {
            "config": self.config.as_dict(),
            "step": self.step,
            "elapsed": self.elapsed,
            "rng": self.rng.bit_generator.state,
            "fixed_noise_seed": self.config.seed,
            "data_source": self.data.source,
            "saved_at": time.time(),
        }
        write_checkpoint(
            path,
            CheckpointData(
                meta=meta,
                variables=variables,
                history=self.history.rows(),
                grid_steps=np.array([g.step for g in self.grids], np.int64),
                grid_images=np.stack([g.images for g in self.grids])
                if self.grids
                else np.zeros((0, GRID_COUNT, 28, 28), np.uint8),
            ),
        )

    def load(self, path: str | Path) -> None:
        """Restore everything from a checkpoint; nothing changes if the file is refused."""
        data = read_checkpoint(path)
        config = data.meta.get("config", {})
        if config.get("architecture", "original") != self.config.architecture or int(
            config.get("latent_dim", 100)
        ) != self.config.latent_dim:
            raise CheckpointError(
                f"{path}: checkpoint is for architecture {config.get('architecture')!r}, "
                f"this run uses {self.config.architecture!r}"
            )
        expected = self.gan.state_variables()
        check_variables_fit(path, expected, data.variables)
        for name, variable in expected.items():
            variable.assign(data.variables[name])
        self.step = int(data.meta.get("step", 0))
        self._restart_clock(float(data.meta.get("elapsed", 0.0)))
        self.rng = np.random.default_rng()
        try:
            self.rng.bit_generator.state = data.meta["rng"]
        except (KeyError, TypeError, ValueError):
            log.warning("%s: no usable batch-sampling state; continuing with a fresh one", path)
        seed = int(data.meta.get("fixed_noise_seed", self.config.seed))
        self.fixed_noise = (
            np.random.default_rng([seed, 1]).normal(size=(GRID_COUNT, self.config.latent_dim))
        ).astype(np.float32)
        self.history = HistoryBuffer(self.max_history, data.history)
        self.grids = [GridFrame(int(s), np.asarray(img, np.uint8))
                      for s, img in zip(data.grid_steps, data.grid_images)]
        self.last_bills = None
        self._last_real = self._side_batch()
        self._last_out = self.gan.measure(self._last_real, self.step)


@dataclass
class _Publish:
    history_sent: int = 0
    grids_sent: int = 0
    reset: bool = True
    last_time: float = 0.0


class TrainerCore:
    """The worker loop. ``commands`` has get(timeout=)/get_nowait(); ``out`` has put()."""

    PUBLISH_INTERVAL = 1 / 30  # at most this often while running flat out
    HEARTBEAT_INTERVAL = 0.5

    def __init__(
        self,
        commands,
        out,
        config: GanConfig = GanConfig(),
        data: str | None = "bundled",
        grid_interval: int = 25,
        start_running: bool = True,
        speed: float | None = None,
        resume_from: str | None = None,
        in_process: bool = False,
        quality_interval: int = 0,
        clock=time.monotonic,
        parent_alive=None,
    ):
        self.commands = commands
        self.parent_alive = parent_alive
        self.out = out
        self.config = config
        self.data_source = data
        self.grid_interval = max(1, int(grid_interval))
        self.running = start_running
        self.speed = speed
        self.resume_from = resume_from
        self.in_process = in_process
        self.quality_interval = quality_interval
        self.clock = clock
        self.generation = 0
        self.failed = False
        self.message: str | None = None
        self.run: TrainingRun | None = None
        self.examiner = None
        self._publish = _Publish()
        self._rate_times: list[tuple[float, int]] = []
        self._next_step_at = 0.0
        self._last_message_at = 0.0
        self._pending_quality = None
        self._closed = False
        self._parent_checked_at = float("-inf")

    # -- messages ------------------------------------------------------------------------------
    def _send(self, message) -> None:
        self.out.put(message)
        self._last_message_at = self.clock()

    def _error(self, message: str, detail: str = "", fatal=False, kind="error") -> None:
        log.error("%s%s", message, ("\n" + detail) if detail else "")
        self.message = message
        self._send(protocol.WorkerError(message, detail, fatal, kind))

    def _status(self) -> str:
        if self.failed:
            return STATUS_FAILED
        return STATUS_RUNNING if self.running else STATUS_PAUSED

    def steps_per_second(self) -> float:
        if len(self._rate_times) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self._rate_times[0], self._rate_times[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def _publish_progress(self, force: bool = False) -> None:
        now = self.clock()
        state = self._publish
        if not force and now - state.last_time < self.PUBLISH_INTERVAL:
            return
        run = self.run
        rows = run.history.rows(0 if state.reset else state.history_sent)
        grids = tuple(run.grids[0 if state.reset else state.grids_sent :])
        message = protocol.Progress(
            status=self._status(),
            step=run.step,
            speed=self.speed,
            steps_per_second=self.steps_per_second(),
            generation=self.generation,
            architecture=run.config.architecture,
            seed=run.config.seed,
            batch_size=run.config.batch_size,
            history_rows=rows,
            reset_history=state.reset,
            bills=run.bills(),
            new_grids=grids,
            reset_grids=state.reset,
            quality=self._pending_quality,
            message=self.message,
        )
        self._pending_quality = None
        state.history_sent = len(run.history)
        state.grids_sent = len(run.grids)
        state.reset = False
        state.last_time = now
        self._send(message)

    def _restart_publishing(self) -> None:
        self._publish = _Publish()
        self._rate_times.clear()
        self.generation += 1

    # -- lifecycle -----------------------------------------------------------------------------
    def setup(self) -> bool:
        try:
            data = load_mnist(self.data_source)
            self.run = TrainingRun(self.config, data)
            self.run.grid()
            if self.resume_from:
                try:
                    self.run.load(self.resume_from)
                    if not self.run.grids or self.run.grids[-1].step != self.run.step:
                        self.run.grid()
                except UserFacingError as exc:
                    self._error(str(exc), kind="checkpoint")
        except UserFacingError as exc:
            self._error(str(exc), fatal=True)
            return False
        except Exception as exc:  # TF failed to load, out of memory, ...
            self._error(f"the training engine could not start: {exc}", traceback.format_exc(), True)
            return False
        if self.quality_interval:
            self._load_examiner()
        self._send(protocol.Notice("ready", "engine ready"))
        self._publish_progress(force=True)
        self._next_step_at = self.clock()
        return True

    def _load_examiner(self) -> None:
        try:
            from counterfeit_game.quality import Examiner

            self.examiner = Examiner.load_bundled()
        except Exception as exc:  # the meter is optional; training goes on without it
            log.warning("forgery quality meter off: %s", exc)
            self.examiner = None

    def serve(self) -> None:
        """Run until CLOSE. Never raises for training failures."""
        if not self.setup():
            self._wait_for_close()
            return
        while not self._closed:
            self._handle_commands(block=self._idle_wait())
            if self._closed:
                break
            if self.running and not self.failed and self.clock() >= self._next_step_at:
                self._guarded(self._advance)
            if self._orphaned():
                return
            if self.clock() - self._last_message_at >= self.HEARTBEAT_INTERVAL:
                self._send(protocol.Heartbeat(time.time(), self.run.step))
        self._publish_progress(force=True)

    def _orphaned(self) -> bool:
        """True when the UI that started us is gone (killed, crashed): then we stop, rather than
        train on for nobody and fill a queue no one reads."""
        if self.parent_alive is None or self.clock() - self._parent_checked_at < 1.0:
            return False
        self._parent_checked_at = self.clock()
        if self.parent_alive():
            return False
        log.warning("the game that started this trainer is gone; stopping")
        self._closed = True
        return True

    def _wait_for_close(self) -> None:
        while not self._closed:
            try:
                command = self.commands.get(timeout=self.HEARTBEAT_INTERVAL)
            except queue.Empty:
                if self._orphaned():
                    return
                self._send(protocol.Heartbeat(time.time(), 0))
                continue
            if command.name == protocol.CLOSE:
                self._closed = True

    def _idle_wait(self) -> float:
        """How long to block waiting for a command before the next thing is due."""
        if self.running and not self.failed:
            return max(0.0, min(self._next_step_at - self.clock(), self.HEARTBEAT_INTERVAL))
        return self.HEARTBEAT_INTERVAL

    def _handle_commands(self, block: float) -> None:
        try:
            command = self.commands.get(timeout=block) if block > 0 else self.commands.get_nowait()
        except queue.Empty:
            return
        while command is not None:
            self._guarded(lambda: self._apply(command))
            if self._closed:
                return
            try:
                command = self.commands.get_nowait()
            except queue.Empty:
                command = None

    def _guarded(self, action) -> None:
        try:
            action()
        except TrainingDiverged as exc:
            self.failed = True
            self.running = False
            self._error(f"training diverged: {exc}", kind="diverged")
            self._publish_progress(force=True)
        except UserFacingError as exc:
            self._error(str(exc), kind="checkpoint" if isinstance(exc, CheckpointError) else "error")
            self._publish_progress(force=True)
        except Exception as exc:
            self.failed = True
            self.running = False
            self._error(f"training failed: {type(exc).__name__}: {exc}", traceback.format_exc())
            self._publish_progress(force=True)

    # -- commands ------------------------------------------------------------------------------
    def _apply(self, command: protocol.Command) -> None:
        name, value = command.name, command.value
        if name == protocol.CLOSE:
            self._closed = True
        elif name in (protocol.START, protocol.RESUME):
            if not self.failed:
                self.running = True
                self._next_step_at = self.clock()
                self._rate_times.clear()
            self._publish_progress(force=True)
        elif name == protocol.PAUSE:
            self.running = False
            self._publish_progress(force=True)
        elif name == protocol.STEP:
            if not self.running and not self.failed:
                self._train_one()
            self._publish_progress(force=True)
        elif name == protocol.SET_SPEED:
            self.speed = None if value is None else max(0.01, float(value))
            self._next_step_at = self.clock()
            self._rate_times.clear()
            self._publish_progress(force=True)
        elif name == protocol.RESET:
            seed = int(value) if value is not None else int(np.random.default_rng().integers(2**31))
            self.run.reset(seed)
            self.run.grid()
            self.failed = False
            self.message = None
            self._restart_publishing()
            self._send(protocol.Notice("reset", f"new counterfeiter hired (seed {seed})"))
            self._publish_progress(force=True)
        elif name == protocol.SAVE:
            try:
                self.run.save(value)
            except OSError as exc:
                raise CheckpointError(f"{value}: could not save the checkpoint ({exc.strerror or exc})") from None
            self._send(protocol.Notice("saved", f"checkpoint saved at step {self.run.step}", str(value)))
        elif name == protocol.LOAD:
            self.run.load(value)
            if not self.run.grids or self.run.grids[-1].step != self.run.step:
                self.run.grid()
            self.failed = False
            self.message = None
            self._restart_publishing()
            self._send(protocol.Notice("loaded", f"checkpoint loaded at step {self.run.step}", str(value)))
            self._publish_progress(force=True)
        elif name == protocol.SAMPLE:
            request_id, n = value
            bills, labels = self.run.sample(int(n))
            self._send(protocol.Sample(int(request_id), bills, labels))
        elif name == protocol.INJECT_FAULT:
            self._inject(value)

    def _inject(self, fault: str) -> None:
        if fault == "crash":
            if self.in_process:
                os._exit(3)  # a hard crash, as a segfault or the OOM killer would look
            raise SystemExit("injected crash")  # ends the worker thread
        if fault == "nan":
            variable = self.run.gan.generator.trainable_weights[-1]
            variable.assign(np.full(variable.shape, np.nan, np.float32))
        elif fault == "hang":
            while True:  # no more heartbeats: the supervisor must notice
                time.sleep(3600)

    # -- training ------------------------------------------------------------------------------
    def _train_one(self, count: int = 1) -> None:
        self.run.train_chunk(count)
        now = self.clock()
        self._rate_times.append((now, self.run.step))
        if len(self._rate_times) > 60 or now - self._rate_times[0][0] > 3.0:
            self._rate_times.pop(0)
        if self.run.step % self.grid_interval == 0:
            self.run.grid()
        if self.examiner is not None and self.run.step % self.quality_interval == 0:
            self._measure_quality()

    def _measure_quality(self) -> None:
        try:
            from counterfeit_game.quality import RECOMMENDED_N

            images = self.run.generator_images(RECOMMENDED_N, seed=self.run.step)
            self._pending_quality = self.examiner.report(images, self.run.step)
        except Exception as exc:
            log.warning("quality measurement failed: %s", exc)

    def _advance(self) -> None:
        if self.speed is None:
            boundary = self.grid_interval
            if self.examiner is not None:
                boundary = math.gcd(boundary, self.quality_interval)
            self._train_one(chunk_size(self.run.step, boundary))
        else:
            self._train_one()
        if self.speed is None:
            self._next_step_at = self.clock()
        else:
            # Pace from the planned time, allowing at most 0.1 s of catch-up after a stall.
            self._next_step_at = max(self._next_step_at + 1.0 / self.speed, self.clock() - 0.1)
        self._publish_progress(force=self.speed is not None and self.speed <= 30)
