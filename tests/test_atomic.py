"""Atomic writes: a write cut off at any moment leaves the old file whole, never half of the new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from counterfeit_game import atomic
from counterfeit_game.atomic import atomic_write, atomic_write_bytes, remove_unfinished

ROOT = Path(__file__).resolve().parent.parent


def test_an_error_halfway_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "scores.json"
    target.write_text("old scores")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w", encoding="utf-8") as handle:
            handle.write("new sc")
            raise RuntimeError("the disk went away")
    assert target.read_text() == "old scores"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.json"]


def test_the_data_is_on_disk_before_the_rename_and_the_rename_is_made_durable(tmp_path, monkeypatch):
    """The order a power cut needs: fsync(file), then rename, then fsync(folder)."""
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync-dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file"))
        real_fsync(fd)

    def replace(src, dst):
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic_write_bytes(tmp_path / "checkpoint.npz", b"weights")
    assert events == ["fsync-file", "replace", "fsync-dir"]
    assert (tmp_path / "checkpoint.npz").read_bytes() == b"weights"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_process_killed_in_the_middle_of_a_write_leaves_the_old_file(tmp_path):
    """The nearest thing to a power cut a test can make: SIGKILL while the new bytes are going out."""
    target = tmp_path / "kiosk-000001.npz"
    old = os.urandom(4096)
    target.write_bytes(old)
    started = tmp_path / "started"
    writer = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from counterfeit_game.atomic import atomic_write
        with atomic_write({str(target)!r}) as handle:
            for chunk in range(10_000):
                handle.write(b"x" * 65536)
                handle.flush()
                if chunk == 2:
                    open({str(started)!r}, "w").close()
                time.sleep(0.01)
    """)
    process = subprocess.Popen([sys.executable, "-c", writer])
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert process.poll() is None, "the writer ended before it was cut off"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert target.read_bytes() == old
    leftovers = [p for p in tmp_path.iterdir() if p.name not in (target.name, started.name)]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(f".{target.name}.")
    assert leftovers[0].stat().st_size >= 3 * 65536
    # what the kiosk's supervisor and the score store do on their next start
    assert remove_unfinished(tmp_path, "scores.json") == []
    assert remove_unfinished(tmp_path) == leftovers
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, started.name])
    assert target.read_bytes() == old
