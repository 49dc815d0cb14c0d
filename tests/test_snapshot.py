import numpy as np

from counterfeit_game.snapshot import HistoryBuffer, thin_frames, to_pixels


def test_history_views_are_frozen_and_unaffected_by_later_appends():
    buffer = HistoryBuffer()
    for step in range(5):
        buffer.append(step, 0.5, 0.5, 1.0 + step, step)
    view = buffer.view()
    for step in range(5, 3000):  # forces the arrays to grow
        buffer.append(step, 0.1, 0.9, 2.0, step)
    assert len(view) == 5 and list(view.g_loss) == [1, 2, 3, 4, 5]
    assert not view.d_loss.flags.writeable
    assert len(buffer.view()) == 3000


def test_history_is_bounded_but_spans_the_whole_run():
    buffer = HistoryBuffer(max_rows=1000)
    for chunk in range(100):
        steps = np.arange(chunk * 100, (chunk + 1) * 100)
        buffer.extend(np.column_stack([steps, steps * 0.0, steps * 0.0, steps * 0.0, steps * 0.0]))
    view = buffer.view()
    assert len(view) <= 1000
    assert view.step[0] == 0 and view.step[-1] == 9999
    assert np.all(np.diff(view.step) > 0)
    assert np.all(np.diff(view.step)[-400:] == 1), "recent steps stay at full resolution"


def test_thin_frames_keeps_first_and_latest():
    frames = list(range(300))
    thinned = thin_frames(frames, 240)
    assert thinned[0] == 0 and thinned[-150:] == list(range(150, 300))
    assert len(thinned) <= 240


def test_to_pixels_maps_minus_one_to_black_and_one_to_white():
    pixels = to_pixels(np.array([[-1.0, 0.0, 1.0]]).reshape(1, 1, 3, 1))
    assert pixels.dtype == np.uint8 and pixels.tolist() == [[[0, 128, 255]]]


def test_atomic_files_follow_the_umask_not_private(tmp_path):
    import os

    from counterfeit_game.atomic import atomic_write_text

    path = tmp_path / "shared.csv"
    atomic_write_text(path, "a,b\n")
    current = os.umask(0)
    os.umask(current)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~current)
    assert path.read_text() == "a,b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["shared.csv"], "no temporary file left behind"


def test_rows_after_a_step_survive_thinning():
    buffer = HistoryBuffer(max_rows=100)
    seen = -1
    received = []
    for chunk in range(40):  # thinning happens between reads, as in a worker publishing 20 times a second
        steps = np.arange(chunk * 7, (chunk + 1) * 7)
        buffer.extend(np.column_stack([steps, steps * 0.5, steps * 0.0, steps * 0.0, steps * 0.0]))
        new = buffer.rows_after(seen)
        received.extend(int(s) for s in new[:, 0])
        seen = received[-1]
    assert received == list(range(280)), "every row reaches the reader exactly once"
    assert buffer.rows_after(279).shape == (0, 5)
