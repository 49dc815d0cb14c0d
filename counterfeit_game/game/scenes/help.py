"""The "?" overlay: tap any element to read what it is, in the story and in the real terms."""

from __future__ import annotations

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme
from counterfeit_game.game.scenes.base import Scene
from counterfeit_game.game.widgets import draw
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.game.widgets.key_hints import without_key_hints
from counterfeit_game.i18n import t


class HelpOverlay(Scene):
    opaque = False
    name = "help"

    def __init__(self, app, under: Scene | None):
        super().__init__(app)
        self.under = under
        self.selected: tuple[pygame.Rect, str] | None = None
        self.size = (theme.LOGICAL_WIDTH, theme.LOGICAL_HEIGHT)
        self.close_button = Button((0, 0, 150, 52), t("help.close"), self.close, style="primary")

    def layout(self, size) -> None:
        """The banner sits over the logo, the one part of the top bar that explains nothing."""
        self.size = size
        self.banner_rect = pygame.Rect(6, 4, min(470, size[0] // 2 - 180), theme.TOP_BAR_H - 8)
        self.close_button.rect = pygame.Rect(0, 0, 110, self.banner_rect.height - 8)
        self.close_button.rect.midright = (self.banner_rect.right - 4, self.banner_rect.centery)

    def targets(self):
        return [(pygame.Rect(rect), key) for rect, key in (self.under.help_targets() if self.under else [])
                if key and rect.width > 0]

    def close(self) -> None:
        self.app.stack.pop(self)

    def handle_event(self, intent) -> bool:
        if intent.kind in (gi.BACK, gi.HELP):
            if self.selected is not None and intent.kind == gi.BACK:
                self.selected = None
            else:
                self.close()
            return True
        if intent.kind == gi.QUIT:
            return False
        if self.close_button.handle(intent):
            return True
        if intent.kind == gi.POINTER_UP and intent.pos is not None:
            if self.selected is not None:
                self.selected = None
                return True
            hits = [(rect.width * rect.height, rect, key) for rect, key in self.targets()
                    if rect.collidepoint(intent.pos)]
            if any(key == "help.controls.help" for _area, _rect, key in hits):
                self.close()  # the "?" button closes what it opened
            elif hits:
                _area, rect, key = min(hits, key=lambda h: h[0])  # the smallest element under the finger
                self.selected = (rect, key)
            return True
        return True  # modal: nothing underneath reacts while help is open

    def animating(self) -> bool:
        return False

    def draw(self, surface) -> None:
        fonts = self.app.fonts
        w, h = self.size
        draw.dim(surface, 150)
        for rect, _key in self.targets():
            pygame.draw.rect(surface, theme.HELP_HIGHLIGHT, rect.inflate(4, 4), 2, border_radius=8)
        banner = self.banner_rect
        pygame.draw.rect(surface, theme.BAR_BG, banner, border_radius=10)
        pygame.draw.rect(surface, theme.HELP_HIGHLIGHT, banner, 2, border_radius=10)
        head = fonts.render(t("help.banner"), "bold", 17, theme.HELP_HIGHLIGHT,
                            max_width=banner.width - self.close_button.rect.width - 24)
        surface.blit(head, head.get_rect(midleft=(banner.x + 12, banner.centery)))
        self.close_button.draw(surface, fonts)
        if self.selected is None:
            return
        rect, key = self.selected
        pygame.draw.rect(surface, theme.HELP_HIGHLIGHT, rect.inflate(8, 8), 4, border_radius=10)
        title = fonts.render(t(f"{key}.title"), "display", 22, theme.INK, max_width=520)
        text = t(f"{key}.text")
        if not getattr(self.app.settings, "show_key_hints", True):
            text = without_key_hints(text)
        body = fonts.render_block(text, "body", 17, theme.INK, 520)
        card = pygame.Rect(0, 0, 560, title.get_height() + body.get_height() + 56)
        # Beside the element: below it if there is room, otherwise above, clamped on screen.
        card.midtop = (rect.centerx, rect.bottom + 14)
        if card.bottom > h - 8:
            card.midbottom = (rect.centerx, rect.y - 14)
        area = pygame.Rect(8, theme.TOP_BAR_H + 8, w - 16, h - theme.TOP_BAR_H - 16)
        card.clamp_ip(area)
        draw.shadowed_rect(surface, card, theme.PAPER, radius=12, shadow=6, border=3, border_color=theme.BRASS)
        surface.blit(title, (card.x + 20, card.y + 16))
        surface.blit(body, (card.x + 20, card.y + 26 + title.get_height()))
        tip = fonts.render(t("help.card_close"), "body", 12, theme.INK_SOFT)
        surface.blit(tip, tip.get_rect(bottomright=(card.right - 14, card.bottom - 8)))
