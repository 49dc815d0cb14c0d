"""Both losses (and the police's accuracy) over every step of the run.

The chart is drawn onto a cached surface only when the history has grown and at most ``max_hz``
times a second; a frame just blits it and, under the pointer, a readout. Long runs are binned to
one column per pixel (min..max drawn faint, the smoothed mean bold), so the cost does not grow
with the run beyond a few numpy passes.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pygame

from counterfeit_game.game import theme
from counterfeit_game.i18n import decimal, number, t
from counterfeit_game.snapshot import LossHistory

LEFT_MARGIN = 40
BOTTOM_MARGIN = 18
LEGEND_H = 22
ACC_FRACTION = 0.28  # share of the plot height given to the accuracy band


def smoothing_window(n: int) -> int:
    return int(max(1, min(n, max(5, min(400, n // 25)))))


def moving_average(values: np.ndarray, window: int, at: np.ndarray | None = None) -> np.ndarray:
    """Trailing mean over ``window`` steps (shorter at the start), O(n); ``at``: only at these rows,
    which is all a chart of a few hundred columns needs from a long run."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0 or window <= 1:
        return values.copy() if at is None else values[at]
    csum = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(1, values.size + 1) if at is None else np.asarray(at) + 1
    start = np.maximum(0, idx - window)
    return (csum[idx] - csum[start]) / (idx - start)


def nice_ceiling(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * 10 ** exponent >= value:
            return m * 10 ** exponent
    return 10 ** (exponent + 1)


def dominance_key(history: LossHistory) -> str:
    """Which plain-language note fits the recent steps (an i18n key)."""
    n = len(history)
    if n < 10:
        return "chart.note.starting"
    recent = max(10, min(200, n // 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows are reported below
        acc = float(np.nanmean(history.d_acc[-recent:]))
        g_loss = float(np.nanmean(history.g_loss[-recent:]))
        d_loss = float(np.nanmean(history.d_loss[-recent:]))
    if not (math.isfinite(acc) and math.isfinite(g_loss) and math.isfinite(d_loss)):
        return "chart.note.broken"
    if acc >= 0.9 or g_loss > 4 * max(d_loss, 1e-3):
        return "chart.note.police_dominate"
    if acc <= 0.6:
        return "chart.note.counterfeiter_dominates"
    return "chart.note.balanced"


class LossChart:
    def __init__(self, fonts, rect, max_hz: float = 10.0):
        self._fonts = fonts
        self.rect = pygame.Rect(rect)
        self._min_interval = 1.0 / max_hz
        self._surface: pygame.Surface | None = None
        self._drawn_key = None
        self._last_draw = -1e9
        self._history: LossHistory | None = None
        self._series = None  # per-column data for the readout
        self.hover_x: int | None = None
        self.redraws = 0  # for tests and benchmarks: how often the cached surface was rebuilt
        self.plot_name_rects: list[pygame.Rect] = []  # where "loss" and "accuracy" sit, in chart coordinates

    def set_rect(self, rect) -> None:
        rect = pygame.Rect(rect)
        if rect != self.rect:
            self.rect = rect
            self._drawn_key = None

    def update(self, history: LossHistory, now: float, generation: int = 0) -> None:
        key = (len(history), generation, self.rect.size)
        if key == self._drawn_key:
            return
        size_changed = self._drawn_key is None or self._drawn_key[1:] != key[1:]
        if not size_changed and now - self._last_draw < self._min_interval:
            return
        self._history = history
        self._render(history)
        self._drawn_key = key
        self._last_draw = now
        self.redraws += 1

    # -- geometry ------------------------------------------------------------------------------
    def _areas(self):
        w, h = self.rect.size
        plot_h = h - LEGEND_H - BOTTOM_MARGIN
        acc_h = max(24, int(plot_h * ACC_FRACTION))
        loss = pygame.Rect(LEFT_MARGIN, LEGEND_H, w - LEFT_MARGIN - 6, plot_h - acc_h - 8)
        acc = pygame.Rect(LEFT_MARGIN, loss.bottom + 8, loss.width, acc_h)
        return loss, acc

    def _render(self, history: LossHistory) -> None:
        fonts = self._fonts
        w, h = self.rect.size
        surf = pygame.Surface((w, h), pygame.SRCALPHA)
        loss_area, acc_area = self._areas()
        pygame.draw.rect(surf, theme.FELT_DARK, loss_area, border_radius=4)
        pygame.draw.rect(surf, theme.FELT_DARK, acc_area, border_radius=4)
        # Legend: one line, in a smaller size where the words are long (Spanish, narrow panels).
        entries = (("chart.legend.police_loss", theme.POLICE_BLUE_LIGHT),
                   ("chart.legend.counterfeiter_loss", theme.COUNTERFEITER_LIGHT),
                   ("chart.legend.accuracy", theme.ACCURACY_GREY))
        # Over the plots first; where even the smallest size is too long, also over the axis labels.
        for x0, size in [(LEFT_MARGIN, size) for size in (12, 11, 10, 9)] + [(4, 10), (4, 9)]:
            labels = [fonts.render(t(key), "body", size, theme.CREAM) for key, _ in entries]
            if x0 + sum(26 + label.get_width() for label in labels) - 6 <= w:
                break
        x = x0
        for (_, color), label in zip(entries, labels):
            pygame.draw.line(surf, color, (x, 10), (x + 16, 10), 3)
            surf.blit(label, (x + 20, 10 - label.get_height() // 2))
            x += 26 + label.get_width()
        n = len(history)
        if n == 0:
            msg = fonts.render(t("chart.waiting"), "body", 15, theme.PAPER_SHADE, max_width=loss_area.width - 16)
            surf.blit(msg, msg.get_rect(center=loss_area.center))
            self._series = None
            self._surface = surf
            return
        cols = max(2, loss_area.width)
        steps = np.asarray(history.step, dtype=np.float64)
        window = smoothing_window(n)
        data = {}
        for name, values in (("d_loss", history.d_loss), ("g_loss", history.g_loss), ("d_acc", history.d_acc)):
            data[name] = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1e3, neginf=0.0)
        if n > cols:
            # Columns by step value (the history may be thinned, so not one row per step).
            bounds = np.linspace(steps[0], steps[-1] + 1, cols + 1)
            edges = np.searchsorted(steps, bounds)
            keep = edges[1:] > edges[:-1]
            starts = edges[:-1][keep]
            index = edges[1:][keep] - 1  # each column's last row
            columns = {}
            for name, raw in data.items():
                lo = np.minimum.reduceat(raw, starts)
                hi = np.maximum.reduceat(raw, starts)
                columns[name] = (lo, hi, moving_average(raw, window, at=index))
            col_x = np.nonzero(keep)[0].astype(np.float64)
        else:
            index = np.arange(n)
            columns = {name: (raw, raw, moving_average(raw, window)) for name, raw in data.items()}
            col_x = (steps - steps[0]) / max(1.0, steps[-1] - steps[0]) * (cols - 1) if n > 1 else np.zeros(1)
        # Loss scale: robust to the first steps' spikes (a percentile of the per-column highs).
        highs = np.concatenate([columns["d_loss"][1], columns["g_loss"][1]])
        top = max(float(np.percentile(highs, 98.0)),
                  float(np.max(columns["d_loss"][2])), float(np.max(columns["g_loss"][2])))
        top = nice_ceiling(top * 1.05)
        self._draw_grid(surf, loss_area, top, acc_area)

        def y_loss(v):
            return loss_area.bottom - 1 - np.clip(v / top, 0, 1) * (loss_area.height - 2)

        def y_acc(v):
            return acc_area.bottom - 1 - np.clip(v, 0, 1) * (acc_area.height - 2)

        xs = loss_area.x + col_x
        for name, color, faint, ymap in (
            ("d_acc", theme.ACCURACY_GREY, (90, 110, 96), y_acc),
            ("d_loss", theme.POLICE_BLUE_LIGHT, (70, 96, 120), y_loss),
            ("g_loss", theme.COUNTERFEITER_LIGHT, (130, 100, 70), y_loss),
        ):
            lo, hi, smooth = columns[name]
            if n > cols:
                # The min..max band of every column, as one polygon.
                ylo, yhi = ymap(lo), ymap(hi) - 1
                outline = list(zip(xs, yhi)) + list(zip(xs[::-1], ylo[::-1]))
                pygame.draw.polygon(surf, faint, outline)
            elif n > 1:
                pygame.draw.lines(surf, faint, False, list(zip(xs, ymap(lo))))
            ys = ymap(smooth)
            if len(xs) > 1:
                points = list(zip(xs, ys))
                pygame.draw.lines(surf, color, False, points, 3)
            else:
                pygame.draw.circle(surf, color, (int(xs[0]), int(ys[0])), 3)
        self._draw_plot_names(surf, loss_area, acc_area)
        # X axis labels: first and last step.
        first = fonts.render(number(int(steps[0])), "body", 12, theme.PAPER_SHADE)
        last = fonts.render(t("chart.step_label", step=number(int(steps[-1]))), "body", 12, theme.PAPER_SHADE)
        surf.blit(first, (acc_area.x, acc_area.bottom + 2))
        surf.blit(last, (acc_area.right - last.get_width(), acc_area.bottom + 2))
        self._series = (xs, index, data, {name: column[2] for name, column in columns.items()})
        self._surface = surf

    def _draw_grid(self, surf, loss_area, top, acc_area):
        fonts = self._fonts
        for frac in (0.0, 0.5, 1.0):
            y = loss_area.bottom - 1 - frac * (loss_area.height - 2)
            pygame.draw.line(surf, theme.FELT_LINE, (loss_area.x, y), (loss_area.right, y))
            label = fonts.render(f"{top * frac:.2g}", "body", 12, theme.PAPER_SHADE)
            surf.blit(label, (LEFT_MARGIN - 6 - label.get_width(), y - label.get_height() // 2))
        y50 = acc_area.bottom - 1 - 0.5 * (acc_area.height - 2)
        for x in range(acc_area.x, acc_area.right, 8):
            pygame.draw.line(surf, theme.FELT_LINE, (x, y50), (min(x + 4, acc_area.right), y50))
        for frac, text in ((1.0, "100%"), (0.5, "50%"), (0.0, "0%")):
            y = acc_area.bottom - 1 - frac * (acc_area.height - 2)
            label = fonts.render(text, "body", 11, theme.PAPER_SHADE)
            surf.blit(label, (LEFT_MARGIN - 6 - label.get_width(), y - label.get_height() // 2))

    def _draw_plot_names(self, surf, loss_area, acc_area) -> None:
        """"loss" and "accuracy" inside their plots, drawn over the lines on a small dark plate so the
        curves never hide them."""
        fonts = self._fonts
        self.plot_name_rects = []
        for key, area, dy in (("chart.axis.loss", loss_area, 4), ("chart.axis.accuracy", acc_area, 3)):
            label = fonts.render(t(key), "bold", 11, theme.CREAM)
            plate = label.get_rect(topleft=(area.x + 6, area.y + dy)).inflate(8, 2)
            backing = pygame.Surface(plate.size, pygame.SRCALPHA)
            pygame.draw.rect(backing, (*theme.FELT_DARK, 225), backing.get_rect(), border_radius=4)
            surf.blit(backing, plate)
            surf.blit(label, label.get_rect(center=plate.center))
            self.plot_name_rects.append(plate)

    # -- pointer readout -------------------------------------------------------------------------
    def point(self, pos) -> None:
        """Follow the pointer (logical coordinates); None hides the readout."""
        if pos is None or not self.rect.collidepoint(pos):
            self.hover_x = None
        else:
            self.hover_x = pos[0] - self.rect.x

    def readout(self) -> dict | None:
        """Step and values under the pointer (raw values of that step)."""
        if self.hover_x is None or self._series is None:
            return None
        xs, index, raw, smooth = self._series
        target = self.hover_x  # both in chart-local pixels
        i = int(np.clip(np.searchsorted(xs, target), 0, len(xs) - 1))
        if i > 0 and abs(xs[i - 1] - target) < abs(xs[i] - target):
            i -= 1
        k = int(index[i])
        hist = self._history
        return {
            "x": float(xs[i]),
            "step": int(hist.step[k]),
            "d_loss": float(raw["d_loss"][k]),
            "g_loss": float(raw["g_loss"][k]),
            "d_acc": float(raw["d_acc"][k]),
            "d_loss_smooth": float(smooth["d_loss"][i]),
            "g_loss_smooth": float(smooth["g_loss"][i]),
        }

    def draw(self, surface) -> None:
        if self._surface is None:
            return
        surface.blit(self._surface, self.rect.topleft)
        info = self.readout()
        if info is None:
            return
        loss_area, acc_area = self._areas()
        x = self.rect.x + info["x"]
        pygame.draw.line(surface, theme.HELP_HIGHLIGHT, (x, self.rect.y + loss_area.y),
                         (x, self.rect.y + acc_area.bottom))
        first = self._fonts.render(t("chart.readout.step", step=number(info['step'])), "bold", 13, theme.INK)
        second = self._fonts.render(
            t("chart.readout.values", d_loss=decimal(info['d_loss'], 3), g_loss=decimal(info['g_loss'], 3),
              acc=f"{info['d_acc'] * 100:.0f}"), "body", 12, theme.INK, max_width=self.rect.width - 20)
        box = pygame.Rect(0, 0, max(first.get_width(), second.get_width()) + 16,
                          first.get_height() + second.get_height() + 8)
        box.midbottom = (int(x), self.rect.y + loss_area.y + 30)
        box.clamp_ip(self.rect)
        pygame.draw.rect(surface, theme.PAPER, box, border_radius=6)
        pygame.draw.rect(surface, theme.BRASS_DARK, box, 1, border_radius=6)
        surface.blit(first, (box.x + 8, box.y + 4))
        surface.blit(second, (box.x + 8, box.y + 4 + first.get_height()))
