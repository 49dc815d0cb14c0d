"""Attract mode on screen: the live workshop dimmed underneath, explanation cards and a hand that
plays a few guesses in turn, and a "Touch to play" call that never leaves the screen."""

from __future__ import annotations

import math

import numpy as np
import pygame

from counterfeit_game.game import theme
from counterfeit_game.game.scripted_client import load_real_digits
from counterfeit_game.game.widgets.bill import BillArt, serial_text
from counterfeit_game.game.widgets.stamp import StampArt, place
from counterfeit_game.i18n import t
from counterfeit_game.kiosk.attract import CARD, CARDS, DEMO_GUESSES
from counterfeit_game.kiosk.scenes.common import card, ease, fitted_block, hand, veil

# Through one demo guess (0..1): the bill arrives, the hand moves, taps, the answer shows.
HAND_MOVE = (0.12, 0.45)
HAND_TAP = (0.45, 0.55)
# The hand is right on the first and last guess and fooled on the middle one.
HAND_RIGHT = (True, False, True)
HEADING_BAND_H = 88  # the heading's own band: taller than the workshop's top bar, which it hides


class AttractOverlay:
    def __init__(self, fonts, rng=None):
        self.fonts = fonts
        self.rng = rng or np.random.default_rng(0)
        self.bill_art = BillArt(fonts, 300)
        self.stamps = StampArt(fonts, 170, fit=self.bill_art.size)
        self._demo_index = None  # which demo beat the questions below belong to
        self._questions: list[tuple[pygame.Surface, bool]] = []
        self._reals = load_real_digits(200)
        self.band_rect = pygame.Rect(0, 0, 0, 0)  # where the last frame put things, for tests
        self.heading_rect = pygame.Rect(0, 0, 0, 0)
        self.card_rect: pygame.Rect | None = None

    # -- the demo's bills ---------------------------------------------------------------------------
    def _prepare_demo(self, beat_index: int, bills) -> None:
        """Three bills for this demo: real ones and the counterfeiter's newest fakes, alternating."""
        self._demo_index = beat_index
        self._questions = []
        for number in range(DEMO_GUESSES):
            is_real = number % 2 == 1
            if bills is not None and len(bills.fake) and len(bills.real):
                pool = bills.real if is_real else bills.fake
                image = np.asarray(pool[int(self.rng.integers(len(pool)))])
            elif is_real:
                image = self._reals[int(self.rng.integers(len(self._reals)))]
            else:
                image = self.rng.integers(0, 255, (28, 28), dtype=np.uint8)
            surface = self.bill_art.render(image, serial_text(f"{int(self.rng.integers(100000, 999999)):06d}"))
            self._questions.append((surface, is_real))

    # -- drawing -----------------------------------------------------------------------------------
    def draw(self, surface, beat, snapshot, now: float, recovery: bool = False) -> None:
        """``recovery``: the recovery message is on screen, so the card or demo gives it the room
        rather than both being printed over each other; the call to play stays."""
        w, h = surface.get_size()
        veil(surface, 175)
        self._draw_heading(surface)
        self.card_rect = None
        if not recovery:
            area = pygame.Rect(0, 0, min(900, w - 120), 420)
            area.center = (w // 2, 345)
            if beat.kind == CARD:
                self._draw_card(surface, area, beat)
            else:
                if self._demo_index != beat.index:
                    self._prepare_demo(beat.index, snapshot.bills)
                self._draw_demo(surface, area, beat)
            self.card_rect = area
        self._draw_call(surface, now)

    def _draw_heading(self, surface) -> None:
        """The big question on its own dark band over the top bar, so the workshop's title and
        step counter never show through the letters."""
        w, _ = surface.get_size()
        fonts = self.fonts
        self.band_rect = pygame.Rect(0, 0, w, HEADING_BAND_H)
        band = pygame.Surface(self.band_rect.size, pygame.SRCALPHA)
        band.fill((20, 13, 9, 255))
        surface.blit(band, self.band_rect)
        pygame.draw.line(surface, theme.BRASS_DARK, (0, self.band_rect.bottom - 1), (w, self.band_rect.bottom - 1), 2)
        text = t("kiosk.attract.title")
        title = fonts.render(text, "display", 54, theme.BRASS, max_width=w - 160)
        shadow = fonts.render(text, "display", 54, (8, 5, 3), max_width=w - 160)
        room = HEADING_BAND_H - 12
        if title.get_height() > room:
            scale = room / title.get_height()
            size = (int(title.get_width() * scale), room)
            title = pygame.transform.smoothscale(title, size)
            shadow = pygame.transform.smoothscale(shadow, size)
        center = self.band_rect.center
        surface.blit(shadow, shadow.get_rect(center=(center[0] + 3, center[1] + 3)))
        self.heading_rect = title.get_rect(center=center)
        surface.blit(title, self.heading_rect)

    def _draw_card(self, surface, area, beat) -> None:
        fonts = self.fonts
        # Slide in from the right, hold, fade away at the end.
        p = beat.elapsed
        dx = int(120 * (1 - ease(p / 0.5))) if p < 0.5 else 0
        rect = card(surface, area.move(dx, 0))
        number = CARDS.index(beat.name) + 1 if beat.name in CARDS else 1
        badge = pygame.Rect(0, 0, 64, 64)
        badge.center = (rect.x + 70, rect.y + 72)
        pygame.draw.circle(surface, theme.BRASS_DARK, badge.center, 34)
        digit = fonts.render(str(number), "display", 36, theme.CREAM)
        surface.blit(digit, digit.get_rect(center=badge.center))
        title = fonts.render(t(beat.title_key), "display", 40, theme.INK, max_width=rect.width - 160)
        surface.blit(title, title.get_rect(midleft=(rect.x + 124, rect.y + 72)))
        body = fitted_block(fonts, t(beat.body_key), "body", 30, theme.INK, rect.width - 100,
                            rect.height - 170, align="left")
        surface.blit(body, (rect.x + 50, rect.y + 135))
        for i in range(len(CARDS)):  # where we are in the story
            color = theme.BRASS if i == number - 1 else theme.INK_SOFT
            pygame.draw.circle(surface, color, (rect.centerx + (i - (len(CARDS) - 1) / 2) * 26, rect.bottom - 26), 7)

    def _draw_demo(self, surface, area, beat) -> None:
        fonts = self.fonts
        rect = card(surface, area, color=(52, 84, 66), border=theme.BRASS)
        number, p = beat.guess
        heading = fonts.render(t("kiosk.attract.demo"), "display", 34, theme.CREAM, max_width=rect.width - 60)
        surface.blit(heading, heading.get_rect(midtop=(rect.centerx, rect.y + 18)))
        bill, is_real = self._questions[number]
        right = HAND_RIGHT[number % len(HAND_RIGHT)]
        says_real = is_real if right else not is_real
        bill_center = (rect.x + 40 + bill.get_width() // 2, rect.centery + 30)
        slide = ease(p / HAND_MOVE[0])
        surface.blit(bill, bill.get_rect(center=(bill_center[0] - int(80 * (1 - slide)), bill_center[1])))
        # The two answers, as on the real guessing screen.
        buttons = {}
        for k, (real, label, color) in enumerate(((True, t("guess.real"), theme.REAL_GREEN),
                                                   (False, t("guess.fake"), theme.FAKE_RED))):
            button = pygame.Rect(0, 0, 210, 86)
            button.topleft = (rect.right - 260, rect.y + 110 + k * 120)
            tapped = p >= HAND_TAP[0] and real == says_real
            shade = tuple(int(c * 0.7) for c in color) if tapped else color
            pygame.draw.rect(surface, (20, 13, 9), button.move(0, 5), border_radius=12)
            pygame.draw.rect(surface, shade, button.move(0, 3 if tapped else 0), border_radius=12)
            text = fonts.render(label, "bold", 32, theme.CREAM, max_width=button.width - 20)
            surface.blit(text, text.get_rect(center=button.move(0, 3 if tapped else 0).center))
            buttons[real] = button
        # The hand: from below the card to the button it chooses, a tap, then it rests.
        target = buttons[says_real].center
        start = (rect.centerx + 40, rect.bottom + 80)
        move = ease((p - HAND_MOVE[0]) / (HAND_MOVE[1] - HAND_MOVE[0]))
        x = start[0] + (target[0] - start[0]) * move
        y = start[1] + (target[1] - start[1]) * move
        pressing = HAND_TAP[0] <= p < HAND_TAP[1]
        if pressing:
            ring = (p - HAND_TAP[0]) / (HAND_TAP[1] - HAND_TAP[0])
            pygame.draw.circle(surface, theme.CREAM, target, int(20 + 40 * ring), 3)
        art = hand(0.9, pressing)
        surface.blit(art, art.get_rect(midtop=(int(x) + 8, int(y) - 8 + (6 if pressing else 0))))
        if p >= HAND_TAP[1]:  # the answer: the truth stamped on the bill
            age = (p - HAND_TAP[1]) * beat.duration / DEMO_GUESSES
            stamp = self.stamps.frame(is_real, age)
            if stamp is not None:
                surface.blit(stamp, place(stamp, bill_center, bill.get_rect(center=bill_center)))
            verdict = t("kiosk.attract.demo.right" if right else "kiosk.attract.demo.wrong")
            truth = t("kiosk.attract.demo.was_real" if is_real else "kiosk.attract.demo.was_fake")
            color = theme.REAL_GREEN if right else theme.FAKE_RED
            line = fonts.render(f"{verdict} {truth}", "bold", 26, theme.CREAM, max_width=rect.width - 60)
            box = line.get_rect(midbottom=(rect.centerx, rect.bottom - 16)).inflate(28, 12)
            pygame.draw.rect(surface, color, box, border_radius=box.height // 2)
            surface.blit(line, line.get_rect(center=box.center))
        for i in range(DEMO_GUESSES):
            color = theme.BRASS if i == number else theme.FELT_LINE
            pygame.draw.circle(surface, color, (rect.x + 40 + i * 24, rect.y + 36), 7)

    def _draw_call(self, surface, now: float) -> None:
        """The one thing to do: a big, gently pulsing "Touch to play"."""
        w, h = surface.get_size()
        pulse = 0.5 + 0.5 * math.sin(now * 3.2)
        label = self.fonts.render(t("kiosk.attract.touch_to_play"), "display", 46, theme.INK, max_width=w - 240)
        box = label.get_rect(center=(w // 2, h - 84)).inflate(90, 34)
        glow = box.inflate(int(14 + 22 * pulse), int(14 + 22 * pulse))
        pygame.draw.rect(surface, theme.BRASS_DARK, glow, 4, border_radius=glow.height // 2)
        pygame.draw.rect(surface, theme.BRASS, box, border_radius=box.height // 2)
        surface.blit(label, label.get_rect(center=box.center))
        finger = hand(0.55, pulse > 0.85)
        surface.blit(finger, finger.get_rect(midtop=(box.right - 10, box.centery - 6)))
