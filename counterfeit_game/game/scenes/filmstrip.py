"""The progress wall as a filmstrip: scrub through the fixed-noise grids, compare step 0 with now."""

from __future__ import annotations

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme
from counterfeit_game.game.scenes.backdrop import titled_screen
from counterfeit_game.game.scenes.base import Scene
from counterfeit_game.game.widgets import draw
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.game.widgets.grid import GridCache
from counterfeit_game.game.widgets.key_hints import key_hint
from counterfeit_game.i18n import number, t

THUMB_CELL = 9


class FilmstripScene(Scene):
    name = "filmstrip"

    def __init__(self, app):
        super().__init__(app)
        self.size = (theme.LOGICAL_WIDTH, theme.LOGICAL_HEIGHT)
        self.cache = GridCache(max_items=300)  # thumbnails: every frame of the strip (at most 240)
        self.large = GridCache(max_items=6)  # big views: only the few on screen or just left
        self.index = -1  # into snapshot.grids; -1 follows the newest
        self.dragging = False
        self.back_button = Button((0, 0, 1, 1), t("filmstrip.back"), self.close, style="primary",
                                  help_key="help.filmstrip.back", hint=key_hint(app.settings, "keys.esc"))
        self.now_button = Button((0, 0, 1, 1), t("filmstrip.now"), self.follow_now,
                                 help_key="help.filmstrip.now")
        self.export_button = Button((0, 0, 1, 1), t("controls.export"), app.export_now,
                                    help_key="help.controls.export", hint=key_hint(app.settings, "keys.e"))
        self.buttons = [self.back_button, self.now_button] + ([self.export_button] if app.exports_allowed else [])

    @property
    def frames(self):
        return self.app.snapshot.grids

    @property
    def selected_index(self) -> int:
        n = len(self.frames)
        if n == 0:
            return -1
        return n - 1 if self.index < 0 else min(self.index, n - 1)

    def layout(self, size) -> None:
        self.size = w, h = size
        pad = theme.PAD
        self.back_button.rect = pygame.Rect(w - pad - 190, 6, 190, theme.TOP_BAR_H - 12)
        self.export_button.rect = pygame.Rect(self.back_button.rect.x - 10 - 150, 6, 150, theme.TOP_BAR_H - 12)
        self.now_button.rect = pygame.Rect(w - pad - 170, h - 150, 170, 56)
        self.strip_rect = pygame.Rect(pad, h - 150, w - 3 * pad - 170, 84)
        self.track_rect = pygame.Rect(pad, h - 56, w - 2 * pad, 40)
        self.first_cell = 38
        self.big_cell = 64 if w >= 1200 else 54

    def close(self) -> None:
        self.app.stack.pop(self)

    def follow_now(self) -> None:
        self.index = -1

    def set_index(self, index: int) -> None:
        n = len(self.frames)
        if n == 0:
            return
        index = max(0, min(n - 1, index))
        self.index = -1 if index == n - 1 else index

    def _index_at(self, x: int) -> int:
        n = len(self.frames)
        track = self.track_rect.inflate(-40, 0)
        frac = (x - track.x) / max(1, track.width)
        return round(max(0.0, min(1.0, frac)) * (n - 1))

    def handle_event(self, intent) -> bool:
        kind = intent.kind
        if kind in (gi.BACK, gi.FILMSTRIP):
            self.close()
            return True
        if kind == gi.NEXT:
            self.set_index(self.selected_index + 1)
            return True
        if kind == gi.PREVIOUS:
            self.set_index(self.selected_index - 1)
            return True
        if kind == gi.EXPORT:
            self.app.export_now()
            return True
        if kind == gi.CONFIRM:
            self.follow_now()
            return True
        if intent.pos is None:
            return False
        for button in self.buttons:
            if button.handle(intent):
                return True
        scrub_area = self.track_rect.union(self.strip_rect)
        if kind == gi.POINTER_DOWN and scrub_area.collidepoint(intent.pos):
            self.dragging = True
            self.set_index(self._scrub_index(intent.pos))
            return True
        if kind == gi.POINTER_MOVE and self.dragging:
            self.set_index(self._scrub_index(intent.pos))
            return True
        if kind == gi.POINTER_UP and self.dragging:
            self.dragging = False
            self.set_index(self._scrub_index(intent.pos))
            return True
        return False

    def _scrub_index(self, pos) -> int:
        if self.strip_rect.collidepoint(pos):
            for rect, index in self._thumb_slots():
                if rect.inflate(8, 0).collidepoint(pos):
                    return index
        return self._index_at(pos[0])

    def _thumb_slots(self) -> list[tuple[pygame.Rect, int]]:
        n = len(self.frames)
        if n == 0:
            return []
        side = 5 * THUMB_CELL + 4 * 2 + 8
        count = max(1, min(n, (self.strip_rect.width + 10) // (side + 10)))
        if count == 1:
            indices = [n - 1]
        else:
            indices = sorted({round(i * (n - 1) / (count - 1)) for i in range(count)})
        spacing = side + 10
        return [(pygame.Rect(self.strip_rect.x + k * spacing, self.strip_rect.y + 18, side, side), index)
                for k, index in enumerate(indices)]

    def draw(self, surface) -> None:
        fonts = self.app.fonts
        w, h = self.size
        snap = self.app.snapshot
        titled_screen(surface, fonts, self.size, t("filmstrip.title"))
        for button in self.buttons:
            button.draw(surface, fonts)
        frames = self.frames
        if not frames:
            msg = fonts.render(t("workshop.wall.empty"), "bold", 20, theme.CREAM)
            surface.blit(msg, msg.get_rect(center=(w // 2, h // 2)))
            return
        selected = frames[self.selected_index]
        first = frames[0]
        first_surf = self.large.get(snap.generation, first, self.first_cell)
        big = self.large.get(snap.generation, selected, self.big_cell)
        top = theme.TOP_BAR_H + 40
        total = first_surf.get_width() + 32 + 80 + big.get_width() + 32
        left_x = max(theme.PAD + 16, (w - total) // 2 + 16)
        # Left: where it started. Right: the chosen moment.
        panel_first = pygame.Rect(left_x - 16, top - 14, first_surf.get_width() + 32, first_surf.get_height() + 70)
        draw.panel(surface, panel_first, fonts, t("filmstrip.first", step=number(first.step)))
        surface.blit(first_surf, (left_x, top + 24))
        note = fonts.render_block(t("filmstrip.explain"), "body", 15, theme.CREAM, panel_first.width + 40)
        surface.blit(note, (panel_first.x - 10, panel_first.bottom + 16))
        big_x = panel_first.right + 80
        panel_big = pygame.Rect(big_x - 16, top - 14, big.get_width() + 32, big.get_height() + 50)
        key = "filmstrip.now_label" if self.index < 0 else "filmstrip.selected"
        draw.panel(surface, panel_big, fonts, t(key, step=number(selected.step)))
        surface.blit(big, (big_x, top + 24))
        arrow_y = top + 24 + first_surf.get_height() // 2
        pygame.draw.polygon(surface, theme.BRASS, [(panel_first.right + 18, arrow_y - 16),
                                                   (panel_big.x - 18, arrow_y),
                                                   (panel_first.right + 18, arrow_y + 16)])
        # Thumbnails and the scrubber.
        label = fonts.render(t("filmstrip.strip", count=len(frames)), "bold", 14, theme.CREAM)
        surface.blit(label, (self.strip_rect.x, self.strip_rect.y - 4))
        slots = self._thumb_slots()
        nearest = min(slots, key=lambda slot: abs(slot[1] - self.selected_index))[1] if slots else None
        for rect, index in slots:
            thumb = self.cache.get(snap.generation, frames[index], THUMB_CELL)
            surface.blit(thumb, rect)
            if index == nearest:
                pygame.draw.rect(surface, theme.HELP_HIGHLIGHT, rect.inflate(6, 6), 3, border_radius=4)
        self.now_button.active = self.index < 0
        self.now_button.draw(surface, fonts)
        track = self.track_rect
        pygame.draw.rect(surface, (60, 43, 30), track, border_radius=theme.RADIUS)
        line = track.inflate(-40, -30)
        pygame.draw.rect(surface, theme.BAR_BG, line, border_radius=4)
        n = len(frames)
        frac = self.selected_index / max(1, n - 1)
        knob_x = line.x + int(frac * line.width)
        pygame.draw.rect(surface, theme.BRASS, (line.x, line.y, knob_x - line.x, line.height), border_radius=4)
        pygame.draw.circle(surface, theme.HELP_HIGHLIGHT if self.dragging else theme.BRASS, (knob_x, line.centery), 14)
        pygame.draw.circle(surface, theme.BRASS_DARK, (knob_x, line.centery), 14, 2)
        step_label = fonts.render(t("filmstrip.knob", step=number(selected.step)), "bold", 13, theme.INK)
        tag = step_label.get_rect(midbottom=(knob_x, line.y - 12)).inflate(12, 6)
        tag.clamp_ip(pygame.Rect(0, 0, w, h))
        pygame.draw.rect(surface, theme.PAPER, tag, border_radius=6)
        surface.blit(step_label, step_label.get_rect(center=tag.center))

    def animating(self) -> bool:
        return self.dragging

    def help_targets(self):
        targets = [(self.strip_rect, "help.filmstrip.strip"), (self.track_rect, "help.filmstrip.scrub")]
        targets += [(b.rect, b.help_key) for b in self.buttons]
        return targets
