"""The progress wall: 5x5 bills printed from the same fixed noise, as one picture per step."""

from __future__ import annotations

import numpy as np
import pygame

from counterfeit_game.game import theme
from counterfeit_game.game.widgets.bill import digit_surface
from counterfeit_game.snapshot import GRID_SIDE


def grid_surface(images: np.ndarray, cell: int, gap: int = 2, frame: int = 4) -> pygame.Surface:
    """A (25, 28, 28) uint8 grid as one surface of paper squares with ink digits."""
    side = GRID_SIDE * cell + (GRID_SIDE - 1) * gap + frame * 2
    surf = pygame.Surface((side, side))
    surf.fill(theme.BILL_BORDER)
    for i, image in enumerate(np.asarray(images)[: GRID_SIDE * GRID_SIDE]):
        row, col = divmod(i, GRID_SIDE)
        digit = digit_surface(image, cell, paper=theme.BILL_PAPER)
        surf.blit(digit, (frame + col * (cell + gap), frame + row * (cell + gap)))
    return surf


class GridCache:
    """Rendered grids keyed by (generation, step, cell), dropped when the run changes."""

    def __init__(self, max_items: int = 256):
        self._items: dict[tuple[int, int, int], pygame.Surface] = {}
        self._generation = None
        self._max = max_items

    def get(self, generation: int, frame, cell: int) -> pygame.Surface:
        if generation != self._generation:
            self._items.clear()
            self._generation = generation
        key = (generation, frame.step, cell)
        surf = self._items.get(key)
        if surf is None:
            if len(self._items) >= self._max:
                self._items.pop(next(iter(self._items)))
            surf = grid_surface(frame.images, cell)
            self._items[key] = surf
        return surf
