"""The rubber stamp: REAL in green or FAKE in red, slammed onto a bill at an angle."""

from __future__ import annotations

import numpy as np
import pygame

from counterfeit_game.game import theme

SLAM_S = 0.16  # how long the stamp takes to land
ZOOM_FRAMES = 6


class StampArt:
    """Pre-rendered stamps (with a worn ink texture) and their landing frames, per size."""

    def __init__(self, fonts, width: int, seed: int = 3):
        self.width = int(width)
        self._fonts = fonts
        self._rng = np.random.default_rng(seed)
        self._frames: dict[tuple[str, str], list[pygame.Surface]] = {}
        for verdict, color, angle in (("REAL", theme.REAL_GREEN, 12), ("FAKE", theme.FAKE_RED, -14)):
            self._frames[("final", verdict)] = self._landing_frames(verdict, color, angle)

    def _base(self, text: str, color) -> pygame.Surface:
        size = max(10, self.width // 4)
        label = self._fonts.render(text, "display", size, color)
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

    def _landing_frames(self, text, color, angle) -> list[pygame.Surface]:
        base = self._base(text, color)
        frames = []
        for i in range(ZOOM_FRAMES):
            progress = i / (ZOOM_FRAMES - 1)
            zoom = 1.0 + 0.9 * (1 - progress) ** 2
            frame = pygame.transform.rotozoom(base, angle, zoom)
            frame.set_alpha(int(80 + 135 * progress))
            frames.append(frame)
        final = pygame.transform.rotozoom(base, angle, 1.0)
        final.set_alpha(215)
        frames.append(final)
        return frames

    def frame(self, verdict_real: bool, age_s: float) -> pygame.Surface | None:
        """The stamp ``age_s`` seconds after it started to fall (None before it starts)."""
        if age_s < 0:
            return None
        frames = self._frames[("final", "REAL" if verdict_real else "FAKE")]
        if age_s >= SLAM_S:
            return frames[-1]
        index = min(len(frames) - 2, int(age_s / SLAM_S * (len(frames) - 1)))
        return frames[index]
