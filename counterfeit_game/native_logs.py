"""Keep TensorFlow's native start-up chatter off the player's terminal.

TF and XLA print CUDA probes and oneDNN notices from C++ straight to file descriptor 2, before any
Python logging exists and regardless of Python's log levels. We point descriptor 2 at /dev/null
and keep Python's ``sys.stderr`` on a duplicate of the real one, so our own messages (and
tracebacks in a log) still show. ``-v`` leaves everything as it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys


@contextlib.contextmanager
def native_stderr_muted(mute: bool = True):
    """Descriptor 2 at /dev/null for a moment only (e.g. while SDL probes for a display)."""
    if not mute:
        yield
        return
    try:
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def silence_native_stderr() -> bool:
    """For the rest of the process: our Python messages keep a duplicate of the real stderr."""
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return False
    try:
        sys.stderr.flush()
        os.dup2(devnull, 2)
    finally:
        os.close(devnull)
    old = sys.stderr
    sys.stderr = os.fdopen(saved, "w", buffering=1, encoding=getattr(old, "encoding", None))
    # Handlers made before this point still hold the old object, which now writes to /dev/null.
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is old:
            handler.setStream(sys.stderr)
    return True
