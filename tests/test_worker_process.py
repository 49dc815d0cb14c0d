"""The real worker process: it starts, trains, and never outlives the game that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import psutil

from conftest import wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_worker_trains_in_a_process_and_stops_when_its_parent_is_killed(small_mnist_npz, tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {ROOT!r})
        from counterfeit_game.worker import TrainerClient

        if __name__ == "__main__":
            client = TrainerClient(data={str(small_mnist_npz)!r}, mode="process").start()
            deadline = time.monotonic() + 240
            while client.poll().step < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            print(client._worker.pid, client.poll().step, flush=True)
            time.sleep(600)
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        child_pid, step = (int(x) for x in parent.stdout.readline().split())
        assert step >= 3, "the worker process trained"
        assert psutil.pid_exists(child_pid)
        os.kill(parent.pid, signal.SIGKILL)  # the game dies without closing anything
        parent.wait(10)
        wait_for(lambda: not psutil.pid_exists(child_pid) or
                 psutil.Process(child_pid).status() == psutil.STATUS_ZOMBIE, timeout=30)
        left_on_stderr = parent.stderr.read()  # the worker shares it: its end has come by now
        assert "Traceback" not in left_on_stderr and "training failed" not in left_on_stderr, left_on_stderr
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_worker_dying_halfway_through_a_message_reads_as_the_end_not_a_hang():
    import multiprocessing
    import queue
    import struct
    import threading

    from counterfeit_game.worker import PipeInbox

    reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
    inbox = PipeInbox(reader)
    writer.send({"a whole message": 1})
    os.write(writer.fileno(), struct.pack("!i", 1_000_000) + b"only the start")  # then the worker died
    writer.close()
    got, failed = [], []

    def read_all():
        try:
            for _ in range(3):
                got.append(inbox.get_nowait())
        except queue.Empty:
            got.append("empty")
        except Exception as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    reader_thread = threading.Thread(target=read_all, daemon=True)
    reader_thread.start()
    reader_thread.join(10)
    assert not reader_thread.is_alive(), "a half-written message blocked the game's poll"
    assert not failed
    assert got == [{"a whole message": 1}, "empty"]
    assert inbox.ended


def test_closing_a_busy_worker_lets_it_finish_by_itself(small_mnist_npz):
    from counterfeit_game.worker import TrainerClient

    client = TrainerClient(data=str(small_mnist_npz), mode="process", grid_interval=1).start()
    try:
        wait_for(lambda: client.poll().step >= 20, timeout=240)
    finally:
        client.close(timeout=60)
    assert client._worker.exitcode == 0  # it saw CLOSE and ended: not terminated, not killed


def test_a_game_that_is_gone_ends_the_worker_quietly(caplog):
    """The game died (its window destroyed, the X server gone): the worker's next message finds the
    pipe broken. That is the end of the conversation, not a training failure with a traceback."""
    import logging
    import multiprocessing
    import queue

    import pytest

    from counterfeit_game import protocol
    from counterfeit_game.trainer import TrainerCore
    from counterfeit_game.worker import PipeOutbox

    reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
    outbox = PipeOutbox(writer)
    reader.close()
    with pytest.raises(protocol.ReceiverGone):
        outbox.put(protocol.Heartbeat(0.0, 0))

    core = TrainerCore(queue.Queue(), outbox)
    with caplog.at_level(logging.ERROR), pytest.raises(protocol.ReceiverGone):
        core._guarded(lambda: core._send(protocol.Heartbeat(0.0, 0)))
    assert not core.failed and not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_workers_log_lines_reach_the_games_own_logging(caplog):
    """A kiosk's operator reads one rotating file: the trainer's warnings (an examiner that would
    not load, a failure with its traceback) are re-logged in the game under their own names."""
    import logging
    import multiprocessing
    import queue

    from counterfeit_game.worker import PipeInbox, PipeLogHandler, PipeOutbox, TrainerClient

    reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
    outbox, inbox = PipeOutbox(writer), PipeInbox(reader)
    worker_logger = logging.getLogger("counterfeit_game.trainer.in_the_worker")
    handler = PipeLogHandler(outbox)
    worker_logger.addHandler(handler)
    worker_logger.propagate = False  # stands for the other process: nothing reaches caplog directly
    try:
        try:
            raise ValueError("a broken layer")
        except ValueError:
            worker_logger.exception("training failed: %s", "ValueError")
        worker_logger.warning("the examiner is off")
    finally:
        worker_logger.removeHandler(handler)
        worker_logger.propagate = True
    client = TrainerClient(mode="thread", data=None)
    with caplog.at_level(logging.INFO):
        while True:
            try:
                client._receive(inbox.get_nowait())
            except queue.Empty:
                break
    got = [(r.name, r.levelno, r.getMessage().splitlines()[0]) for r in caplog.records]
    assert got == [("counterfeit_game.trainer.in_the_worker", logging.ERROR, "training failed: ValueError"),
                   ("counterfeit_game.trainer.in_the_worker", logging.WARNING, "the examiner is off")]
    assert "ValueError: a broken layer" in caplog.records[0].getMessage(), "the traceback travels with it"
