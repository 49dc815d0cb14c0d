"""Banknotes: the 28x28 digit printed in the middle of an engraved bill.

Real and fake bills share one design on purpose: the only difference is the digit itself, exactly
what the police (discriminator) get to see. Rendered bills are cached by the caller, keyed by the
run's generation and step, so a bill is drawn once, not once per frame.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from counterfeit_game.game import theme
from counterfeit_game.i18n import get_language, t

BILL_ASPECT = 0.62  # height / width


def _ink_fade(side: int = 28) -> np.ndarray:
    """1 over the middle of the 28x28 plate, fading to 0 towards its corners.

    MNIST digits keep a blank margin, so real bills lose nothing; an untrained counterfeiter's
    near-uniform grey print then lands as a round smudge of ink in the portrait oval instead of a
    flat grey square that looks like a missing picture.
    """
    centre = (side - 1) / 2
    y, x = np.mgrid[0:side, 0:side]
    radius = np.hypot(x - centre, y - centre)
    return np.clip((side * 0.56 - radius) / (side * 0.13), 0.0, 1.0).astype(np.float32)


INK_FADE = _ink_fade()


def _faded(image: np.ndarray) -> np.ndarray:
    """The image's ink as 0..1 floats, with the plate's corners faded out (28x28 images only)."""
    ink = np.asarray(image, dtype=np.float32) / 255.0
    return ink * INK_FADE if ink.shape == INK_FADE.shape else ink


def digit_surface(image: np.ndarray, side: int, paper=theme.BILL_PAPER, ink=theme.BILL_INK) -> pygame.Surface:
    """A uint8 (28, 28) digit (white strokes on black, as in MNIST) as dark ink on paper."""
    alpha = _faded(image)[..., None]
    rgb = np.asarray(paper, np.float32) * (1 - alpha) + np.asarray(ink, np.float32) * alpha
    small = pygame.surfarray.make_surface(np.ascontiguousarray(rgb.astype(np.uint8).transpose(1, 0, 2)))
    return pygame.transform.smoothscale(small, (side, side))


def ink_surface(image: np.ndarray, side: int, ink=theme.BILL_INK) -> pygame.Surface:
    """The digit as ink with per-pixel alpha, so the bill's paper and engraving show around it."""
    small = pygame.Surface((image.shape[1], image.shape[0]), pygame.SRCALPHA)
    small.fill((*ink, 255))
    alpha = pygame.surfarray.pixels_alpha(small)
    alpha[:] = np.round(_faded(image) * 255).astype(np.uint8).T
    del alpha  # unlock the surface
    return pygame.transform.smoothscale(small, (side, side))


def fitted_text(fonts, text: str, role: str, size: int, color, limit: int) -> pygame.Surface:
    """One line at most ``limit`` wide: smaller type first, then condensed, as engravers do on a
    narrow plate (the fonts stop shrinking at a readable size, so long words would spill)."""
    label = fonts.render(text, role, size, color, max_width=limit)
    if label.get_width() > limit > 0:
        label = pygame.transform.smoothscale(label, (limit, label.get_height()))
    return label


def serial_text(number: str) -> str:
    """A bill's serial number in the player's language ("No. 000123", "N.º 000123")."""
    return t("bill.serial", n=number)


class BillArt:
    """The bill template for one size, and the printing of digits onto it."""

    def __init__(self, fonts, width: int):
        self.width = int(width)
        self.height = int(round(width * BILL_ASPECT))
        self.digit_side = int(self.height * 0.74)
        self._fonts = fonts
        self._language: str | None = None
        self._template: pygame.Surface | None = None
        self._header: pygame.Surface | None = None  # the bank's name on its plate, and where
        self._header_at = (0, 0)

    @property
    def template(self) -> pygame.Surface:
        """The blank bill, engraved again only when the language (the bank's name) changes."""
        language = get_language()
        if self._template is None or language != self._language:
            self._language = language
            self._template = self._make_template()
        return self._template

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def _make_template(self) -> pygame.Surface:
        w, h = self.width, self.height
        surf = pygame.Surface((w, h), pygame.SRCALPHA)
        radius = max(3, w // 28)
        pygame.draw.rect(surf, theme.BILL_PAPER, (0, 0, w, h), border_radius=radius)
        # Fine guilloche waves in the margins, as on real banknotes.
        wave_color = (196, 212, 184)
        for k in range(3):
            points_top, points_bottom = [], []
            for x in range(0, w, 2):
                y = 4 + k * 2 + 1.6 * math.sin(x / 3.2 + k)
                points_top.append((x, y))
                points_bottom.append((x, h - 5 - k * 2 - 1.6 * math.sin(x / 3.2 + k)))
            if len(points_top) > 1:
                pygame.draw.aalines(surf, wave_color, False, points_top)
                pygame.draw.aalines(surf, wave_color, False, points_bottom)
        inset = max(3, w // 40)
        pygame.draw.rect(surf, theme.BILL_BORDER, (inset, inset, w - 2 * inset, h - 2 * inset), 2,
                         border_radius=radius)
        pygame.draw.rect(surf, theme.BILL_BORDER, (inset + 3, inset + 3, w - 2 * inset - 6, h - 2 * inset - 6), 1,
                         border_radius=radius)
        # The portrait oval that holds the digit.
        side = self.digit_side
        oval = pygame.Rect(0, 0, int(side * 1.28), int(side * 1.08))
        oval.center = (w // 2, h // 2)
        pygame.draw.ellipse(surf, (236, 240, 222), oval)
        pygame.draw.ellipse(surf, theme.BILL_BORDER, oval, 1)
        # Corner seals and the bank's name.
        seal_r = max(4, h // 9)
        for cx in (inset + 6 + seal_r, w - inset - 6 - seal_r):
            pygame.draw.circle(surf, (200, 214, 186), (cx, h // 2), seal_r)
            pygame.draw.circle(surf, theme.BILL_BORDER, (cx, h // 2), seal_r, 1)
        if h >= 50:
            size = max(8, h // 11)
            room = min(oval.width, w - 2 * (inset + 6 + 2 * seal_r))
            title = fitted_text(self._fonts, t("bill.bank"), "bold", size, theme.BILL_BORDER, room)
            plate = title.get_rect(midtop=(w // 2, inset + 5)).inflate(10, 2)
            pygame.draw.rect(surf, theme.BILL_PAPER, plate)
            surf.blit(title, title.get_rect(center=plate.center))
            # Printed again over the digit: a counterfeiter's stray ink never hides the bank's name.
            self._header = surf.subsurface(plate.clip(surf.get_rect())).copy()
            self._header_at = plate.clip(surf.get_rect()).topleft
        return surf

    def render(self, image: np.ndarray, serial: str = "") -> pygame.Surface:
        bill = self.template.copy()
        digit = ink_surface(image, self.digit_side)
        bill.blit(digit, digit.get_rect(center=(self.width // 2, self.height // 2 + (2 if self.height >= 50 else 0))))
        if self._header is not None:
            bill.blit(self._header, self._header_at)
        if serial and self.height >= 50:
            size = max(7, self.height // 13)
            inset = max(3, self.width // 40)
            text = fitted_text(self._fonts, serial, "body", size, theme.BILL_BORDER, self.width // 2 - inset)
            bill.blit(text, (self.width - inset - 6 - text.get_width(), self.height - inset - 4 - text.get_height()))
        return bill
