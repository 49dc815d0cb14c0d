"""A stand-in for TrainerClient that needs no TensorFlow: scripted, deterministic, instant.

It speaks the same API (poll, pause, resume, step_once, set_speed, reset, request_sample, ...)
and produces plausible snapshots: real bills are MNIST test digits, fakes drift from noise towards
digits as steps pass, the examiner's quality reports improve (score rising, more digits covered),
and samples carry made-up examiner readings that grow surer with the counterfeiter's skill. Tests drive scenes with it (``advance`` moves training by hand), and the
screenshot and frame scripts use it when they must not load TensorFlow.
"""

from __future__ import annotations

import gzip
import time
from typing import Callable

import numpy as np

from counterfeit_game import protocol
from counterfeit_game.assets import asset_path
from counterfeit_game.snapshot import (
    STATUS_CLOSED, STATUS_PAUSED, STATUS_RUNNING,
    GridFrame, LossHistory, QualityReport, StepBills, TrainingSnapshot, frozen_array,
)

UNLIMITED_STEPS_PER_S = 120.0  # what "as fast as possible" means for the script
QUALITY_BILLS = 1000  # bills behind each scripted report, as quality.RECOMMENDED_N


def load_real_digits(count: int = 1000) -> np.ndarray:
    """The first ``count`` bundled MNIST test digits, uint8 (count, 28, 28); noise if unreadable."""
    try:
        with gzip.open(asset_path("mnist", "t10k-images-idx3-ubyte.gz"), "rb") as handle:
            raw = handle.read(16 + count * 784)
        return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:count].copy()
    except Exception:  # noqa: BLE001 - a stand-in must never fail to start
        return np.random.default_rng(0).integers(0, 255, (count, 28, 28), dtype=np.uint8)


def load_real_labels(count: int = 1000) -> np.ndarray:
    """The digits of the first ``count`` bundled MNIST test images, int64; 0..9 repeated if unreadable."""
    try:
        with gzip.open(asset_path("mnist", "t10k-labels-idx1-ubyte.gz"), "rb") as handle:
            raw = handle.read(8 + count)
        labels = np.frombuffer(raw, np.uint8, offset=8)[:count].astype(np.int64)
        if len(labels) == count:
            return labels
    except Exception:  # noqa: BLE001 - a stand-in must never fail to start
        pass
    return np.arange(count, dtype=np.int64) % 10


class ScriptedClient:
    def __init__(self, *, now: Callable[[], float] = time.monotonic, seed: int = 0, batch_size: int = 32,
                 grid_interval: int = 25, ready_after_s: float = 0.0, start_running: bool = True,
                 auto: bool = True, real_digits: np.ndarray | None = None, sample_delay_polls: int = 0,
                 real_labels: np.ndarray | None = None, quality_interval: int = 250):
        self._now = now
        self._seed = seed
        self.batch_size = batch_size
        self.grid_interval = grid_interval
        self._ready_after = ready_after_s
        self._auto = auto  # advance with the clock; tests set False and call advance()
        self._real = load_real_digits() if real_digits is None else real_digits
        if real_labels is None:
            real_labels = load_real_labels(len(self._real)) if real_digits is None else (
                np.arange(len(self._real), dtype=np.int64) % 10)
        self._labels = np.asarray(real_labels, np.int64)
        self.quality_interval = quality_interval  # 0: no quality reports
        self.sample_options: list[tuple[int, float, int]] = []  # (n, fake_age, best_of) asked
        self._sample_delay_polls = sample_delay_polls
        self._start_running = start_running
        self.commands: list[tuple[str, object]] = []  # every command received, for tests
        self._started_at: float | None = None
        self._ready = False
        self._running = start_running
        self._speed: float | None = None
        self._pending_steps = 0
        self._carry = 0.0
        self._last_time = None
        self.generation = 0
        self.alive = False
        self.last_heartbeat = 0.0
        self._samples: dict[int, tuple[int, protocol.Sample]] = {}
        self._next_request = 1
        self._notices: list = []
        self._errors: list = []
        self._closed = False
        self._snapshot_key = None
        self._last_snapshot: TrainingSnapshot | None = None
        self._new_run(seed)

    # -- the TrainerClient API ----------------------------------------------------------------
    def start(self) -> None:
        self._started_at = self._now()
        self._last_time = self._started_at
        self.alive = True

    def poll(self) -> TrainingSnapshot:
        now = self._now()
        self.last_heartbeat = now
        if self._closed:
            return self._snapshot(STATUS_CLOSED)
        if not self._ready:
            if self._started_at is None or now - self._started_at < self._ready_after:
                return TrainingSnapshot.loading("The police are getting ready")
            self._ready = True
            self._last_time = now
            self._notices.append(protocol.Notice("ready", "ready"))
        if self._auto and self._running:
            rate = UNLIMITED_STEPS_PER_S if self._speed is None else self._speed
            self._carry += max(0.0, now - (self._last_time or now)) * rate
            whole = int(self._carry)
            self._carry -= whole
            self._advance(whole)
        self._last_time = now
        if self._pending_steps:
            self._advance(self._pending_steps)
            self._pending_steps = 0
        for rid, (wait, sample) in list(self._samples.items()):
            if wait > 0:
                self._samples[rid] = (wait - 1, sample)
        return self._snapshot(STATUS_RUNNING if self._running else STATUS_PAUSED)

    def pause(self):
        self.commands.append((protocol.PAUSE, None))
        self._running = False

    def resume(self):
        self.commands.append((protocol.RESUME, None))
        self._running = True
        self._last_time = self._now()

    def step_once(self):
        self.commands.append((protocol.STEP, None))
        if not self._running:
            self._pending_steps += 1

    def set_speed(self, speed):
        self.commands.append((protocol.SET_SPEED, speed))
        self._speed = speed

    def reset(self, seed=None):
        self.commands.append((protocol.RESET, seed))
        self.generation += 1
        self._new_run(self._seed + self.generation if seed is None else seed)
        self._notices.append(protocol.Notice("reset", "reset"))

    def save(self, path):
        self.commands.append((protocol.SAVE, path))

    def load(self, path):
        self.commands.append((protocol.LOAD, path))

    def request_sample(self, n: int, fake_age: float = 1.0, best_of: int = 1) -> int:
        fake_age, best_of = protocol.check_sample_options(fake_age, best_of)
        self.commands.append((protocol.SAMPLE, n))
        self.sample_options.append((n, fake_age, best_of))
        rid = self._next_request
        self._next_request += 1
        self._samples[rid] = (self._sample_delay_polls, self._sample(rid, n, fake_age, best_of))
        return rid

    def _sample(self, rid: int, n: int, fake_age: float, best_of: int) -> protocol.Sample:
        """As the trainer's: fakes printed at about fake_age of the step, the best of best_of by
        the police's scores, and the examiner's readings (surer as the counterfeiter learns)."""
        rng = np.random.default_rng((self._seed, self.generation, self.step, rid, 7))
        fake_step = int(round(fake_age * self.step))
        real_index = rng.choice(len(self._real), n)
        target_index = rng.choice(len(self._real), n * best_of)
        fake = self._print(self._real[target_index], rng.normal(0, 1, (n * best_of, 28, 28)), fake_step)
        skill, young_skill = self._skill(self.step), self._skill(fake_step)
        fake_scores = np.clip(rng.normal(0.1 + 0.35 * young_skill, 0.18, n * best_of), 0.01, 0.99)
        rows = np.arange(n) * best_of + fake_scores.reshape(n, best_of).argmax(axis=1)
        real_scores = np.clip(rng.normal(0.8 - 0.25 * skill, 0.15, n), 0.01, 0.99)
        bills = StepBills(self.step, frozen_array(self._real[real_index]), frozen_array(fake[rows]),
                          frozen_array(real_scores, np.float32), frozen_array(fake_scores[rows], np.float32))
        labels = self._labels[real_index]
        intended = self._labels[target_index[rows]]
        read_right = rng.random(n) < 0.2 + 0.78 * young_skill
        fake_digits = np.where(read_right, intended, rng.integers(0, 10, n))
        fake_confidence = np.clip(rng.normal(0.35 + 0.6 * young_skill, 0.12, n), 0.1, 0.999)
        real_confidence = np.clip(rng.normal(0.995, 0.01, n), 0.9, 0.9999)
        return protocol.Sample(
            rid, bills, frozen_array(labels, np.int64),
            fake_digits=frozen_array(fake_digits, np.int64),
            fake_digit_confidence=frozen_array(fake_confidence, np.float32),
            real_digits=frozen_array(labels, np.int64),
            real_digit_confidence=frozen_array(real_confidence, np.float32),
            fake_step=fake_step)

    def take_sample(self, request_id: int):
        entry = self._samples.get(request_id)
        if entry is None or entry[0] > 0:
            return None
        del self._samples[request_id]
        return entry[1]

    def notices(self):
        out, self._notices = self._notices, []
        return out

    def errors(self):
        out, self._errors = self._errors, []
        return out

    def inject_fault(self, kind: str):
        self.commands.append((protocol.INJECT_FAULT, kind))

    def close(self, timeout: float = 5.0):
        self._closed = True
        self.alive = False

    # -- scripting ----------------------------------------------------------------------------
    def advance(self, steps: int = 1) -> None:
        """Runs ``steps`` training steps now (ready or not)."""
        self._ready = True
        self._advance(steps)

    def _new_run(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)
        self.step = 0
        self._rows: list[tuple[int, float, float, float]] = []
        self._grid_targets = self._real[self._rng.choice(len(self._real), 25, replace=False)]
        self._grid_noise = self._rng.normal(0, 1, (25, 28, 28)).astype(np.float32)
        self._grids = [self._grid(0)]
        self._bills_now = self._bills(0, self.batch_size, salt=0)
        self._history_cache: LossHistory | None = None
        self._quality = self._quality_report(0) if self.quality_interval else None

    def _quality_report(self, step: int) -> QualityReport:
        """A made-up examiner's verdict: the score follows the skill, digits are covered one by
        one (0 untrained, 2 soon after, all 10 later), as the real examiner sees a learning run."""
        rng = np.random.default_rng((self._seed, self.generation, step, 11))
        skill = self._skill(step)
        score = float(np.clip(48.0 * skill + rng.normal(0, 1.0) * (step > 0), 0.0, 100.0))
        fed = float(400.0 * (400.0 / 2.5) ** (-score / 100.0))
        coverage = 0 if step == 0 else int(min(10, 2 + int(8 * min(1.0, skill / 0.85))))
        order = np.random.default_rng((self._seed, self.generation, 5)).permutation(10)
        histogram = rng.integers(0, 20, 10)  # digits not covered: under 2% of the bills
        confident = int(QUALITY_BILLS * (0.1 + 0.8 * skill))
        if coverage:
            share = rng.dirichlet(np.full(coverage, 8.0))
            histogram[order[:coverage]] = 20 + (share * max(0, confident - 20 * coverage)).astype(int)
        return QualityReport(step=step, fed=fed, score=score, confidence=float(0.2 + 0.7 * skill),
                             coverage=coverage, histogram=tuple(int(v) for v in histogram))

    def _skill(self, step: int) -> float:
        return float(1.0 - np.exp(-step / 900.0))

    def _print(self, targets: np.ndarray, noise: np.ndarray, step: int) -> np.ndarray:
        skill = self._skill(step)
        base = targets.astype(np.float32) / 255.0
        mixed = skill * base + (1 - skill) * np.clip(0.5 + 0.35 * noise, 0, 1)
        return np.clip(mixed * 255, 0, 255).astype(np.uint8)

    def _grid(self, step: int) -> GridFrame:
        return GridFrame(step, frozen_array(self._print(self._grid_targets, self._grid_noise, step)))

    def _bills(self, step: int, n: int, salt: int) -> StepBills:
        rng = np.random.default_rng((self._seed, self.generation, step, salt))
        real = self._real[rng.choice(len(self._real), n)]
        targets = self._real[rng.choice(len(self._real), n)]
        fake = self._print(targets, rng.normal(0, 1, (n, 28, 28)), step)
        skill = self._skill(step)
        real_scores = np.clip(rng.normal(0.8 - 0.25 * skill, 0.15, n), 0.01, 0.99)
        fake_scores = np.clip(rng.normal(0.1 + 0.35 * skill, 0.18, n), 0.01, 0.99)
        return StepBills(step, frozen_array(real), frozen_array(fake),
                         frozen_array(real_scores, np.float32), frozen_array(fake_scores, np.float32))

    def _advance(self, steps: int) -> None:
        for _ in range(max(0, steps)):
            self.step += 1
            skill = self._skill(self.step)
            noise = self._rng.normal(0, 1, 3)
            d_loss = 0.35 + 0.3 * skill + 0.08 * noise[0]
            g_loss = 2.6 - 1.5 * skill + 0.35 * noise[1] + 0.6 * np.exp(-self.step / 60.0)
            d_acc = np.clip(0.95 - 0.3 * skill + 0.08 * noise[2], 0, 1)
            self._rows.append((self.step, d_loss, d_acc, g_loss))
            if self.step % self.grid_interval == 0:
                self._grids.append(self._grid(self.step))
            if self.quality_interval and self.step % self.quality_interval == 0:
                self._quality = self._quality_report(self.step)
        stride = 4 if self._auto and self._running and self._speed is None else 1  # spare the CPU at max speed
        if steps > 0 and self.step - self._bills_now.step >= stride:
            self._bills_now = self._bills(self.step, self.batch_size, salt=0)
            self._history_cache = None

    def _history(self) -> LossHistory:
        if self._history_cache is None:
            rows = np.array(self._rows, dtype=np.float64).reshape(-1, 4)
            self._history_cache = LossHistory(
                frozen_array(rows[:, 0], np.int64), frozen_array(rows[:, 1], np.float32),
                frozen_array(rows[:, 2], np.float32), frozen_array(rows[:, 3], np.float32))
        return self._history_cache

    def _snapshot(self, status: str) -> TrainingSnapshot:
        """The same object while nothing changed, as the real client does between messages."""
        key = (status, self.step, self.generation, self._speed)
        if key == self._snapshot_key:
            return self._last_snapshot
        self._snapshot_key = key
        self._last_snapshot = self._build_snapshot(status)
        return self._last_snapshot

    def _build_snapshot(self, status: str) -> TrainingSnapshot:
        return TrainingSnapshot(
            status=status, step=self.step, speed=self._speed,
            steps_per_second=0.0 if status != STATUS_RUNNING else (self._speed or UNLIMITED_STEPS_PER_S),
            history=self._history(), bills=self._bills_now if self.step else None,
            grids=tuple(self._grids), quality=self._quality, seed=self._seed,
            generation=self.generation, batch_size=self.batch_size, architecture="dcgan")

