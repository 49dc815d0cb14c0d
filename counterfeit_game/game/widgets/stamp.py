"""The rubber stamp: REAL in green or FAKE in red (in the player's language), slammed onto a bill.

Long words (Spanish VERDADERO) are set condensed, as on a real rubber stamp, and only then
smaller, so every stamp fits the same space on the bill. Given the bill's size (``fit``), every
frame, the tilted landed stamp and the larger frames of its fall alike, is made small enough to lie
on the bill; callers then keep it there with ``place``.
"""

from __future__ import annotations

import numpy as np
import pygame

from counterfeit_game.game import theme
from counterfeit_game.i18n import get_language, t

SLAM_S = 0.16  # how long the stamp takes to land
ZOOM_FRAMES = 6
MARGIN = 3  # pixels of paper kept between a stamp and the bill's edge
MAX_CONDENSE = 0.7  # letters may be squeezed to 70% of their width before the type gets smaller


class StampArt:
    """Pre-rendered stamps (with a worn ink texture) and their landing frames, per size."""

    def __init__(self, fonts, width: int, seed: int = 3, fit: tuple[int, int] | None = None):
        self.width = int(width)
        # A little paper stays visible around the stamp on every side.
        self.fit = None if fit is None else (max(8, int(fit[0]) - 2 * MARGIN), max(8, int(fit[1]) - 2 * MARGIN))
        self._fonts = fonts
        self._seed = seed
        self._language: str | None = None
        self._frames: dict[bool, list[pygame.Surface]] = {}
        self._prepare()

    def _prepare(self) -> None:
        """Renders both stamps in the current language (again only when the language changes)."""
        language = get_language()
        if language == self._language:
            return
        self._language = language
        self._rng = np.random.default_rng(self._seed)  # the same worn ink in every language
        self._frames = {
            True: self._landing_frames(t("stamp.real"), theme.REAL_GREEN, 12),
            False: self._landing_frames(t("stamp.fake"), theme.FAKE_RED, -14),
        }

    def label(self, text: str, color) -> pygame.Surface:
        """The stamp's lettering, at most ``width`` wide: condensed first, then smaller."""
        size = max(10, self.width // 4)
        limit = max(8, self.width)
        label = self._fonts.render(text, "display", size, color)
        while label.get_width() * MAX_CONDENSE > limit and size > 8:
            size -= 1
            label = self._fonts.render(text, "display", size, color)
        if label.get_width() > limit:
            label = pygame.transform.smoothscale(label, (limit, label.get_height()))
        return label

    def _base(self, text: str, color) -> pygame.Surface:
        size = max(10, self.width // 4)
        label = self.label(text, color)
        pad_x, pad_y = max(6, size // 3), max(3, size // 6)
        w, h = label.get_width() + pad_x * 2, label.get_height() + pad_y * 2
        surf = pygame.Surface((w, h), pygame.SRCALPHA)
        border = max(2, size // 8)
        pygame.draw.rect(surf, color, surf.get_rect(), border, border_radius=max(3, size // 4))
        pygame.draw.rect(surf, color, surf.get_rect().inflate(-border * 3, -border * 3), 1,
                         border_radius=max(2, size // 5))
        surf.blit(label, label.get_rect(center=(w // 2, h // 2)))
        # Worn ink: knock random specks out of the alpha channel.
        alpha = pygame.surfarray.pixels_alpha(surf)
        holes = self._rng.random(alpha.shape) < 0.16
        alpha[holes] = (alpha[holes] * 0.35).astype(alpha.dtype)
        del alpha
        return surf

    def _turned(self, base, angle, zoom) -> pygame.Surface:
        """The stamp tilted and zoomed, shrunk further if that would not lie on the bill."""
        frame = pygame.transform.rotozoom(base, angle, zoom)
        if self.fit is not None:
            share = min(self.fit[0] / frame.get_width(), self.fit[1] / frame.get_height())
            if share < 1.0:
                frame = pygame.transform.rotozoom(base, angle, zoom * share * 0.98)
                while frame.get_width() > self.fit[0] or frame.get_height() > self.fit[1]:
                    zoom *= 0.97  # rotozoom rounds up a pixel or two
                    frame = pygame.transform.rotozoom(base, angle, zoom * share * 0.98)
        return frame

    def _landing_frames(self, text, color, angle) -> list[pygame.Surface]:
        base = self._base(text, color)
        frames = []
        for i in range(ZOOM_FRAMES):
            progress = i / (ZOOM_FRAMES - 1)
            zoom = 1.0 + 0.9 * (1 - progress) ** 2
            frame = self._turned(base, angle, zoom)
            frame.set_alpha(int(80 + 135 * progress))
            frames.append(frame)
        final = self._turned(base, angle, 1.0)
        final.set_alpha(215)
        frames.append(final)
        return frames

    def frame(self, verdict_real: bool, age_s: float) -> pygame.Surface | None:
        """The stamp ``age_s`` seconds after it started to fall (None before it starts)."""
        if age_s < 0:
            return None
        self._prepare()
        frames = self._frames[bool(verdict_real)]
        if age_s >= SLAM_S:
            return frames[-1]
        index = min(len(frames) - 2, int(age_s / SLAM_S * (len(frames) - 1)))
        return frames[index]


def place(frame: pygame.Surface, spot, bill: pygame.Rect) -> pygame.Rect:
    """Where a stamp frame centred on ``spot`` lands, moved as little as needed to stay on the bill."""
    inside = pygame.Rect(bill).inflate(-2 * MARGIN, -2 * MARGIN)
    return frame.get_rect(center=(int(spot[0]), int(spot[1]))).clamp(inside)
