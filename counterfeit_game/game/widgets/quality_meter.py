"""The "forgery quality" gauge: the examiner's 0-100 score of the counterfeits (quality.py).

Reports arrive every few seconds; the needle eases towards each new score so a visitor sees it
move rather than jump. The panel, its scale and its texts are rendered once per size, language
and report; a frame blits that surface and draws the needle (two rectangles).
"""

from __future__ import annotations

import math

import pygame

from counterfeit_game.game import theme
from counterfeit_game.game.widgets.draw import panel
from counterfeit_game import i18n
from counterfeit_game.i18n import decimal, get_language, number, t
from counterfeit_game.snapshot import QualityReport

# Score bands -> i18n keys "quality.band.<i>": the lower bound of each band, named after what the
# bills look like there (FED above 220, 120, 80, 32, 9 and below; real digits score 90 to 100).
BAND_FLOORS = (0.0, 12.0, 24.0, 32.0, 50.0, 75.0)
EASE_RATE = 4.0  # per second: the needle covers ~98% of a change in one second
SETTLE = 0.25  # score points (under a pixel): the needle snaps home, so the frames stop being drawn


def band_index(score: float) -> int:
    index = 0
    for i, floor in enumerate(BAND_FLOORS):
        if score >= floor:
            index = i
    return index


def band_text(score: float) -> str:
    return t(f"quality.band.{band_index(score)}")


def _mix(a, b, f):
    return tuple(int(round(x + (y - x) * f)) for x, y in zip(a, b))


def score_color(score: float):
    """Red for scribbles, brass halfway, green for convincing forgeries."""
    f = max(0.0, min(1.0, score / 100.0))
    if f < 0.5:
        return _mix(theme.FAKE_RED, theme.BRASS, f / 0.5)
    return _mix(theme.BRASS, theme.REAL_GREEN, (f - 0.5) / 0.5)


def format_fed(fed: float) -> str:
    if not math.isfinite(fed):
        return "∞"
    return number(round(fed)) if fed >= 100 else decimal(fed, 1)


class QualityMeter:
    """``draw(surface, rect, report)``; ``update(dt)`` animates the needle (optional)."""

    def __init__(self, fonts, animate: bool = True):
        self._fonts = fonts
        self.animate = animate
        self.shown: float | None = None  # the needle's score now (eases towards the report)
        self._target: float | None = None
        self._static_key = None
        self._static: pygame.Surface | None = None
        self._bar: pygame.Rect | None = None
        self.renders = 0  # how often the cached panel was rebuilt (tests, benchmarks)
        self.waiting: str | None = None  # shown until the first report; None: the catalog's default

    @property
    def moving(self) -> bool:
        """Whether the needle is still easing towards the newest score (the frame must be drawn)."""
        return self._target is not None and self.shown is not None and self.shown != self._target

    def update(self, dt: float) -> None:
        if self._target is None or self.shown is None:
            return
        self.shown += (self._target - self.shown) * (1.0 - math.exp(-EASE_RATE * max(0.0, dt)))
        if abs(self._target - self.shown) < SETTLE:
            self.shown = self._target

    def _set_report(self, report: QualityReport | None) -> None:
        if report is None:
            self._target = self.shown = None
            return
        score = max(0.0, min(100.0, float(report.score))) if math.isfinite(report.score) else 0.0
        if self.shown is None or not self.animate:
            self.shown = score
        self._target = score

    def draw(self, surface: pygame.Surface, rect, report: QualityReport | None) -> None:
        rect = pygame.Rect(rect)
        self._set_report(report)
        key = (rect.size, get_language(), report, self.waiting)
        if key != self._static_key:
            self._static, self._bar = self._render(rect.size, report)
            self._static_key = key
            self.renders += 1
        surface.blit(self._static, rect.topleft)
        if self.shown is not None and self._bar is not None:
            bar = self._bar.move(rect.topleft)
            fill = int(round(bar.width * self.shown / 100.0))
            if fill > 0:
                pygame.draw.rect(surface, score_color(self.shown), (bar.x, bar.y, fill, bar.height),
                                 border_radius=bar.height // 2)
            x = bar.x + fill
            pygame.draw.rect(surface, theme.CREAM, (x - 2, bar.y - 4, 4, bar.height + 8),
                             border_radius=2)

    # -- the cached panel -----------------------------------------------------------------------
    def _render(self, size, report: QualityReport | None):
        fonts = self._fonts
        surf = pygame.Surface(size, pygame.SRCALPHA)
        content = panel(surf, surf.get_rect(), fonts, t("quality.meter.title"))
        bar_h = max(10, min(18, content.height // 6))
        bar = pygame.Rect(content.x + 4, content.bottom - bar_h - 4, content.width - 8, bar_h)
        pygame.draw.rect(surf, theme.BAR_BG, bar, border_radius=bar_h // 2)
        for tick in (20, 40, 60, 80):
            x = bar.x + bar.width * tick // 100
            pygame.draw.line(surf, theme.FELT_LINE, (x, bar.y + 2), (x, bar.bottom - 3), 1)
        text_area = pygame.Rect(content.x, content.y, content.width, bar.y - content.y - 6)
        if report is None:
            for size in (15, 13, 11):  # the largest wrapped size that fits; clipped below that
                waiting = fonts.render_block(self.waiting or t("quality.meter.waiting"), "body", size, theme.CREAM,
                                             max(20, text_area.width - 4), line_gap=1)
                if waiting.get_height() <= text_area.height:
                    break
            place = waiting.get_rect(midleft=(text_area.x + 2, text_area.centery))
            place.top = max(place.top, text_area.top)
            surf.blit(waiting, place, area=pygame.Rect(0, 0, text_area.width, text_area.height))
            return surf, None

        score = max(0.0, min(100.0, report.score)) if math.isfinite(report.score) else 0.0
        big_size = max(18, min(64, int(text_area.height * 0.95)))
        number = fonts.render(f"{score:.0f}", "display", big_size, score_color(score))
        number_rect = number.get_rect(bottomleft=(text_area.x + 2, text_area.bottom + big_size // 8))
        surf.blit(number, number_rect)
        out_of = fonts.render(t("quality.meter.out_of"), "body", max(11, big_size // 3),
                              theme.ACCURACY_GREY)
        surf.blit(out_of, out_of.get_rect(bottomleft=(number_rect.right + 4,
                                                      number_rect.bottom - big_size // 6)))
        left = number_rect.right + out_of.get_width() + 16
        width = max(20, text_area.right - left)
        band = fonts.render(band_text(score), "bold", max(13, min(22, big_size // 2)), theme.CREAM,
                            max_width=width)
        detail = None
        fed_text = t("quality.meter.fed", fed=format_fed(report.fed))
        for text in (t("quality.meter.step", step=i18n.number(report.step)) + "  ·  " + fed_text, fed_text):
            candidate = fonts.render(text, "body", 12, theme.ACCURACY_GREY)
            if candidate.get_width() <= width:  # the longest that fits; none rather than cut off
                detail = candidate
                break
        block_h = band.get_height() + (2 + detail.get_height() if detail else 0)
        top = text_area.centery - block_h // 2
        surf.blit(band, (left, top))
        if detail is not None:
            surf.blit(detail, (left, top + band.get_height() + 2))
        return surf, bar
