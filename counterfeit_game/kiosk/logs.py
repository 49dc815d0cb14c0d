"""Rotating log files for a kiosk nobody watches: bounded on disk however long it runs.

If the log folder cannot be written the kiosk still runs, logging to stderr, with a warning that
says why; a missing log must never be the reason an exhibit is dark.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from typing import TextIO

LOG_FILE = "counterfeit-game.log"
MAX_BYTES = 2_000_000
BACKUPS = 5  # so at most (BACKUPS + 1) * MAX_BYTES on disk
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

_HANDLER_MARK = "_counterfeit_kiosk_handler"


def setup_kiosk_logging(
    log_dir: str | Path | None,
    level: int = logging.INFO,
    max_bytes: int = MAX_BYTES,
    backups: int = BACKUPS,
    stream: TextIO | None = None,
) -> Path | None:
    """Send the root logger to ``log_dir/counterfeit-game.log``, rotated by size.

    Returns the log file, or None when it fell back to ``stream`` (stderr by default). Calling it
    again replaces the handler it added before, so tests and restarts do not stack handlers.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    handler, path, problem = _file_handler(log_dir, max_bytes, backups)
    if handler is None:
        target = stream if stream is not None else sys.stderr
        # The command line may already log to stderr: a second handler would print every line twice.
        if not any(_streams_to(h, target) for h in root.handlers):
            handler = logging.StreamHandler(target)
    if handler is not None:
        setattr(handler, _HANDLER_MARK, True)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    if problem:
        logging.getLogger(__name__).warning(
            "cannot write logs in %s (%s); logging to stderr instead", log_dir, problem
        )
    return path


def _streams_to(handler: logging.Handler, stream) -> bool:
    return (isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
            and handler.stream is stream)


def _file_handler(log_dir, max_bytes: int, backups: int):
    if log_dir is None:
        return None, None, "no log folder configured"
    folder = Path(log_dir).expanduser()
    path = folder / LOG_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    except OSError as exc:
        return None, None, exc.strerror or str(exc)
    return handler, path, None
