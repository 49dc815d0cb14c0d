"""Matplotlib pictures for `train` and the game's exports: sample grids and loss plots.

Uses matplotlib's object API with the Agg canvas, not pyplot: no global figure state, so it is
safe from the game's UI thread and from the training worker alike.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from counterfeit_game.atomic import atomic_write_bytes

ATTRIBUTION = "Digits learned from MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0"


def _as_unit_images(images) -> np.ndarray:
    """uint8 0..255 or float [-1, 1] images, (n, 28, 28[, 1]) -> float (n, 28, 28) in [0, 1]."""
    array = np.asarray(images)
    if array.ndim == 4:
        array = array[..., 0]
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    return np.clip(0.5 * array.astype(np.float32) + 0.5, 0.0, 1.0)


def _save_figure(figure: Figure, path: str | Path, dpi: int) -> Path:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def save_sample_grid(images, path: str | Path, title: str | None = None, side: int = 5, dpi=100) -> Path:
    """A side x side grid of bills in gray, as the original script's sample_images()."""
    unit = _as_unit_images(images)
    figure = Figure(figsize=(5, 5.3 if title else 5))
    axes = figure.subplots(side, side)
    for index, axis in enumerate(np.ravel(axes)):
        if index < len(unit):
            axis.imshow(unit[index], cmap="gray", vmin=0.0, vmax=1.0)
        axis.axis("off")
    if title:
        figure.suptitle(title)
    return _save_figure(figure, path, dpi)


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average, same length as the input (shorter windows at the start)."""
    values = np.asarray(values, np.float64)
    if len(values) == 0 or window <= 1:
        return values
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    return (cumulative[1:] - cumulative[np.arange(1, len(values) + 1) - counts]) / counts


def save_loss_plot(history, path: str | Path, title: str = "Counterfeiter vs police", dpi=100) -> Path:
    """Both losses (raw faint, smoothed bold) and the police's accuracy, over training steps.

    ``history`` is anything with step, d_loss, d_acc and g_loss arrays (LossHistory).
    """
    steps = np.asarray(history.step)
    d_loss, g_loss = np.asarray(history.d_loss), np.asarray(history.g_loss)
    d_acc = np.asarray(history.d_acc)
    window = max(1, len(steps) // 50)
    figure = Figure(figsize=(8, 6))
    loss_axis, acc_axis = figure.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    for values, colour, label in (
        (d_loss, "tab:blue", "police (discriminator) loss"),
        (g_loss, "tab:red", "counterfeiter (generator) loss"),
    ):
        loss_axis.plot(steps, values, color=colour, alpha=0.25, linewidth=0.8)
        loss_axis.plot(steps, smooth(values, window), color=colour, linewidth=2.0, label=label)
    loss_axis.set_ylabel("loss (binary cross-entropy)")
    loss_axis.set_title(title)
    loss_axis.legend(loc="upper right")
    loss_axis.grid(alpha=0.3)
    acc_axis.plot(steps, 100 * d_acc, color="tab:green", alpha=0.25, linewidth=0.8)
    acc_axis.plot(steps, 100 * smooth(d_acc, window), color="tab:green", linewidth=2.0)
    acc_axis.set_ylabel("police accuracy %")
    acc_axis.set_ylim(-3, 103)  # a line at 100% must not hide under the frame
    acc_axis.set_xlabel("training step")
    acc_axis.grid(alpha=0.3)
    figure.text(0.99, 0.005, ATTRIBUTION, ha="right", va="bottom", fontsize=7, color="gray")
    figure.tight_layout(rect=(0, 0.02, 1, 1))
    return _save_figure(figure, path, dpi)
