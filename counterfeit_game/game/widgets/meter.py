"""Who is winning: a tug-of-war bar between the police and the counterfeiter."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pygame

from counterfeit_game.game import theme
from counterfeit_game.i18n import t
from counterfeit_game.snapshot import LossHistory

POLICE_WIN_ACC = 0.8
COUNTERFEITER_WIN_ACC = 0.62


def police_accuracy_recent(history: LossHistory, window: int = 50) -> float | None:
    if len(history) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN window reads as unknown
        value = float(np.nanmean(history.d_acc[-window:]))
    return value if math.isfinite(value) else None


def winner(accuracy: float | None) -> str:
    """"police", "counterfeiter", "even" or "none" (no steps yet)."""
    if accuracy is None:
        return "none"
    if accuracy >= POLICE_WIN_ACC:
        return "police"
    if accuracy <= COUNTERFEITER_WIN_ACC:
        return "counterfeiter"
    return "even"


def draw_meter(surface, fonts, rect, accuracy: float | None) -> None:
    """Police on the left, counterfeiter on the right; the marker leans to whoever is winning."""
    rect = pygame.Rect(rect)
    caption_key = {"police": "meter.police_winning", "counterfeiter": "meter.counterfeiter_winning",
                   "even": "meter.even", "none": "meter.none"}[winner(accuracy)]
    bar = pygame.Rect(rect.x, rect.y + 22, rect.width, 14)
    left = fonts.render(t("meter.police"), "bold", 13, theme.POLICE_BLUE_LIGHT)
    right = fonts.render(t("meter.counterfeiter"), "bold", 13, theme.COUNTERFEITER_LIGHT)
    surface.blit(left, (rect.x, rect.y + 2))
    surface.blit(right, (rect.right - right.get_width(), rect.y + 2))
    gap_left, gap_right = rect.x + left.get_width() + 8, rect.right - right.get_width() - 8
    caption = fonts.render(t(caption_key), "body", 13, theme.CREAM, max_width=max(20, gap_right - gap_left))
    surface.blit(caption, caption.get_rect(midtop=((gap_left + gap_right) // 2, rect.y + 2)))
    pygame.draw.rect(surface, theme.BAR_BG, bar, border_radius=7)
    # The police's share grows with their accuracy above chance (50% = guessing = no share).
    share = 0.5 if accuracy is None else max(0.04, min(0.96, (accuracy - 0.5) / 0.5))
    split = bar.x + int(bar.width * share)
    if split > bar.x:
        pygame.draw.rect(surface, theme.POLICE_BLUE, (bar.x, bar.y, split - bar.x, bar.height),
                         border_top_left_radius=7, border_bottom_left_radius=7)
    if split < bar.right:
        pygame.draw.rect(surface, theme.COUNTERFEITER_ORANGE, (split, bar.y, bar.right - split, bar.height),
                         border_top_right_radius=7, border_bottom_right_radius=7)
    pygame.draw.rect(surface, theme.CREAM, (split - 2, bar.y - 3, 4, bar.height + 6), border_radius=2)
