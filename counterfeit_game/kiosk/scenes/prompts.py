""""Are you still there?" and the friendly message shown while training is brought back."""

from __future__ import annotations

import math

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.i18n import t
from counterfeit_game.kiosk.scenes.common import card, fitted_block, veil


class CountdownOverlay:
    """Any touch answers it (the session logic sees the touch first); the button is the obvious one."""

    def __init__(self, fonts, on_still_here):
        self.fonts = fonts
        self.button = Button((0, 0, 360, 84), t("kiosk.countdown.button"), on_still_here, style="primary", size=28)

    def handle(self, intent) -> bool:
        return self.button.handle(intent)

    def draw(self, surface, remaining: float, total: float) -> None:
        w, h = surface.get_size()
        veil(surface, 175)
        rect = pygame.Rect(0, 0, min(760, w - 80), 420)
        rect.center = (w // 2, h // 2)
        card(surface, rect)
        fonts = self.fonts
        title = fonts.render(t("kiosk.countdown.title"), "display", 46, theme.INK, max_width=rect.width - 60)
        surface.blit(title, title.get_rect(midtop=(rect.centerx, rect.y + 30)))
        seconds = max(0, math.ceil(remaining))
        body = fitted_block(fonts, t("kiosk.countdown.body", seconds=seconds), "body", 28, theme.INK_SOFT,
                            rect.width - 80, 80)
        surface.blit(body, body.get_rect(midtop=(rect.centerx, rect.y + 100)))
        # A ring that empties as the seconds run out, the number in the middle.
        center = (rect.centerx, rect.y + 245)
        radius = 56
        pygame.draw.circle(surface, theme.PAPER_SHADE, center, radius, 10)
        share = max(0.0, min(1.0, remaining / total)) if total else 0.0
        if share > 0:
            box = pygame.Rect(0, 0, radius * 2, radius * 2)
            box.center = center
            pygame.draw.arc(surface, theme.FAKE_RED, box, math.pi / 2, math.pi / 2 + 2 * math.pi * share, 10)
        number = fonts.render(str(seconds), "display", 44, theme.INK)
        surface.blit(number, number.get_rect(center=center))
        self.button.rect.midbottom = (rect.centerx, rect.bottom - 18)
        self.button.rect.width = max(360, min(rect.width - 80, self.button.rect.width))
        self.button.draw(surface, fonts)


BANNER_TOP = 96  # below the top bar, and below attract mode's heading band


class RecoveryBanner:
    """Non-blocking: visitors may keep looking and touching while training comes back."""

    def __init__(self, fonts):
        self.fonts = fonts
        self.rect = pygame.Rect(0, 0, 0, 0)  # where the last frame put it

    def draw(self, surface, notice, recovering: bool, now: float) -> None:
        w, _ = surface.get_size()
        fonts = self.fonts
        rect = pygame.Rect(0, 0, min(860, w - 80), 150)
        rect.midtop = (w // 2, BANNER_TOP)
        self.rect = rect
        card(surface, rect, color=theme.CREAM, border=theme.BRASS)
        # A turning seal while it works; a still one once it is back.
        cx, cy = rect.x + 62, rect.centery
        for k in range(10):
            angle = (now * 3.5 if recovering else 0.0) + k * math.pi / 5
            alpha = (k + 1) / 10 if recovering else 1.0
            color = tuple(int(c * alpha + 250 * (1 - alpha)) for c in theme.BRASS_DARK)
            pygame.draw.circle(surface, color, (cx + 24 * math.cos(angle), cy + 24 * math.sin(angle)), 6)
        text_w = rect.width - 150
        title = fitted_block(fonts, t(notice.title_key), "bold", 28, theme.INK, text_w, 74, align="left")
        detail = fonts.render(t(notice.detail_key, **notice.fields), "body", 22, theme.INK_SOFT, max_width=text_w)
        total = title.get_height() + 6 + detail.get_height()
        y = rect.centery - total // 2
        surface.blit(title, (rect.x + 120, y))
        surface.blit(detail, (rect.x + 120, y + title.get_height() + 6))


def is_tap(intent) -> bool:
    return intent.kind in (gi.POINTER_DOWN, gi.POINTER_UP)
