"""The operator's PIN pad: big keys, the digits shown as dots, nothing else on screen works."""

from __future__ import annotations

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.i18n import t
from counterfeit_game.kiosk.scenes.common import card, veil

MAX_DIGITS = 8
KEY_W, KEY_H, GAP = 110, 76, 12  # 76 logical px is 114 px at 1080p


class PinPad:
    def __init__(self, fonts, on_submit, on_cancel, on_key=lambda: None):
        self.fonts = fonts
        self.digits = ""
        self._on_submit = on_submit
        self._on_cancel = on_cancel
        self._on_key = on_key
        self.keys: list[Button] = []
        for label in ("1", "2", "3", "4", "5", "6", "7", "8", "9"):
            self.keys.append(Button((0, 0, KEY_W, KEY_H), label, lambda d=label: self.press(d), size=34))
        self.clear = Button((0, 0, KEY_W, KEY_H), t("kiosk.pin.clear"), self.clear_digits, style="quiet", size=22)
        self.zero = Button((0, 0, KEY_W, KEY_H), "0", lambda: self.press("0"), size=34)
        self.ok = Button((0, 0, KEY_W, KEY_H), t("kiosk.pin.ok"), self.submit, style="primary", size=26)
        self.cancel = Button((0, 0, 3 * KEY_W + 2 * GAP, 64), t("kiosk.pin.cancel"), on_cancel, style="quiet",
                             size=22)
        self.buttons = [*self.keys, self.clear, self.zero, self.ok, self.cancel]
        self.rect = pygame.Rect(0, 0, 3 * KEY_W + 2 * GAP + 80, 600)

    def layout(self, size) -> None:
        w, h = size
        self.rect.center = (w // 2, h // 2)
        x0 = self.rect.x + 40
        y0 = self.rect.y + 150
        grid = [*self.keys, self.clear, self.zero, self.ok]
        for i, button in enumerate(grid):
            row, col = divmod(i, 3)
            button.rect.topleft = (x0 + col * (KEY_W + GAP), y0 + row * (KEY_H + GAP))
        self.cancel.rect.topleft = (x0, y0 + 4 * (KEY_H + GAP) + 6)

    def press(self, digit: str) -> None:
        if len(self.digits) < MAX_DIGITS:
            self.digits += digit

    def clear_digits(self) -> None:
        self.digits = ""

    def submit(self) -> None:
        digits, self.digits = self.digits, ""
        self._on_submit(digits)

    def handle(self, intent) -> None:
        """Takes every intent while open; digit keys on a keyboard work too."""
        if intent.pos is not None:
            for button in self.buttons:
                if button.handle(intent):
                    if intent.kind in (gi.POINTER_DOWN, gi.POINTER_UP):
                        self._on_key()
                    return
        elif intent.kind == gi.CONFIRM:
            self.submit()
        elif intent.kind == gi.BACK:
            self._on_cancel()

    def draw(self, surface, message: str = "") -> None:
        veil(surface, 215)
        self.layout(surface.get_size())
        card(surface, self.rect, color=(58, 42, 30), border=theme.BRASS)
        fonts = self.fonts
        title = fonts.render(t("kiosk.pin.title"), "display", 34, theme.BRASS, max_width=self.rect.width - 40)
        surface.blit(title, title.get_rect(midtop=(self.rect.centerx, self.rect.y + 22)))
        field = pygame.Rect(self.rect.x + 40, self.rect.y + 78, self.rect.width - 80, 56)
        pygame.draw.rect(surface, theme.PAPER, field, border_radius=10)
        if self.digits:
            for i in range(len(self.digits)):
                x = field.centerx + (i - (len(self.digits) - 1) / 2) * 30
                pygame.draw.circle(surface, theme.INK, (int(x), field.centery), 9)
        elif message:
            text = fonts.render(message, "bold", 20, theme.FAKE_RED, max_width=field.width - 20)
            surface.blit(text, text.get_rect(center=field.center))
        for button in self.buttons:
            button.draw(surface, fonts)
