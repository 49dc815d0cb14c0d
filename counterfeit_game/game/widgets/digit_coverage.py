"""The "digits the counterfeiter can forge" panel: ten tiles, lit for each digit it has mastered.

A digit is lit when the examiner confidently reads it on at least 2% of the counterfeits (the
coverage rule in quality.py). The report carries the count (``coverage``) and the confident reads
per digit (``histogram``); because the rule is a threshold on those counts, the lit digits are
exactly the ``coverage`` digits with the most reads. Under each tile a bar shows that digit's share
of the confident reads, so mode collapse (one tall bar) is visible at a glance.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from counterfeit_game.game import theme
from counterfeit_game.game.widgets.draw import panel
from counterfeit_game.i18n import get_language, t
from counterfeit_game.snapshot import QualityReport

READ_CONFIDENT = 0.95  # same as quality.CONFIDENT (not imported: quality.py belongs to the worker)
FULL_BAR_SHARE = 0.2  # a digit with a fifth of all confident reads fills its bar
PULSE_S = 1.2  # a newly forged digit glows this long


def forged_digits(report: QualityReport | None) -> tuple[bool, ...]:
    """Which digits 0..9 count as forged in this report."""
    if report is None or report.coverage <= 0:
        return (False,) * 10
    counts = np.asarray(report.histogram[:10], np.int64)
    counts = np.pad(counts, (0, 10 - len(counts)))
    threshold = np.sort(counts)[::-1][min(9, report.coverage - 1)]
    return tuple(bool(c >= threshold and c > 0) for c in counts)


def looks_collapsed(report: QualityReport | None) -> bool:
    """Few digits, one of them dominating, examiner sure: the counterfeiter is stuck in a rut."""
    if report is None or not 1 <= report.coverage <= 3 or report.confidence < 0.7:
        return False
    counts = np.asarray(report.histogram, np.float64)
    return counts.sum() > 0 and counts.max() / counts.sum() >= 0.5


def reading_text(digit: int, confidence: float, short: bool = False) -> str:
    """The reveal line of a guessing round: what the examiner reads on one bill."""
    if not math.isfinite(confidence) or confidence < READ_CONFIDENT:
        return t("quality.reveal.unreadable")
    return t("quality.reveal.looks_like" if short else "quality.reveal.reads_as", digit=int(digit))


class DigitCoverage:
    """``draw(surface, rect, report)``; ``update(dt)`` runs the glow of newly forged digits."""

    def __init__(self, fonts):
        self._fonts = fonts
        self._key = None
        self._surface: pygame.Surface | None = None
        self._tiles: list[pygame.Rect] = []
        self._lit: tuple[bool, ...] = (False,) * 10
        self._generation_lit: tuple[bool, ...] | None = None
        self.pulses = [0.0] * 10  # seconds of glow left per digit
        self.renders = 0
        self.waiting: str | None = None  # the footer until the first report; None: the catalog's default

    @property
    def glowing(self) -> bool:
        return any(p > 0 for p in self.pulses)

    def update(self, dt: float) -> None:
        self.pulses = [max(0.0, p - max(0.0, dt)) for p in self.pulses]

    def _note_report(self, report: QualityReport | None) -> None:
        lit = forged_digits(report)
        if report is not None and self._generation_lit is not None:
            for digit in range(10):
                if lit[digit] and not self._generation_lit[digit]:
                    self.pulses[digit] = PULSE_S
        if report is None:
            self.pulses = [0.0] * 10
        self._generation_lit = lit if report is not None else None
        self._lit = lit

    def draw(self, surface: pygame.Surface, rect, report: QualityReport | None) -> None:
        rect = pygame.Rect(rect)
        key = (rect.size, get_language(), report, self.waiting)
        if key != self._key:
            if report != (self._key[2] if self._key else None):
                self._note_report(report)
            self._surface, self._tiles = self._render(rect.size, report)
            self._key = key
            self.renders += 1
        surface.blit(self._surface, rect.topleft)
        for digit, left in enumerate(self.pulses):
            if left > 0 and digit < len(self._tiles):
                glow = self._tiles[digit].move(rect.topleft).inflate(6, 6)
                width = max(2, int(4 * left / PULSE_S) + 1)
                pygame.draw.rect(surface, theme.HELP_HIGHLIGHT, glow, width, border_radius=8)

    # -- the cached panel -----------------------------------------------------------------------
    def _render(self, size, report: QualityReport | None):
        fonts = self._fonts
        surf = pygame.Surface(size, pygame.SRCALPHA)
        content = panel(surf, surf.get_rect(), fonts, t("quality.coverage.title"))
        footer_h = 18
        gap = max(3, content.width // 90)
        tile_w = (content.width - 9 * gap) // 10
        bar_h = max(4, min(10, content.height // 12))
        tile_h = max(16, min(int(tile_w * 1.25), content.height - footer_h - bar_h - 10))
        top = content.y
        lit = forged_digits(report)
        counts = np.zeros(10) if report is None else np.asarray(report.histogram[:10], np.float64)
        total = counts.sum()
        tiles = []
        digit_size = max(12, int(tile_h * 0.7))
        for digit in range(10):
            x = content.x + digit * (tile_w + gap)
            tile = pygame.Rect(x, top, tile_w, tile_h)
            tiles.append(tile)
            if lit[digit]:
                pygame.draw.rect(surf, theme.BILL_PAPER, tile, border_radius=6)
                pygame.draw.rect(surf, theme.BILL_BORDER, tile, 2, border_radius=6)
                ink = theme.BILL_INK
            else:
                pygame.draw.rect(surf, theme.BAR_BG, tile, border_radius=6)
                pygame.draw.rect(surf, theme.FELT_LINE, tile, 1, border_radius=6)
                ink = theme.DISABLED_TEXT
            glyph = fonts.render(str(digit), "display", digit_size, ink, max_width=tile_w - 4)
            surf.blit(glyph, glyph.get_rect(center=tile.center))
            bar = pygame.Rect(x, tile.bottom + 4, tile_w, bar_h)
            pygame.draw.rect(surf, theme.BAR_BG, bar, border_radius=bar_h // 2)
            share = counts[digit] / total if total > 0 else 0.0
            fill = int(round(bar.width * min(1.0, share / FULL_BAR_SHARE)))
            if fill > 0:
                color = theme.REAL_GREEN if lit[digit] else theme.ACCURACY_GREY
                pygame.draw.rect(surf, color, (bar.x, bar.y, fill, bar.height),
                                 border_radius=bar_h // 2)

        footer_y = top + tile_h + bar_h + 8
        footer = pygame.Rect(content.x, footer_y, content.width, content.bottom - footer_y)
        if report is None:
            text, color = self.waiting or t("quality.coverage.waiting"), theme.ACCURACY_GREY
        elif looks_collapsed(report):
            text, color = t("quality.coverage.collapse"), theme.COUNTERFEITER_LIGHT
        elif report.coverage >= 10:
            text, color = t("quality.coverage.all"), theme.CREAM
        elif report.coverage <= 0:
            text, color = t("quality.coverage.none"), theme.CREAM
        else:
            text, color = t("quality.coverage.count", coverage=report.coverage), theme.CREAM
        right = None
        if report is not None and math.isfinite(report.confidence):
            right = fonts.render(
                t("quality.coverage.confidence", percent=f"{100 * report.confidence:.0f}"),
                "body", 12, theme.ACCURACY_GREY,
            )
            surf.blit(right, right.get_rect(midright=(footer.right, footer.centery)))
        room = footer.width - (right.get_width() + 12 if right is not None else 0)
        label = fonts.render(text, "bold", 14, color, max_width=max(20, room))
        surf.blit(label, label.get_rect(midleft=(footer.x, footer.centery)))
        return surf, tiles
