"""The shared "read or explain" helper behind the data loader, the kiosk config and the scores, and
the one way a bad file is moved aside."""

import os
import time
from pathlib import Path

import pytest
from conftest import unwritten_fifo

from counterfeit_game import errors
from counterfeit_game.errors import (
    FOLDER,
    MISSING,
    SPECIAL,
    TOO_LARGE,
    ConfigError,
    DataError,
    describe_size,
    file_size,
    problem_list,
    prune_set_aside,
    read_bytes,
    set_aside,
)


def stamp(when: float) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(when))


def test_reads_a_file(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"\x00\x01")
    assert read_bytes(path, DataError) == b"\x00\x01"
    assert read_bytes(path, DataError, limit=2) == b"\x00\x01"  # exactly the limit is fine


@pytest.mark.parametrize("error, what", [(DataError, "file"), (ConfigError, "kiosk config")])
def test_missing_file_and_folder_are_one_line_of_the_callers_kind(tmp_path, error, what):
    with pytest.raises(error, match=f"nothing.toml: {what} not found$") as caught:
        read_bytes(tmp_path / "nothing.toml", error, what)
    assert caught.value.reason == MISSING
    with pytest.raises(error, match=f"is a folder, not a {what}$") as caught:
        read_bytes(tmp_path, error, what)
    assert caught.value.reason == FOLDER


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(23_000_000)  # sparse: 23 MB that take no disk
    reads = []
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: reads.append(a) or real_fdopen(*a, **k))
    with pytest.raises(ConfigError) as caught:
        read_bytes(path, ConfigError, "kiosk config", limit=1_000_000)
    assert str(caught.value) == f"{path}: is 23 MB, too large to be a kiosk config (at most 1 MB)"
    assert caught.value.reason == TOO_LARGE and reads == []


def test_just_over_the_limit_shows_the_bytes(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * 1_000_001)
    with pytest.raises(ConfigError, match=r"is 1,000,001 bytes, too large to be a kiosk config "
                                          r"\(at most 1,000,000 bytes\)$"):
        read_bytes(path, ConfigError, "kiosk config", limit=1_000_000)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_a_file_that_reports_no_size_is_read_no_further_than_the_limit():
    # /proc files are ordinary files of size 0 that produce text when read: only the bytes read count.
    with pytest.raises(DataError, match=r"/proc/self/maps: is more than 10 bytes, too large to be a file") as caught:
        read_bytes(Path("/proc/self/maps"), DataError, limit=10)
    assert caught.value.reason == TOO_LARGE


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it():
    with pytest.raises(ConfigError) as caught:
        read_bytes(Path("/dev/zero"), ConfigError, "kiosk config", limit=1_000_000)
    assert str(caught.value) == "/dev/zero: is a device, not an ordinary file; a kiosk config must be one"
    assert caught.value.reason == SPECIAL
    with pytest.raises(DataError, match=r"^/dev/zero: is a device, not an ordinary file$"):
        file_size(Path("/dev/zero"), DataError)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("limit", [None, 1000])  # without a limit (big files) pipes are refused too
def test_a_named_pipe_is_refused_at_once(tmp_path, limit):
    began = time.monotonic()
    with unwritten_fifo(tmp_path / "pipe") as path, \
            pytest.raises(DataError, match=r"pipe: is a named pipe, not an ordinary file$") as caught:
        read_bytes(path, DataError, limit=limit)
    assert caught.value.reason == SPECIAL and time.monotonic() - began < 5


def test_sizes_read_as_people_write_them():
    assert [describe_size(n) for n in (980, 12_500, 1_000_000, 1_234_567, 23_000_000_000, 123_400_000)] == [
        "980 bytes", "12.5 kB", "1 MB", "1.2 MB", "23 GB", "123 MB"]


def test_one_problem_is_one_line_several_are_a_heading_and_indented_lines():
    assert problem_list("kiosk.toml", ["a: bad"]) == "kiosk.toml: a: bad"
    assert problem_list("kiosk.toml", ["a: bad", "b: worse"]).splitlines() == [
        "kiosk.toml: 2 problems:", "  a: bad", "  b: worse"]


# --- set aside --------------------------------------------------------------------------------


def test_set_aside_names_the_file_by_local_date_and_time(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text("{not json")
    when = 1_796_373_288.0
    target = set_aside(path, "corrupt", when)
    assert target.name == f"scores.json.corrupt-{stamp(when)}"
    assert len(stamp(when)) == 15 and target.read_text() == "{not json" and not path.exists()
    path.write_text("again")  # a second one in the same second is not lost
    assert set_aside(path, "corrupt", when).name == f"scores.json.corrupt-{stamp(when)}-2"
    assert target.read_text() == "{not json"


def test_set_aside_keeps_the_newest_few_of_its_group(tmp_path):
    legacy = tmp_path / "scores.json.corrupt-1796373288"  # as older versions named them
    legacy.write_text("old")
    other = tmp_path / "notes.txt.corrupt-20200101-000000"
    other.write_text("someone else's")
    path = tmp_path / "scores.json"
    names = []
    for index in range(5):
        path.write_text(str(index))
        # Written in reverse order of time: the names, not the files' dates, say which is newest.
        os.utime(path, (2e9 - index * 1000, 2e9 - index * 1000))
        names.append(set_aside(path, "corrupt", 1.7e9 + 3600 * index).name)
    left = sorted(p.name for p in tmp_path.glob("scores.json.*"))
    assert left == sorted(names[-errors.SET_ASIDE_KEPT:])
    assert other.exists()


def test_prune_leaves_files_that_are_not_set_aside(tmp_path):
    (tmp_path / "kiosk-000003.npz").write_bytes(b"good")
    (tmp_path / ".kiosk-000003.npz.abc-1.tmp").write_bytes(b"half")
    for index in range(3):
        (tmp_path / f"kiosk-00000{index}.npz.failed-2026010{index + 1}-120000").write_bytes(b"bad")
    removed = prune_set_aside(tmp_path, "*.npz.*", keep=1)
    assert sorted(p.name for p in removed) == ["kiosk-000000.npz.failed-20260101-120000",
                                               "kiosk-000001.npz.failed-20260102-120000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".kiosk-000003.npz.abc-1.tmp", "kiosk-000002.npz.failed-20260103-120000", "kiosk-000003.npz"]

