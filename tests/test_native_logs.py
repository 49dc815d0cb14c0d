"""Silencing TF's native stderr must not silence our own messages."""

import subprocess
import sys

SCRIPT = """
import logging, os, sys
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
from counterfeit_game.native_logs import silence_native_stderr
assert silence_native_stderr()
os.write(2, b"native chatter\\n")
logging.getLogger("counterfeit_game").warning("a warning for the player")
print("a plain message", file=sys.stderr)
"""


def test_native_lines_go_but_python_logging_and_messages_stay():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "native chatter" not in done.stderr
    assert "WARNING a warning for the player" in done.stderr
    assert "a plain message" in done.stderr
