"""Best scores on disk: atomic, ranked, and a corrupt file is set aside, never fatal."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
from conftest import unwritten_fifo

from counterfeit_game.game.scores import RoundResult, ScoreStore


def aside(when: float) -> str:
    """The name a corrupt score file is moved to: the same date-time form as the checkpoints'."""
    return "scores.json.corrupt-" + time.strftime("%Y%m%d-%H%M%S", time.localtime(when))


def result(correct, police=5, streak=2, when=1.0):
    return RoundResult(correct=correct, total=10, police_correct=police, fakes_caught=correct // 2,
                       fakes_total=5, reals_passed=correct - correct // 2, reals_total=5,
                       best_streak=streak, step=100, when=when)


def test_records_rank_and_persist(tmp_path):
    path = tmp_path / "scores.json"
    store = ScoreStore(path)
    assert store.record(result(6, when=1)) == 0
    assert store.record(result(9, police=7, streak=5, when=2)) == 0
    assert store.record(result(3, when=3)) == 2
    reopened = ScoreStore(path)
    assert [e["correct"] for e in reopened.board.best] == [9, 6, 3]
    assert reopened.board.rounds_played == 3
    assert reopened.board.rounds_beating_police == 2  # 6 > 5 and 9 > 7
    assert reopened.board.best_streak == 5
    assert [p.name for p in tmp_path.iterdir()] == ["scores.json"]  # no temp files left behind


def test_only_the_best_five_are_kept(tmp_path):
    store = ScoreStore(tmp_path / "s.json")
    ranks = [store.record(result(c, when=i)) for i, c in enumerate([1, 2, 3, 4, 5, 6, 0])]
    assert ranks[-1] is None
    assert [e["correct"] for e in store.board.best] == [6, 5, 4, 3, 2]


def test_corrupt_file_is_moved_aside_with_a_log_line(tmp_path, caplog):
    path = tmp_path / "scores.json"
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING):
        store = ScoreStore(path, now=lambda: 1234.0)
    assert store.board.best == []
    assert (tmp_path / aside(1234.0)).read_text() == "{not json"
    assert not path.exists()
    assert "corrupt" in caplog.text
    store.record(result(7))
    assert json.loads(path.read_text())["best"][0]["correct"] == 7


def test_wrongly_shaped_entries_count_as_corrupt(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"best": [{"correct": 3, "unknown_field": 1}]}))
    store = ScoreStore(path, now=lambda: 5.0)
    assert store.board.best == []
    assert (tmp_path / aside(5.0)).exists()


def test_unwritable_folder_is_not_fatal(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = ScoreStore(blocker / "scores.json")  # a folder that cannot exist
    assert store.record(result(4)) == 0
    assert store.save() is False


@pytest.mark.parametrize("change", [{"correct": "9"}, {"total": None}, {"correct": True}, {"when": "today"},
                                    {"correct": 11}, {"best_streak": -2}, {"step": 1e300}])
def test_hand_edited_values_count_as_corrupt_and_the_next_round_still_saves(tmp_path, change):
    from dataclasses import asdict

    path = tmp_path / "scores.json"
    entry = {**asdict(result(6)), **change}
    path.write_text(json.dumps({"best": [entry], "best_streak": 2}))
    store = ScoreStore(path, now=lambda: 7.0)
    assert store.board.best == []
    assert (tmp_path / aside(7.0)).exists()  # kept for a person to look at
    assert store.record(result(8)) == 0  # where a text "9" used to crash the sort
    assert json.loads(path.read_text())["best"][0]["correct"] == 8


def test_a_top_level_count_out_of_range_counts_as_corrupt(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text('{"best": [], "rounds_played": 1e999}')
    store = ScoreStore(path, now=lambda: 8.0)
    assert store.board.rounds_played == 0 and (tmp_path / aside(8.0)).exists()


def test_a_save_cut_off_by_a_power_cut_costs_nothing(tmp_path):
    """What a power cut mid-save leaves: the old file whole and a temporary beside it."""
    path = tmp_path / "scores.json"
    ScoreStore(path).record(result(7, when=1))
    unfinished = tmp_path / ".scores.json.k3x9.tmp"
    unfinished.write_text('{"version": 1, "best": [{"corr')  # half of the next save
    other = tmp_path / ".other.json.a1.tmp"
    other.write_text("someone else's")
    reopened = ScoreStore(path)
    assert [e["correct"] for e in reopened.board.best] == [7]
    assert not unfinished.exists()
    assert other.exists()  # only the score file's own leftovers are ours to remove


def test_set_aside_score_files_are_capped(tmp_path):
    path = tmp_path / "scores.json"
    (tmp_path / "scores.json.corrupt-1796373288").write_text("from an older version")
    for day in range(5):
        path.write_text("{not json")
        ScoreStore(path, now=lambda day=day: 1.7e9 + 86400 * day)
    assert sorted(p.name for p in tmp_path.glob("scores.json.*")) == [aside(1.7e9 + 86400 * d) for d in (2, 3, 4)]


def test_a_huge_score_file_is_set_aside_unread(tmp_path, caplog):
    path = tmp_path / "scores.json"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB of nothing, never a score table
    with caplog.at_level(logging.WARNING):
        store = ScoreStore(path, now=lambda: 9.0)
    assert store.board.best == [] and not path.exists()
    assert (tmp_path / aside(9.0)).stat().st_size == 50_000_000
    assert "is 50 MB, too large to be a best-scores file" in caplog.text
    assert store.record(result(6)) == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_for_scores_does_not_hang_the_game(tmp_path, caplog):
    began = time.monotonic()
    with unwritten_fifo(tmp_path / "scores.json", rescue=b"{}") as path, caplog.at_level(logging.WARNING):
        store = ScoreStore(path)
    assert time.monotonic() - began < 5
    assert store.board.best == [] and "is a named pipe, not an ordinary file" in caplog.text
    assert not list(tmp_path.glob("scores.json.corrupt-*"))  # nothing of ours to keep
    assert store.record(result(5)) == 0 and path.is_file()  # the first save puts a real file there
