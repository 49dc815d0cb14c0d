"""Errors that reach a person as one clear line instead of a traceback, and the shared handling of
files that cannot be used: reading one or explaining why not, and moving a bad one aside."""

from __future__ import annotations

import glob
import os
import re
import stat
import time
from pathlib import Path


class UserFacingError(Exception):
    """A problem the user can fix (bad file, bad option); the CLI prints it and exits with 2."""

    exit_code = 2
    reason: str | None = None  # set by read_bytes and file_size: MISSING, FOLDER, SPECIAL, ...


class DataError(UserFacingError):
    """A dataset file is missing, corrupt or not what its name says."""


class CheckpointError(UserFacingError):
    """A checkpoint cannot be read or does not fit the current model."""


class ConfigError(UserFacingError):
    """A configuration file has an unknown key or a bad value."""


def problem_list(where: str, problems: list[str]) -> str:
    """One problem as one line (``WHERE: problem``); several as a heading and one indented line
    each, so that the CLI's ``counterfeit-game: `` prefix heads the whole list."""
    if len(problems) == 1:
        return f"{where}: {problems[0]}"
    return "\n".join([f"{where}: {len(problems)} problems:"] + [f"  {p}" for p in problems])


# --- reading ------------------------------------------------------------------------------------

# Why read_bytes/file_size refused a file, as the ``reason`` attribute of the error they raise, for
# callers that treat the cases differently (a missing score file is no problem, a huge one is corrupt).
MISSING, FOLDER, SPECIAL, TOO_LARGE, UNREADABLE = "missing", "folder", "special", "too large", "unreadable"

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block the open
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def describe_size(size: int) -> str:
    """A byte count as people write it: 980 bytes, 12.5 kB, 1.2 MB, 23 GB."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            value = size / scale
            shown = f"{value:.1f}" if value < 100 else f"{value:.0f}"
            return f"{shown.removesuffix('.0')} {unit}"
    return f"{size} bytes"


def _refusal(error: type[UserFacingError], message: str, reason: str) -> UserFacingError:
    refused = error(message)
    refused.reason = reason
    return refused


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def _check(path: Path, info: os.stat_result, error, what: str, limit: int | None) -> int:
    if stat.S_ISDIR(info.st_mode):
        raise _refusal(error, f"{path}: is a folder, not a {what}", FOLDER)
    if not stat.S_ISREG(info.st_mode):
        kind = _kind(info.st_mode)
        tail = "" if what == "file" else f"; a {what} must be one"
        raise _refusal(error, f"{path}: is {kind}, not an ordinary file{tail}", SPECIAL)
    if limit is not None and info.st_size > limit:
        raise _too_large(path, error, what, limit, info.st_size)
    return info.st_size


def _too_large(path: Path, error, what: str, limit: int, size: int | None) -> UserFacingError:
    most = describe_size(limit)
    if size is None:  # a file whose size the system does not know (/proc): more came than allowed
        shown = f"more than {most}"
    else:
        shown = describe_size(size)
        if shown == most:  # just over the limit: the rounded figures would read as equal
            shown, most = f"{size:,} bytes", f"{limit:,} bytes"
    return _refusal(error, f"{path}: is {shown}, too large to be a {what} (at most {most})", TOO_LARGE)


def _os_refusal(path: Path, exc: OSError, error, what: str) -> UserFacingError:
    if isinstance(exc, FileNotFoundError):
        return _refusal(error, f"{path}: {what} not found", MISSING)
    if isinstance(exc, IsADirectoryError):
        return _refusal(error, f"{path}: is a folder, not a {what}", FOLDER)
    return _refusal(error, f"{path}: cannot read the {what} ({exc.strerror or exc})", UNREADABLE)


def file_size(path, error: type[UserFacingError], what: str = "file", limit: int | None = None) -> int:
    """The size of an ordinary file that another reader will open (np.load, say), or ``error``
    (with ``reason``) if it is missing, a folder, a device or pipe (which could block or never
    end), or over ``limit`` bytes."""
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _os_refusal(path, exc, error, what) from None
    return _check(path, info, error, what, limit)


def read_bytes(path, error: type[UserFacingError], what: str = "file", limit: int | None = None) -> bytes:
    """A file's bytes, or ``error`` with one line that says what went wrong (``reason`` says which).

    Only ordinary files are read: a FIFO would wait for a writer and a device such as /dev/zero
    would never end. With ``limit`` a file over that many bytes is refused before it is read, and at
    most ``limit + 1`` bytes are ever read, whatever the file claims its size is. Without one, for
    files that are legitimately big, the file is still refused unless it is an ordinary one.
    """
    path = Path(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _os_refusal(path, exc, error, what) from None
    try:
        _check(path, os.fstat(fd), error, what, limit)
        try:
            os.set_blocking(fd, True)  # an ordinary file: normal reads from here on
        except (AttributeError, OSError):
            pass
        handle = os.fdopen(fd, "rb")
    except BaseException as exc:
        os.close(fd)
        if isinstance(exc, OSError):
            raise _os_refusal(path, exc, error, what) from None
        raise
    with handle:
        try:
            data = handle.read() if limit is None else handle.read(limit + 1)
        except OSError as exc:
            raise _os_refusal(path, exc, error, what) from None
    if limit is not None and len(data) > limit:
        raise _too_large(path, error, what, limit, None)
    return data


def folder_problem(path: Path) -> str | None:
    """Why ``path`` can never be a folder (it, or a folder above it, is a file), or None."""
    for candidate in (path, *path.parents):
        try:
            if candidate.is_dir():
                return None
            if not (candidate.exists() or candidate.is_symlink()):
                continue
        except OSError:
            return None  # unreadable: mkdir will say why, if it fails at all
        label = "a file, not a folder" if candidate.is_file() else "not a folder"
        if candidate == path:
            return f"{path} is {label}"
        return f"cannot create folder {path}: {candidate} is {label}"
    return None


# --- moving a bad file aside --------------------------------------------------------------------

SET_ASIDE_KEPT = 3  # set-aside files kept for a person to look at, oldest deleted beyond this
SET_ASIDE_STAMP = "%Y%m%d-%H%M%S"  # local time, as the log lines beside them
# NAME.WHY-YYYYMMDD-HHMMSS[-N]; and NAME.WHY-<unix seconds>, as older versions named them.
_SET_ASIDE_NAME = re.compile(r".+\.[a-z]+-(?:(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?|\d+)")


def set_aside_name(name: str, why: str, when: float) -> str:
    """``scores.json`` -> ``scores.json.corrupt-20261204-083456`` (``when`` in unix seconds)."""
    return f"{name}.{why}-{time.strftime(SET_ASIDE_STAMP, time.localtime(when))}"


def set_aside(path, why: str, when: float, keep: int = SET_ASIDE_KEPT, group: str | None = None) -> Path:
    """Move a file that cannot be used out of the way, beside itself, as ``NAME.WHY-<date>-<time>``
    (``-2``, ``-3``... for a second one in the same second), for a person to look at.

    The set-aside files of ``group`` (a glob in the same folder; by default ``NAME.*``) are then
    capped at the newest ``keep``, so a fault that recurs for weeks cannot fill the disk. Raises
    OSError when the file cannot be moved; the caller decides whether to delete it instead.
    """
    path = Path(path)
    base = set_aside_name(path.name, why, when)
    target, number = path.with_name(base), 2
    while target.exists():
        target, number = path.with_name(f"{base}-{number}"), number + 1
    os.replace(path, target)
    prune_set_aside(path.parent, group or f"{glob.escape(path.name)}.*", keep)
    return target


def prune_set_aside(folder, pattern: str, keep: int = SET_ASIDE_KEPT) -> list[Path]:
    """Delete all but the newest ``keep`` set-aside files matching ``pattern`` in ``folder``
    (newest by the time in their names; those in the old unix-seconds form count as oldest)."""
    found = []
    for candidate in Path(folder).glob(pattern):
        match = _SET_ASIDE_NAME.fullmatch(candidate.name)
        if match is None or not candidate.is_file():
            continue
        try:
            mtime = candidate.stat().st_mtime
        except OSError:
            continue
        found.append(((match["stamp"] or "", int(match["n"] or 1), mtime), candidate))
    removed = []
    for _, old in sorted(found, key=lambda item: item[0], reverse=True)[max(0, keep):]:
        try:
            old.unlink()
            removed.append(old)
        except OSError:
            pass
    return removed
