"""The speed control: notches from slow motion to maximum, dragged or tapped."""

from __future__ import annotations

from typing import Callable

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme


class NotchSlider:
    def __init__(self, rect, count: int, index: int, on_change: Callable[[int], None], *,
                 help_key: str | None = None):
        self.rect = pygame.Rect(rect)
        self.count = count
        self.index = index
        self.on_change = on_change
        self.help_key = help_key
        self.dragging = False

    def _track(self) -> pygame.Rect:
        return pygame.Rect(self.rect.x + 18, self.rect.bottom - 22, self.rect.width - 36, 6)

    def notch_x(self, i: int) -> int:
        track = self._track()
        return track.x + round(track.width * i / max(1, self.count - 1))

    def _index_at(self, x: int) -> int:
        track = self._track()
        frac = (x - track.x) / max(1, track.width)
        return max(0, min(self.count - 1, round(frac * (self.count - 1))))

    def set_index(self, index: int, notify: bool = True) -> None:
        index = max(0, min(self.count - 1, index))
        if index != self.index:
            self.index = index
            if notify:
                self.on_change(index)

    def handle(self, intent: gi.Intent) -> bool:
        if intent.pos is None:
            return False
        if intent.kind == gi.POINTER_DOWN and self.rect.collidepoint(intent.pos):
            self.dragging = True
            self.set_index(self._index_at(intent.pos[0]))
            return True
        if intent.kind == gi.POINTER_MOVE and self.dragging:
            self.set_index(self._index_at(intent.pos[0]))
            return True
        if intent.kind == gi.POINTER_UP and self.dragging:
            self.dragging = False
            self.set_index(self._index_at(intent.pos[0]))
            return True
        return False

    def draw(self, surface, fonts, label: str, left: str, right: str) -> None:
        pygame.draw.rect(surface, (60, 43, 30), self.rect, border_radius=theme.RADIUS)
        pygame.draw.rect(surface, theme.BRASS_DARK, self.rect, 2, border_radius=theme.RADIUS)
        text = fonts.render(label, "bold", 15, theme.CREAM, max_width=self.rect.width - 16)
        surface.blit(text, text.get_rect(midtop=(self.rect.centerx, self.rect.y + 6)))
        small_l = fonts.render(left, "body", 11, theme.PAPER_SHADE)
        small_r = fonts.render(right, "body", 11, theme.PAPER_SHADE)
        if text.get_width() + small_l.get_width() + small_r.get_width() + 40 < self.rect.width:
            surface.blit(small_l, (self.rect.x + 8, self.rect.y + 9))
            surface.blit(small_r, (self.rect.right - 8 - small_r.get_width(), self.rect.y + 9))
        track = self._track()
        pygame.draw.rect(surface, theme.BAR_BG, track, border_radius=3)
        filled = pygame.Rect(track.x, track.y, self.notch_x(self.index) - track.x, track.height)
        pygame.draw.rect(surface, theme.BRASS, filled, border_radius=3)
        for i in range(self.count):
            pygame.draw.circle(surface, theme.PAPER_SHADE, (self.notch_x(i), track.centery), 3)
        knob = (self.notch_x(self.index), track.centery)
        pygame.draw.circle(surface, (20, 13, 9), (knob[0], knob[1] + 2), 13)
        pygame.draw.circle(surface, theme.BRASS if not self.dragging else theme.HELP_HIGHLIGHT, knob, 12)
        pygame.draw.circle(surface, theme.BRASS_DARK, knob, 12, 2)
