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


def limit_tf_threads(threads: int | None) -> None:
    """Cap TensorFlow's threads (``--tf-threads``); must run before TensorFlow builds anything."""
    if not threads:
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError as exc:  # TensorFlow already running in this process (only in tests)
        log.warning("--tf-threads %s not applied: %s", threads, exc)


class GeneratorLadder:
    """Copies of the counterfeiter's weights at a few earlier steps, so bills can be printed as a
    younger, clumsier counterfeiter would have printed them (the guessing game's easy mode).

    One copy per band of steps, the bands growing by ``RATIO`` (1.5x): the first step offered in a
    band is kept, later ones in it are not even copied, and beyond ``max_kept`` copies the oldest
    goes. So copies lie about 1.5x apart back from now, and any fraction of the current step down
    to about 1.5 ** -(max_kept - 1) has a copy (or the current counterfeiter) within a factor of
    1.25 of it on a log scale (1.35 while the run is under 3000 steps old and the bands are
    narrower than the 25 steps between offers). Memory: at most ``max_kept`` generators' weights.
    Pure numpy, no TensorFlow.
    """

    RATIO = 1.5
    LOG_OFFSET = 10.0  # steps added before taking logs, so step 0 has a place on the scale

    def __init__(self, max_kept: int = 8):
        self.max_kept = max(2, int(max_kept))
        self._entries: list[tuple[int, list[np.ndarray]]] = []

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def steps(self) -> list[int]:
        return [step for step, _ in self._entries]

    @property
    def nbytes(self) -> int:
        return sum(value.nbytes for _, values in self._entries for value in values)

    def clear(self) -> None:
        self._entries = []

    def _scale(self, step: float) -> float:
        return math.log(max(0.0, step) + self.LOG_OFFSET)

    def _band(self, step: int) -> int:
        return int(self._scale(step) // math.log(self.RATIO))

    def wants(self, step: int) -> bool:
        """Whether remember(step) would keep a copy (so the caller can skip copying weights)."""
        if not self._entries:
            return True
        newest = self._entries[-1][0]
        return step < newest or self._band(step) != self._band(newest)

    def remember(self, step: int, values: list[np.ndarray]) -> None:
        step = int(step)
        if not self.wants(step):
            return
        self._entries = [entry for entry in self._entries if entry[0] < step]
        self._entries.append((step, values))
        del self._entries[: max(0, len(self._entries) - self.max_kept)]

    def nearest(self, target: float) -> tuple[int, list[np.ndarray]] | None:
        """The copy nearest to step ``target`` on a log scale (the older one on a tie), or None."""
        if not self._entries:
            return None
        return min(self._entries, key=lambda entry: (self.distance(entry[0], target), entry[0]))

    def distance(self, step: float, target: float) -> float:
        return abs(self._scale(step) - self._scale(target))


# Past counterfeiters kept for aged printing: at most this many copies and this many bytes (the
# dcgan's generator is 0.7 MB, so 8 copies; the original's 6 MB, so 5).
LADDER_MAX_KEPT = 8
LADDER_BUDGET_BYTES = 32 * 2**20
MAX_BEST_OF = 16  # candidates per bill at most, however many are asked for


class TrainingDiverged(RuntimeError):
    """Losses became NaN or infinite: the run cannot continue from here."""


class TrainingRun:
    """One counterfeiter and one police force, their data, their history and their filmstrip."""

    def __init__(self, config: GanConfig, data: MnistData, max_history: int | None = None):
        from counterfeit_game.gan import CounterfeitGAN  # TF loads here, not at import

        self.data = data
        self.images = scale_images(data.x_train)
        self.gan = CounterfeitGAN(config)
        self.max_history = max_history
        self.ladder = GeneratorLadder(self._ladder_size())
        self._spare_generator = None
        self._print_only = None
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
        self.ladder.clear()
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

    # -- younger counterfeiters ------------------------------------------------------------------
    def _ladder_size(self) -> int:
        per_copy = sum(int(np.prod(v.shape)) * 4 for v in self.gan.generator.variables)
        return max(2, min(LADDER_MAX_KEPT, LADDER_BUDGET_BYTES // max(1, per_copy)))

    def remember_generator(self) -> None:
        """Keep a copy of the counterfeiter as it is at this step, if the ladder wants one."""
        if self.ladder.wants(self.step):
            self.ladder.remember(self.step, [np.array(v.numpy(), copy=True)
                                             for v in self.gan.generator.variables])

    def _spare(self):
        """A second generator of the same architecture, for printing with remembered weights
        without touching the training weights or their batch-norm statistics."""
        if self._spare_generator is None:
            from counterfeit_game.architectures import ARCHITECTURES

            self._spare_generator = ARCHITECTURES[self.config.architecture][0](self.config.latent_dim)
        return self._spare_generator

    def print_as_of(self, noise: np.ndarray, fake_age: float = 1.0) -> tuple[np.ndarray, int]:
        """Counterfeits (float, [-1, 1]) from the counterfeiter as it was at about
        ``fake_age * step`` (the remembered copy nearest to it on a log scale, or the current
        one if nearer),
        printed in inference mode; and the step of the counterfeiter that printed them."""
        target = float(fake_age) * self.step
        entry = self.ladder.nearest(target)
        if entry is None or self.ladder.distance(self.step, target) <= self.ladder.distance(entry[0], target):
            return self.gan.print_bills(noise)[0], self.step
        step, values = entry
        spare = self._spare()
        for variable, value in zip(spare.variables, values):
            variable.assign(value)
        import keras

        fake = keras.ops.convert_to_numpy(spare(np.asarray(noise, np.float32), training=False))
        return fake, step

    def sample(self, n: int, fake_age: float = 1.0, best_of: int = 1,
               rng: np.random.Generator | None = None) -> tuple[StepBills, np.ndarray, int]:
        """n counterfeits and n real bills, all judged by the police as they are now.

        The fakes come from the counterfeiter as it was at about ``fake_age`` of this step; each
        is the one of ``best_of`` candidates the police think most real. Returns the bills, the
        real bills' digits and the step of the counterfeiter that printed the fakes.
        """
        rng = np.random.default_rng() if rng is None else rng
        best_of = max(1, min(MAX_BEST_OF, int(best_of)))
        noise = rng.normal(size=(n * best_of, self.config.latent_dim)).astype(np.float32)
        fake, fake_step = self.print_as_of(noise, fake_age)
        fake_scores = self.gan.judge(fake).astype(np.float32)
        if best_of > 1:
            pick = fake_scores.reshape(n, best_of).argmax(axis=1)
            rows = np.arange(n) * best_of + pick
            fake, fake_scores = fake[rows], fake_scores[rows]
        index = rng.integers(0, len(self.images), n)
        real = self.images[index]
        bills = StepBills(
            step=self.step,
            real=to_pixels(real),
            fake=to_pixels(fake),
            real_scores=self.gan.judge(real).astype(np.float32),
            fake_scores=fake_scores,
        )
        return bills, self.data.y_train[index].astype(np.int64), fake_step

    def generator_images(self, n: int, seed: int = 0) -> np.ndarray:
        """The same noise as quality.generate(), so `train`'s quality.csv and `evaluate` agree.

        Printed without the police's verdicts: for the examiner's 1000 bills, judging them too
        doubled the dcgan's cost of a quality report."""
        noise = np.random.default_rng(seed).standard_normal((n, self.config.latent_dim)).astype(np.float32)
        if self._print_only is None:
            import tensorflow as tf

            generator = self.gan.generator
            self._print_only = tf.function(
                lambda x: generator(x, training=False),
                input_signature=[tf.TensorSpec((None, self.config.latent_dim), tf.float32)],
            )
        return self._print_only(noise).numpy()

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
        self.ladder.clear()
        self._last_real = self._side_batch()
        self._last_out = self.gan.measure(self._last_real, self.step)


@dataclass
class _Publish:
    # What the client has, by step: thinning moves rows and grids to lower indices, so counts would
    # skip whatever arrived in the publish that thinned.
    history_step_sent: int = -1
    grid_step_sent: int = -1
    reset: bool = True
    last_time: float = 0.0


class TrainerCore:
    """The worker loop. ``commands`` has get(timeout=)/get_nowait(); ``out`` has put()."""

    PUBLISH_INTERVAL = 1 / 30  # at most this often while running flat out
    QUALITY_MAX_SHARE = 0.05  # of the trainer's time, at most, for the examiner's reports
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
        self._examiner_tried = False
        self._quality_cost = 0.0  # seconds the last report took
        self._quality_finished_at = float("-inf")
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
        rows = run.history.rows_after(state.history_step_sent)
        grids = tuple(grid for grid in run.grids if grid.step > state.grid_step_sent)
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
        if len(rows):
            state.history_step_sent = int(rows[-1, 0])
        if grids:
            state.grid_step_sent = grids[-1].step
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
            self.run.remember_generator()
        except UserFacingError as exc:
            self._error(str(exc), fatal=True)
            return False
        except protocol.ReceiverGone:
            raise
        except Exception as exc:  # TF failed to load, out of memory, ...
            self._error(f"the training engine could not start: {exc}", traceback.format_exc(), True)
            return False
        self._send(protocol.Notice("ready", "engine ready"))
        self._publish_progress(force=True)
        if self.quality_interval and self._load_examiner() is not None:
            self._measure_quality()  # the meter reads the untrained counterfeiter from the start
            self._quality_cost = 0.0  # that first report's time was mostly tracing: not a price
            self._publish_progress(force=True)
        self._next_step_at = self.clock()
        return True

    def _load_examiner(self):
        """The examiner, loaded on first need and only tried once: without it the quality meter
        and the digit readings are off, and training goes on."""
        if not self._examiner_tried:
            self._examiner_tried = True
            try:
                from counterfeit_game.quality import Examiner

                self.examiner = Examiner.load_bundled()
            except Exception as exc:
                log.warning("the examiner is off (no forgery quality, no digit readings): %s", exc)
                self.examiner = None
        return self.examiner

    def _measuring(self) -> bool:
        return bool(self.quality_interval) and self.examiner is not None

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
        except protocol.ReceiverGone:
            raise  # nobody to report to: the worker's entry point ends quietly
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
                self._train_one(by_hand=True)
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
            self._after_new_counterfeiter(protocol.Notice("reset", f"new counterfeiter hired (seed {seed})"))
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
            self._after_new_counterfeiter(
                protocol.Notice("loaded", f"checkpoint loaded at step {self.run.step}", str(value)))
        elif name == protocol.SAMPLE:
            self._send(self._sample(*value))
        elif name == protocol.INJECT_FAULT:
            self._inject(value)

    def _after_new_counterfeiter(self, notice: protocol.Notice) -> None:
        """After a reset or a load: its first rung on the ladder, its first report, a clean slate."""
        self.run.remember_generator()
        if self._measuring():
            self._measure_quality()
        self.failed = False
        self.message = None
        self._restart_publishing()
        # The new state first, then the word: whoever acts on the notice (the kiosk counts a
        # recovery at its step) already holds the snapshot of what was loaded.
        self._publish_progress(force=True)
        self._send(notice)

    def _sample(self, request_id, n, fake_age=1.0, best_of=1) -> protocol.Sample:
        fake_age = float(fake_age)
        fake_age = min(1.0, fake_age) if fake_age > 0 else 1.0  # nan and <= 0: the current one
        bills, labels, fake_step = self.run.sample(int(n), fake_age, int(best_of))
        readings = {}
        examiner = self._load_examiner()
        if examiner is not None:
            try:
                fake_digits, fake_confidence = examiner.read_digit(bills.fake)
                real_digits, real_confidence = examiner.read_digit(bills.real)
                readings = dict(fake_digits=fake_digits, fake_digit_confidence=fake_confidence,
                                real_digits=real_digits, real_digit_confidence=real_confidence)
            except Exception as exc:  # the readings are a bonus; the bills still go out
                log.warning("the examiner could not read the bills: %s", exc)
        return protocol.Sample(int(request_id), bills, labels, fake_step=int(fake_step), **readings)

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
    def _train_one(self, count: int = 1, by_hand: bool = False) -> None:
        self.run.train_chunk(count)
        now = self.clock()
        self._rate_times.append((now, self.run.step))
        if len(self._rate_times) > 60 or now - self._rate_times[0][0] > 3.0:
            self._rate_times.pop(0)
        if self.run.step % self.grid_interval == 0:
            self.run.grid()
            self.run.remember_generator()
        if self._measuring() and self.run.step % self.quality_interval == 0 and (
            by_hand or self._quality_affordable()
        ):
            self._measure_quality()

    def _quality_affordable(self) -> bool:
        """Whether a report now keeps the examiner within QUALITY_MAX_SHARE of the time since the
        last one. On a busy machine a report costs several times what it does on a quiet one
        (BENCHMARKS.md): then some interval points are skipped rather than slowing training."""
        since = time.perf_counter() - self._quality_finished_at
        return since * self.QUALITY_MAX_SHARE >= self._quality_cost * (1 - self.QUALITY_MAX_SHARE)

    def _measure_quality(self) -> None:
        started = time.perf_counter()
        try:
            from counterfeit_game.quality import RECOMMENDED_N

            images = self.run.generator_images(RECOMMENDED_N, seed=self.run.step)
            self._pending_quality = self.examiner.report(images, self.run.step)
        except Exception as exc:
            log.warning("quality measurement failed: %s", exc)
        self._quality_finished_at = time.perf_counter()
        self._quality_cost = self._quality_finished_at - started

    def _advance(self) -> None:
        if self.speed is None:
            boundary = self.grid_interval
            if self._measuring():
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
