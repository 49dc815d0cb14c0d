"""The title card, shown while the trainer loads TensorFlow in its own process."""

from __future__ import annotations

import logging
import math

import pygame

from counterfeit_game.game import theme
from counterfeit_game.game.scenes.backdrop import backdrop
from counterfeit_game.game.scenes.base import Scene
from counterfeit_game.game.scripted_client import load_real_digits
from counterfeit_game.game.widgets import draw
from counterfeit_game.game.widgets.bill import BillArt, serial_text
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.game.widgets.stamp import StampArt
from counterfeit_game.i18n import t
from counterfeit_game.snapshot import STATUS_FAILED, STATUS_LOADING

log = logging.getLogger(__name__)

MIN_TITLE_S = 1.2  # long enough to read the title even when the engine is quick


class TitleScene(Scene):
    name = "title"

    def __init__(self, app):
        super().__init__(app)
        self.elapsed = 0.0
        self._size = (theme.LOGICAL_WIDTH, theme.LOGICAL_HEIGHT)
        self._bills: list[pygame.Surface] = []
        self.retry = Button((0, 0, 240, 60), t("title.retry"), self._retry, style="primary",
                            help_key="help.title.retry")
        art = BillArt(app.fonts, 190)
        # The bills lie tilted and the stamps do not: a smaller box keeps them on the paper.
        self._stamps = StampArt(app.fonts, 150, fit=(int(art.width * 0.85), int(art.height * 0.85)))
        for i, image in enumerate(load_real_digits(6)):
            bill = art.render(image, serial_text(f"{271828 + i * 31:06d}"))
            angle = -16 + i * 6.5
            self._bills.append(pygame.transform.rotate(bill, angle if i % 2 else -angle))

    def layout(self, size) -> None:
        self._size = size
        self.retry.rect.center = (size[0] // 2, size[1] - 120)

    @property
    def failed(self) -> bool:
        return self.app.snapshot.status == STATUS_FAILED

    def _retry(self) -> None:
        self.app.client.reset(None)

    def handle_event(self, intent) -> bool:
        if self.failed:
            return self.retry.handle(intent)
        return False

    def update(self, dt: float) -> None:
        self.elapsed += dt
        status = self.app.snapshot.status
        if status not in (STATUS_LOADING, STATUS_FAILED) and self.elapsed >= MIN_TITLE_S:
            from counterfeit_game.game.scenes.workshop import WorkshopScene

            log.info("engine ready after %.1f s: opening the workshop", self.elapsed)
            self.app.stack.replace(WorkshopScene(self.app))

    def draw(self, surface) -> None:
        fonts = self.app.fonts
        w, h = self._size
        surface.blit(backdrop(self._size), (0, 0))
        # A fan of bills across the desk, two of them already stamped.
        for i, rotated in enumerate(self._bills):
            cx = w // 2 + (i - 2.5) * 170
            cy = h - 200 + abs(i - 2.5) * 14
            surface.blit(rotated, rotated.get_rect(center=(cx, cy)))
            if i in (1, 4):
                stamp = self._stamps.frame(i == 1, 1.0)
                surface.blit(stamp, stamp.get_rect(center=(cx, cy)))
        title = fonts.render(t("title.name"), "display", 92, theme.BRASS)
        shadow = fonts.render(t("title.name"), "display", 92, (20, 12, 8))
        surface.blit(shadow, shadow.get_rect(center=(w // 2 + 4, 140 + 5)))
        surface.blit(title, title.get_rect(center=(w // 2, 140)))
        tagline = fonts.render_block(t("title.tagline"), "bold", 24, theme.CREAM, min(900, w - 120),
                                     align="center")
        surface.blit(tagline, tagline.get_rect(midtop=(w // 2, 200)))
        terms = fonts.render_block(t("title.terms"), "body", 18, theme.PAPER_SHADE, min(900, w - 120),
                                   align="center")
        surface.blit(terms, terms.get_rect(midtop=(w // 2, 208 + tagline.get_height())))
        # Below the texts however many lines they take (Spanish wraps to more).
        status_y = max(340, 208 + tagline.get_height() + terms.get_height() + 8)
        if self.failed:
            message = draw.one_line(self.app.snapshot.message) or t("title.failed_unknown")
            text = fonts.render_block(t("title.failed", message=message), "bold", 20, theme.FAKE_RED,
                                      min(900, w - 120), align="center")
            box = text.get_rect(midtop=(w // 2, status_y)).inflate(30, 20)
            pygame.draw.rect(surface, theme.PAPER, box, border_radius=10)
            surface.blit(text, text.get_rect(center=box.center))
            self.retry.rect.midtop = (w // 2, box.bottom + 16)
            self.retry.draw(surface, fonts)
            return
        ready = self.app.snapshot.status != STATUS_LOADING
        dots = "." * (1 + int(self.elapsed * 2.5) % 3)
        key = "title.ready" if ready else "title.loading"
        line = fonts.render(t(key) + ("" if ready else dots), "bold", 22, theme.CREAM)
        box = pygame.Rect(0, 0, max(520, line.get_width() + 90), 56)
        box.center = (w // 2, status_y + 20)
        pygame.draw.rect(surface, (30, 21, 15), box, border_radius=28)
        pygame.draw.rect(surface, theme.BRASS_DARK, box, 2, border_radius=28)
        # A spinning seal as the loading indicator.
        cx, cy = box.x + 34, box.centery
        for k in range(8):
            angle = self.elapsed * 4 + k * math.pi / 4
            alpha = (k + 1) / 8
            color = tuple(int(c * alpha) for c in theme.BRASS)
            pygame.draw.circle(surface, color, (cx + 13 * math.cos(angle), cy + 13 * math.sin(angle)), 3)
        surface.blit(line, line.get_rect(midleft=(box.x + 60, box.centery)))
        detail_key = "title.loading_detail" if not ready else "title.ready_detail"
        detail = fonts.render(t(detail_key, seconds=f"{self.elapsed:.0f}"), "body", 15, theme.PAPER_SHADE)
        surface.blit(detail, detail.get_rect(midtop=(w // 2, box.bottom + 10)))
