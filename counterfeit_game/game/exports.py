"""Exports of the progress grid and the loss chart as PNG files, off the frame loop.

Matplotlib takes a good part of a second to import and draw, so exports run in one background
thread; the frame loop only collects the result and shows a confirmation.
"""

from __future__ import annotations

import errno
import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from counterfeit_game.i18n import t

log = logging.getLogger(__name__)

# Why a save failed, in words a teacher can act on; anything else gets the general sentence.
PROBLEM_KEYS = {
    errno.EROFS: "export.failed.read_only",
    errno.ENOSPC: "export.failed.full",
    errno.EDQUOT: "export.failed.full",
    errno.EACCES: "export.failed.denied",
    errno.EPERM: "export.failed.denied",
}


@dataclass(frozen=True)
class ExportResult:
    ok: bool
    folder: Path
    files: tuple[str, ...] = ()
    error: str = ""  # a plain sentence for the screen; the raw error goes to the log


def export_problem(folder: Path, exc: BaseException) -> str:
    """One sentence naming the folder and, where the system says, why: never a raw Python error."""
    key = PROBLEM_KEYS.get(getattr(exc, "errno", None), "export.failed.other")
    return t(key, folder=str(folder))


def export_files(folder: Path, grid_images, grid_step: int, history, step: int) -> ExportResult:
    """Writes grid_step_NNNNNN.png and losses_step_NNNNNN.png (whatever is available) now."""
    from counterfeit_game import outputs  # matplotlib: imported only when someone exports

    folder = Path(folder).expanduser()
    written: list[str] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if grid_images is not None:
            name = f"grid_step_{grid_step:06d}.png"
            outputs.save_sample_grid(grid_images, folder / name)
            written.append(name)
        if history is not None and len(history) > 0:
            name = f"losses_step_{step:06d}.png"
            outputs.save_loss_plot(history, folder / name)
            written.append(name)
    except Exception as exc:  # noqa: BLE001 - any failure is reported on screen, never fatal
        log.warning("export to %s failed: %s", folder, exc)
        return ExportResult(False, folder, tuple(written), export_problem(folder, exc))
    return ExportResult(True, folder, tuple(written))


class Exporter:
    """Runs exports one at a time in a daemon thread; ``results()`` drains finished ones."""

    def __init__(self, folder: Path, synchronous: bool = False):
        self.folder = Path(folder)
        self._synchronous = synchronous  # tests: run in the caller's thread
        self._results: queue.Queue = queue.Queue()
        self._busy = threading.Event()

    @property
    def busy(self) -> bool:
        return self._busy.is_set()

    def export(self, grid_images, grid_step: int, history, step: int) -> bool:
        """Starts an export; False when one is already running."""
        if self._busy.is_set():
            return False
        self._busy.set()

        def work():
            try:
                self._results.put(export_files(self.folder, grid_images, grid_step, history, step))
            finally:
                self._busy.clear()

        if self._synchronous:
            work()
        else:
            threading.Thread(target=work, name="counterfeit-export", daemon=True).start()
        return True

    def results(self) -> list[ExportResult]:
        out = []
        while True:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                return out
