"""Pieces the kiosk overlays share: a paper card, text that shrinks until it fits, and the hand."""

from __future__ import annotations

import math

import pygame

from counterfeit_game.game import theme


def card(surface, rect, color=theme.PAPER, border=theme.BRASS_DARK) -> pygame.Rect:
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, (10, 7, 5), rect.move(0, 6), border_radius=18)
    pygame.draw.rect(surface, color, rect, border_radius=18)
    pygame.draw.rect(surface, border, rect, 3, border_radius=18)
    return rect


def fitted_block(fonts, text, role, size, color, width, max_height, align="center", min_size=12):
    """Wrapped text at ``size``, or smaller until it fits ``max_height``: longer languages still fit."""
    while True:
        block = fonts.render_block(text, role, size, color, width, align=align)
        if block.get_height() <= max_height or size <= min_size:
            return block
        size -= 2


def veil(surface, alpha: int) -> None:
    """Darken what is underneath; one cached surface per size and strength."""
    key = (surface.get_size(), alpha)
    cached = _VEILS.get(key)
    if cached is None:
        cached = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        cached.fill((12, 8, 6, alpha))
        if len(_VEILS) > 8:
            _VEILS.clear()
        _VEILS[key] = cached
    surface.blit(cached, (0, 0))


_VEILS: dict = {}
_HANDS: dict = {}


def hand(scale: float = 1.0, pressed: bool = False) -> pygame.Surface:
    """A pointing hand (index finger up), drawn once per size: the attract demo's "visitor"."""
    key = (round(scale, 2), pressed)
    cached = _HANDS.get(key)
    if cached is not None:
        return cached
    s = 2 * scale
    w, h = int(70 * s), int(110 * s)
    surf = pygame.Surface((w, h), pygame.SRCALPHA)
    skin, edge = (250, 214, 180), (120, 80, 50)
    if pressed:
        skin = (236, 196, 160)
    parts = [
        pygame.Rect(int(22 * s), int(4 * s), int(18 * s), int(60 * s)),  # index finger
        pygame.Rect(int(38 * s), int(40 * s), int(16 * s), int(32 * s)),  # middle
        pygame.Rect(int(50 * s), int(46 * s), int(15 * s), int(28 * s)),  # ring
        pygame.Rect(int(14 * s), int(50 * s), int(52 * s), int(52 * s)),  # palm
    ]
    thumb = [(int(16 * s), int(60 * s)), (int(2 * s), int(52 * s)), (int(4 * s), int(66 * s)), (int(18 * s), int(84 * s))]
    for rect in parts:
        pygame.draw.rect(surf, edge, rect.inflate(int(4 * s), int(4 * s)), border_radius=int(9 * s))
    pygame.draw.polygon(surf, edge, thumb, int(8 * s))
    pygame.draw.polygon(surf, skin, thumb)
    for rect in parts:
        pygame.draw.rect(surf, skin, rect, border_radius=int(8 * s))
    pygame.draw.rect(surf, (225, 185, 150), pygame.Rect(int(25 * s), int(8 * s), int(12 * s), int(10 * s)),
                     border_radius=int(4 * s))  # the nail
    _HANDS[key] = surf
    return surf


def ease(x: float) -> float:
    x = max(0.0, min(1.0, x))
    return 0.5 - 0.5 * math.cos(math.pi * x)
