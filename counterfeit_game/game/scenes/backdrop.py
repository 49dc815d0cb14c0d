"""The workshop backdrop (wood, with a soft lamp glow) and the top bar, rendered once per size."""

from __future__ import annotations

import numpy as np
import pygame

from counterfeit_game.game import theme

_cache: dict[tuple[int, int], pygame.Surface] = {}


def backdrop(size: tuple[int, int]) -> pygame.Surface:
    surf = _cache.get(size)
    if surf is not None:
        return surf
    w, h = size
    rng = np.random.default_rng(11)
    # Wood: horizontal grain bands plus a warm lamp glow from the top centre.
    y = np.arange(h, dtype=np.float32)[None, :]
    x = np.arange(w, dtype=np.float32)[:, None]
    grain = 0.5 + 0.5 * np.sin(y / 7.0 + np.sin(x / 160.0) * 2.2 + np.sin(y / 31.0) * 1.5)
    noise = rng.normal(0, 0.035, (w, h)).astype(np.float32)
    glow = np.exp(-(((x - w / 2) / (w * 0.55)) ** 2 + ((y - h * 0.25) / (h * 0.9)) ** 2))
    base = np.asarray(theme.WOOD, np.float32)
    light = np.asarray(theme.WOOD_LIGHT, np.float32)
    mix = (0.35 * grain + noise)[..., None]
    rgb = base * (1 - mix) + light * mix
    rgb *= (0.62 + 0.5 * glow)[..., None]
    surf = pygame.surfarray.make_surface(np.clip(rgb, 0, 255).astype(np.uint8)).convert()
    if len(_cache) > 4:
        _cache.clear()
    _cache[size] = surf
    return surf


def top_bar(surface, width: int) -> pygame.Rect:
    rect = pygame.Rect(0, 0, width, theme.TOP_BAR_H)
    pygame.draw.rect(surface, theme.BAR_BG, rect)
    pygame.draw.line(surface, theme.BRASS_DARK, (0, rect.bottom - 2), (width, rect.bottom - 2), 2)
    return rect


def bottom_bar(surface, width: int, height: int) -> pygame.Rect:
    rect = pygame.Rect(0, height - theme.BOTTOM_BAR_H, width, theme.BOTTOM_BAR_H)
    pygame.draw.rect(surface, theme.BAR_BG, rect)
    pygame.draw.line(surface, theme.BRASS_DARK, (0, rect.y), (width, rect.y), 2)
    return rect


def titled_screen(surface, fonts, size: tuple[int, int], title: str) -> None:
    """The frame of a full-screen page: the backdrop, the top bar and the page's title in it."""
    surface.blit(backdrop(size), (0, 0))
    top_bar(surface, size[0])
    label = fonts.render(title, "display", 28, theme.BRASS, max_width=size[0] // 3)
    surface.blit(label, (theme.PAD, 12))
