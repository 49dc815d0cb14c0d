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
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child_pid, step = (int(x) for x in parent.stdout.readline().split())
        assert step >= 3, "the worker process trained"
        assert psutil.pid_exists(child_pid)
        os.kill(parent.pid, signal.SIGKILL)  # the game dies without closing anything
        parent.wait(10)
        wait_for(lambda: not psutil.pid_exists(child_pid) or
                 psutil.Process(child_pid).status() == psutil.STATUS_ZOMBIE, timeout=30)
    finally:
        if parent.poll() is None:
            parent.kill()
