"""TrainerClient: the UI's handle on training. Runs TrainerCore in a worker process (the game) or a
thread (tests, tools) and turns its delta messages into immutable TrainingSnapshots.

No TensorFlow is imported here: in process mode only the child imports it, so the window opens
and animates while TF loads, and TF's thread pools never compete with the UI's interpreter lock.
Nothing here blocks: poll() drains whatever has arrived and returns the newest snapshot.
"""

from __future__ import annotations

import collections
import itertools
import logging
import multiprocessing
import queue
import threading
import time
from dataclasses import replace

from counterfeit_game import protocol
from counterfeit_game.hyperparams import GanConfig
from counterfeit_game.snapshot import (
    STATUS_CLOSED,
    STATUS_FAILED,
    STATUS_LOADING,
    HistoryBuffer,
    TrainingSnapshot,
    thin_frames,
)

log = logging.getLogger(__name__)


class PipeOutbox:
    """The worker's end of its message pipe, with a queue's ``put``.

    A plain one-way pipe rather than a multiprocessing.Queue: the game closes its copy of this end
    once the worker has started, so a worker that dies halfway through a message leaves the game
    reading end-of-file, where a Queue (whose pipe both processes keep open) would leave it waiting
    forever for the rest. A send waits while the pipe is full, so a busy window slows the trainer
    down instead of piling messages up in memory.
    """

    def __init__(self, conn):
        self._conn = conn
        self._lock = threading.Lock()  # a log line from another thread must not cut into a message
        self._sending = threading.local()

    def put(self, message) -> None:
        with self._lock:
            self._sending.now = True
            try:
                self._conn.send(message)
            except (BrokenPipeError, ConnectionResetError, EOFError) as exc:
                raise protocol.ReceiverGone(str(exc)) from None
            finally:
                self._sending.now = False

    def busy_here(self) -> bool:
        """True while this thread is inside ``put`` (a log record raised there cannot be sent)."""
        return getattr(self._sending, "now", False)


class PipeLogHandler(logging.Handler):
    """The worker's log records, sent to the game as LogLine messages (see protocol.LogLine)."""

    def __init__(self, outbox: PipeOutbox):
        super().__init__()
        self.outbox = outbox
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if self.outbox.busy_here():
            return
        try:
            self.outbox.put(protocol.LogLine(record.levelno, record.name, self.format(record)))
        except Exception:  # noqa: BLE001 - the game is gone, or the record would not pickle
            pass


class PipeInbox:
    """The game's end: ``get_nowait`` like a queue; end-of-file (the worker is gone) reads as empty."""

    def __init__(self, conn):
        self._conn = conn
        self.ended = False

    def get_nowait(self):
        if self.ended:
            raise queue.Empty
        try:
            if not self._conn.poll():
                raise queue.Empty
            return self._conn.recv()
        except (EOFError, OSError):  # OSError: "got end of file during message"
            self.ended = True
            raise queue.Empty from None

    def cancel_join_thread(self) -> None:
        """Nothing to wait for: kept so both ends close like the command queue."""

    def close(self) -> None:
        self.ended = True
        self._conn.close()


def _worker_main(commands, out_conn, options: dict) -> None:
    """Entry point of the worker process (spawned: a fresh interpreter, TF imported here)."""
    import os

    out = PipeOutbox(out_conn)
    level = options.pop("log_level", logging.WARNING)
    native_logs = options.pop("native_logs", None)
    if not (level <= logging.INFO if native_logs is None else native_logs):
        from counterfeit_game.native_logs import silence_native_stderr

        silence_native_stderr()
    root = logging.getLogger()
    root.addHandler(PipeLogHandler(out))
    root.setLevel(level)
    threads = options.pop("tf_threads", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        from counterfeit_game.trainer import TrainerCore, limit_tf_threads

        limit_tf_threads(threads)

        parent = multiprocessing.parent_process()
        TrainerCore(commands, out, in_process=True,
                    parent_alive=(lambda: parent.is_alive()) if parent is not None else None,
                    **options).serve()
    except KeyboardInterrupt:
        pass
    except protocol.ReceiverGone:
        logging.getLogger(__name__).info("the game that started this trainer is gone; stopping")
    except BaseException as exc:  # report, then die: the supervisor restarts us
        import traceback

        logging.getLogger(__name__).error("the training worker stopped: %s", exc, exc_info=True)
        try:
            out.put(protocol.WorkerError(f"the training worker stopped: {exc}", traceback.format_exc(), True))
        except OSError:  # the game is gone too: nobody to tell
            pass


def _thread_main(commands, out, options: dict) -> None:
    from counterfeit_game.trainer import TrainerCore

    try:
        TrainerCore(commands, out, **options).serve()
    except BaseException as exc:
        import traceback

        log.error("the training worker stopped: %s", exc, exc_info=True)

        out.put(protocol.WorkerError(f"the training worker stopped: {exc}", traceback.format_exc(), True))


class SnapshotAssembler:
    """Folds Progress deltas into whole, immutable snapshots."""

    def __init__(self, max_history: int | None = None):
        self.max_history = max_history
        self.history = HistoryBuffer(max_history)
        self.grids: list = []
        self.snapshot = TrainingSnapshot.loading()

    def apply(self, progress: protocol.Progress) -> TrainingSnapshot:
        if progress.reset_history:
            self.history = HistoryBuffer(self.max_history)
        self.history.extend(progress.history_rows)
        if progress.reset_grids:
            self.grids = []
        if progress.new_grids:
            self.grids = thin_frames(self.grids + list(progress.new_grids))
        previous = self.snapshot
        bills = progress.bills if progress.bills is not None else previous.bills
        quality = progress.quality
        if quality is None and not progress.reset_history:
            quality = previous.quality
        self.snapshot = TrainingSnapshot(
            status=progress.status,
            step=progress.step,
            speed=progress.speed,
            steps_per_second=progress.steps_per_second,
            history=self.history.view(),
            bills=bills,
            grids=tuple(self.grids),
            quality=quality,
            architecture=progress.architecture,
            seed=progress.seed,
            generation=progress.generation,
            message=progress.message,
            batch_size=progress.batch_size,
        )
        return self.snapshot

    def mark(self, status: str, message: str | None) -> TrainingSnapshot:
        self.snapshot = replace(self.snapshot, status=status, message=message)
        return self.snapshot


class TrainerClient:
    MAX_MESSAGES_PER_POLL = 500

    def __init__(
        self,
        config: GanConfig = GanConfig(),
        data: str | None = "bundled",
        mode: str = "process",
        grid_interval: int = 25,
        checkpoint_dir=None,
        start_running: bool = True,
        speed: float | None = None,
        resume_from: str | None = None,
        quality_interval: int = 0,
        tf_threads: int | None = None,
        clock=time.monotonic,
        native_logs: bool | None = None,
    ):
        """``native_logs``: whether TensorFlow's own start-up lines (CUDA probes, oneDNN notices)
        reach stderr; None shows them only when logging is verbose (INFO or lower)."""
        if mode not in ("process", "thread"):
            raise ValueError("mode must be 'process' or 'thread'")
        self.mode = mode
        self.checkpoint_dir = checkpoint_dir
        self.clock = clock
        self._options = dict(
            config=config,
            data=None if data is None else str(data),
            grid_interval=grid_interval,
            start_running=start_running,
            speed=speed,
            resume_from=None if resume_from is None else str(resume_from),
            quality_interval=quality_interval,
        )
        self._tf_threads = tf_threads
        self._native_logs = native_logs
        self._assembler = SnapshotAssembler()
        self._samples: dict[int, protocol.Sample] = {}
        self._notices: collections.deque = collections.deque(maxlen=100)
        self._errors: collections.deque = collections.deque(maxlen=100)
        self._request_ids = itertools.count(1)
        self._worker = None
        self._commands = None
        self._out = None
        self.last_heartbeat = clock()
        self.ready = False
        self.closed = False

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "TrainerClient":
        if self.mode == "process":
            context = multiprocessing.get_context("spawn")
            self._commands = context.Queue()
            reader, writer = context.Pipe(duplex=False)
            self._out = PipeInbox(reader)
            options = dict(self._options, tf_threads=self._tf_threads, native_logs=self._native_logs,
                           log_level=logging.getLogger().getEffectiveLevel())
            self._worker = context.Process(
                target=_worker_main, args=(self._commands, writer, options),
                name="counterfeit-trainer", daemon=True,
            )
        else:
            self._commands, self._out = queue.Queue(), queue.Queue()
            self._worker = threading.Thread(
                target=_thread_main, args=(self._commands, self._out, dict(self._options)),
                name="counterfeit-trainer", daemon=True,
            )
        self._worker.start()
        if self.mode == "process":
            writer.close()  # the worker holds the only writing end now: its death reads as end-of-file
        self.last_heartbeat = self.clock()
        return self

    @property
    def alive(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def close(self, timeout: float = 5.0) -> None:
        """Ask the worker to finish (the sentinel), then make sure it is gone."""
        if self._worker is None or self.closed:
            return
        self.closed = True
        try:
            self._commands.put(protocol.Command(protocol.CLOSE))
        except (OSError, ValueError):
            pass
        if self.mode == "process":
            self._drain_until_gone(timeout)
            if self._worker.is_alive():
                self._worker.terminate()
                self._worker.join(1.0)
            if self._worker.is_alive():
                self._worker.kill()
                self._worker.join(1.0)
            for q in (self._commands, self._out):
                q.cancel_join_thread()
                q.close()
        self._assembler.mark(STATUS_CLOSED, None)

    def _drain_until_gone(self, timeout: float) -> None:
        """Keep reading while the worker finishes: one blocked on a full pipe would never see CLOSE."""
        deadline = time.monotonic() + timeout
        while self._worker.is_alive() and time.monotonic() < deadline:
            self.poll()
            self._worker.join(0.02)

    def kill(self) -> None:
        """For a hung worker: no sentinel, no waiting (a thread can only be abandoned)."""
        if self.mode == "process" and self._worker is not None and self._worker.is_alive():
            self._worker.kill()
            self._worker.join(2.0)
        self.close(timeout=0.1)

    # -- commands ------------------------------------------------------------------------------
    def _send(self, name: str, value=None) -> None:
        if self._worker is None or self.closed:
            return
        try:
            self._commands.put(protocol.Command(name, value))
        except (OSError, ValueError) as exc:
            log.warning("trainer command %s not delivered: %s", name, exc)

    def pause(self):
        self._send(protocol.PAUSE)

    def resume(self):
        self._send(protocol.RESUME)

    def step_once(self):
        self._send(protocol.STEP)

    def set_speed(self, steps_per_second: float | None):
        self._send(protocol.SET_SPEED, steps_per_second)

    def reset(self, seed: int | None = None):
        self._send(protocol.RESET, seed)

    def save(self, path):
        self._send(protocol.SAVE, str(path))

    def load(self, path):
        self._send(protocol.LOAD, str(path))

    def inject_fault(self, fault: str):
        self._send(protocol.INJECT_FAULT, fault)

    def request_sample(self, n: int, fake_age: float = 1.0, best_of: int = 1) -> int:
        """Ask for n fresh fakes and n real bills (answered by a protocol.Sample; take_sample).

        ``fake_age`` in (0, 1]: the fakes come from the counterfeiter as it was at about that
        fraction of its current step count (smaller is younger and clumsier). ``best_of`` >= 1:
        each fake is the one of that many candidates the current police find most real. The
        police's scores are always the current police's.
        """
        fake_age, best_of = protocol.check_sample_options(fake_age, best_of)
        request_id = next(self._request_ids)
        self._send(protocol.SAMPLE, (request_id, int(n), fake_age, best_of))
        return request_id

    def take_sample(self, request_id: int) -> protocol.Sample | None:
        return self._samples.pop(request_id, None)

    # -- messages ------------------------------------------------------------------------------
    def poll(self) -> TrainingSnapshot:
        if self._out is None:
            return self._assembler.snapshot
        for _ in range(self.MAX_MESSAGES_PER_POLL):
            try:
                message = self._out.get_nowait()
            except queue.Empty:
                break
            except (OSError, ValueError, EOFError):
                break
            self._receive(message)
        if not self.closed and self._worker is not None and not self._worker.is_alive():
            snapshot = self._assembler.snapshot
            if snapshot.status != STATUS_FAILED:
                self._assembler.mark(STATUS_FAILED, "the training worker stopped")
        return self._assembler.snapshot

    def _receive(self, message) -> None:
        self.last_heartbeat = self.clock()
        if isinstance(message, protocol.LogLine):
            logging.getLogger(message.name).log(message.level, "%s", message.text)
        elif isinstance(message, protocol.Progress):
            self.ready = True
            self._assembler.apply(message)
        elif isinstance(message, protocol.Sample):
            self._samples[message.request_id] = message
            while len(self._samples) > 20:
                self._samples.pop(next(iter(self._samples)))
        elif isinstance(message, protocol.Notice):
            if message.kind == "ready":
                self.ready = True
            self._notices.append(message)
        elif isinstance(message, protocol.WorkerError):
            self._errors.append(message)
            if message.fatal:
                self._assembler.mark(STATUS_FAILED, message.message)
            elif self._assembler.snapshot.status == STATUS_LOADING:
                self._assembler.mark(STATUS_LOADING, message.message)

    def notices(self) -> list[protocol.Notice]:
        drained = list(self._notices)
        self._notices.clear()
        return drained

    def errors(self) -> list[protocol.WorkerError]:
        drained = list(self._errors)
        self._errors.clear()
        return drained

    @property
    def snapshot(self) -> TrainingSnapshot:
        return self._assembler.snapshot
