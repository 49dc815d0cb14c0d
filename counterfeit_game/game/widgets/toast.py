"""Short confirmations ("Saved to ...") that fade out on their own."""

from __future__ import annotations

import pygame

from counterfeit_game.game import theme


class Toasts:
    def __init__(self, duration_s: float = 4.0):
        self.duration = duration_s
        self._items: list[list] = []  # [text, age, kind, topic]

    def show(self, text: str, kind: str = "info", topic: str | None = None) -> None:
        """A new toast; one with the same ``topic`` (e.g. "export") replaces the older one."""
        self._items = [item for item in self._items
                       if item[0] != text and (topic is None or item[3] != topic)][-2:]
        self._items.append([text, 0.0, kind, topic])

    @property
    def texts(self) -> list[str]:
        return [item[0] for item in self._items]

    def update(self, dt: float) -> None:
        for item in self._items:
            item[1] += dt
        self._items = [item for item in self._items if item[1] < self.duration]

    def draw(self, surface, fonts) -> None:
        """Stacked up from just above the control bar, newest lowest, where they cover no title,
        ribbon or step counter (the PAUSED ribbon sits at the top of the desk)."""
        width, height = surface.get_size()
        y = height - theme.BOTTOM_BAR_H - 10
        for text, age, kind, _topic in reversed(self._items):
            block = fonts.render_block(text, "bold", 16, theme.INK, min(760, width - 80))
            box = block.get_rect().inflate(32, 20)
            box.midbottom = (width // 2, y)
            alpha = 255 if age < self.duration - 0.6 else int(255 * (self.duration - age) / 0.6)
            card = pygame.Surface(box.size, pygame.SRCALPHA)
            edge = theme.FAKE_RED if kind == "error" else theme.REAL_GREEN
            pygame.draw.rect(card, (*theme.PAPER, 245), card.get_rect(), border_radius=10)
            pygame.draw.rect(card, edge, card.get_rect(), 3, border_radius=10)
            card.blit(block, (16, 10))
            card.set_alpha(max(0, alpha))
            surface.blit(card, box.topleft)
            y = box.top - 8
