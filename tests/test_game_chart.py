"""The loss chart: smoothing, binning of long runs, the readout under the pointer, redraw throttling."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from counterfeit_game.game.fonts import Fonts
from counterfeit_game.game.widgets.loss_chart import LossChart, dominance_key, moving_average, smoothing_window
from counterfeit_game.snapshot import LossHistory, frozen_array


def history(n, d_acc=0.75, start=1, stride=1):
    steps = np.arange(start, start + n * stride, stride)
    rng = np.random.default_rng(0)
    return LossHistory(frozen_array(steps, np.int64),
                       frozen_array(0.6 + 0.05 * rng.standard_normal(n), np.float32),
                       frozen_array(np.full(n, d_acc), np.float32),
                       frozen_array(1.5 + 0.2 * np.sin(steps / 50.0), np.float32))


@pytest.fixture(scope="module")
def fonts():
    pygame.init()
    return Fonts()


def test_moving_average_is_a_trailing_mean():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert moving_average(values, 2).tolist() == [1.0, 1.5, 2.5, 3.5, 4.5]
    assert moving_average(values, 1).tolist() == values.tolist()
    at = np.array([0, 3, 4])
    assert moving_average(values, 2, at=at).tolist() == [1.0, 3.5, 4.5]
    assert moving_average(values, 1, at=at).tolist() == [1.0, 4.0, 5.0]


def test_readout_reports_the_step_under_the_pointer(fonts):
    chart = LossChart(fonts, (100, 100, 440, 260))
    hist = history(50)
    chart.update(hist, now=0.0)
    assert chart.readout() is None
    xs = chart._series[0]
    chart.point((100 + int(xs[10]), 200))
    info = chart.readout()
    assert info["step"] == 11
    assert info["d_loss"] == pytest.approx(float(hist.d_loss[10]))
    assert info["g_loss"] == pytest.approx(float(hist.g_loss[10]))
    chart.point((5, 5))
    assert chart.readout() is None


def test_long_runs_are_binned_to_the_pixel_width(fonts):
    chart = LossChart(fonts, (0, 0, 440, 260))
    hist = history(200_000, stride=1)
    chart.update(hist, now=0.0)
    xs, index, _data, _top = chart._series
    assert len(xs) <= 440
    chart.point((int(xs[-1]), 100))
    info = chart.readout()
    assert info["step"] == 200_000  # the last column ends at the last step
    # The bold line is the trailing mean of the whole run at that column's last step.
    window = smoothing_window(200_000)
    assert info["g_loss_smooth"] == pytest.approx(float(np.mean(hist.g_loss[-window:])), rel=1e-6)
    thinned = history(1000, stride=2)  # a thinned history: every other step
    chart.update(thinned, now=1.0)
    chart.point((int(chart._series[0][-1]), 100))
    assert chart.readout()["step"] == int(thinned.step[-1])


def test_redraws_only_when_history_grows_and_at_most_ten_times_a_second(fonts):
    chart = LossChart(fonts, (0, 0, 400, 240), max_hz=10)
    chart.update(history(10), now=0.0)
    chart.update(history(10), now=1.0)  # same length: nothing to do
    assert chart.redraws == 1
    chart.update(history(11), now=1.05)
    assert chart.redraws == 2
    chart.update(history(12), now=1.10)  # too soon
    assert chart.redraws == 2
    chart.update(history(12), now=1.16)
    assert chart.redraws == 3


def test_plain_language_note_follows_who_dominates():
    assert dominance_key(history(5)) == "chart.note.starting"
    assert dominance_key(history(300, d_acc=0.97)) == "chart.note.police_dominate"
    assert dominance_key(history(300, d_acc=0.5)) == "chart.note.counterfeiter_dominates"
    assert dominance_key(history(300, d_acc=0.75)) == "chart.note.balanced"
    broken = history(300)
    broken = LossHistory(broken.step, frozen_array(np.full(300, np.nan), np.float32), broken.d_acc, broken.g_loss)
    assert dominance_key(broken) == "chart.note.broken"
    empty = LossHistory.empty()
    assert dominance_key(empty) == "chart.note.starting"


def test_plot_names_sit_on_top_of_the_lines(fonts):
    """Lines that run right through "loss" and "accuracy" do not print over them."""
    from counterfeit_game.game import theme

    chart = LossChart(fonts, (0, 0, 440, 260))
    n = 400
    steps = np.arange(1, n + 1)
    hist = LossHistory(frozen_array(steps, np.int64), frozen_array(np.full(n, 2.0), np.float32),
                       frozen_array(np.full(n, 1.0), np.float32),  # accuracy line along the top of its band
                       frozen_array(np.full(n, 2.0), np.float32))  # loss lines along the top of theirs
    chart.update(hist, now=0.0)
    assert len(chart.plot_name_rects) == 2
    pixels = pygame.surfarray.pixels3d(chart._surface)
    line_colors = {tuple(theme.ACCURACY_GREY), tuple(theme.POLICE_BLUE_LIGHT), tuple(theme.COUNTERFEITER_LIGHT)}
    for plate in chart.plot_name_rects:
        word = plate.inflate(-8, -2)  # the plate's rounded corners let a line peek through
        block = pixels[word.left:word.right, word.top:word.bottom].reshape(-1, 3)
        colors = {tuple(int(c) for c in p) for p in block}
        assert not colors & line_colors
        assert tuple(theme.CREAM) in colors  # the word itself is there
    del pixels
