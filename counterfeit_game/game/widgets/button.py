"""Big, touch-sized buttons with one look. A press fires on release inside the button."""

from __future__ import annotations

from typing import Callable

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme

STYLES = {
    "normal": (theme.BUTTON, theme.BUTTON_HOVER, theme.BUTTON_PRESSED, theme.BUTTON_TEXT),
    "primary": (theme.BRASS_DARK, theme.BRASS, (120, 92, 40), theme.CREAM),
    "real": (theme.REAL_GREEN_DARK, theme.REAL_GREEN, (14, 70, 40), theme.CREAM),
    "fake": (theme.FAKE_RED_DARK, theme.FAKE_RED, (100, 22, 20), theme.CREAM),
    "quiet": ((60, 44, 32), (80, 60, 42), (50, 36, 26), theme.CREAM),
}


class Button:
    def __init__(self, rect, text: str, on_press: Callable[[], None], *, style: str = "normal",
                 help_key: str | None = None, size: int = 20, enabled: bool = True, hint: str = ""):
        self.rect = pygame.Rect(rect)
        self.text = text
        self.on_press = on_press
        self.style = style
        self.help_key = help_key
        self.size = size
        self.enabled = enabled
        self.active = False  # drawn highlighted (e.g. the current mode)
        self.hint = hint  # a small key hint under the label, e.g. "Space"
        self.hovered = False
        self.pressed = False
        self._look: tuple | None = None  # what the cached surface shows
        self._surface: pygame.Surface | None = None

    def handle(self, intent: gi.Intent) -> bool:
        """Consumes pointer intents that concern this button."""
        if intent.pos is None:
            return False
        inside = self.rect.collidepoint(intent.pos)
        if intent.kind == gi.POINTER_MOVE:
            self.hovered = inside and not intent.touch
            return False
        if not self.enabled:
            return inside and intent.kind in (gi.POINTER_DOWN, gi.POINTER_UP)
        if intent.kind == gi.POINTER_DOWN and inside:
            self.pressed = True
            return True
        if intent.kind == gi.POINTER_UP:
            was_pressed, self.pressed = self.pressed, False
            if was_pressed and inside:
                self.on_press()
                return True
            return was_pressed
        return False

    def draw(self, surface, fonts) -> None:
        """Blits a cached picture of the button; it is redrawn only when its look changes."""
        look = (self.rect.size, self.text, self.style, self.active, self.hovered and self.enabled,
                self.pressed, self.enabled, self.hint, self.size)
        if look != self._look:
            self._surface = self._render(fonts)
            self._look = look
        surface.blit(self._surface, (self.rect.x, self.rect.y))

    def _render(self, fonts) -> pygame.Surface:
        base, hover, pressed, text_color = STYLES[self.style]
        color = base
        if self.active:
            color = theme.BUTTON_ACTIVE if self.style in ("normal", "quiet") else hover
        if self.hovered and self.enabled:
            color = hover
        if self.pressed:
            color = pressed
        out = pygame.Surface((self.rect.width, self.rect.height + 6), pygame.SRCALPHA)
        rect = pygame.Rect(0, 2 if self.pressed else 0, self.rect.width, self.rect.height)
        shadow = pygame.Rect(0, 4, self.rect.width, self.rect.height)
        pygame.draw.rect(out, (20, 13, 9), shadow, border_radius=theme.RADIUS)
        pygame.draw.rect(out, color, rect, border_radius=theme.RADIUS)
        top = rect.inflate(-6, -6)
        top.height = max(2, rect.height // 3)
        highlight = tuple(min(255, c + 18) for c in color)
        pygame.draw.rect(out, highlight, top, border_radius=theme.RADIUS - 3)
        pygame.draw.rect(out, theme.BRASS_DARK if self.style != "primary" else theme.BRASS, rect, 2,
                         border_radius=theme.RADIUS)
        fg = text_color if self.enabled else theme.DISABLED_TEXT
        label = fonts.render(self.text, "bold", self.size, fg, max_width=rect.width - 14)
        if self.hint and rect.height >= 50:
            hint = fonts.render(self.hint, "body", 12, (220, 200, 170) if self.enabled else theme.DISABLED_TEXT,
                                max_width=rect.width - 10)
            total = label.get_height() + hint.get_height() - 2
            y = rect.centery - total // 2
            out.blit(label, label.get_rect(midtop=(rect.centerx, y)))
            out.blit(hint, hint.get_rect(midtop=(rect.centerx, y + label.get_height() - 2)))
        else:
            out.blit(label, label.get_rect(center=rect.center))
        return out
