"""Fonts that never take the game down: a missing or broken font file falls back to pygame's own.

Also a cache of rendered text, because rendering text is the most expensive thing a frame does
when nothing else changes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

import pygame

from counterfeit_game.assets import MissingAssetError, asset_path
from counterfeit_game.game import theme

log = logging.getLogger(__name__)


class Fonts:
    """Fonts by role and size, loaded lazily; each role falls back once, with one log line."""

    def __init__(self, files: dict[str, str] | None = None, text_cache_size: int = 768):
        if not pygame.font.get_init():
            pygame.font.init()
        self._files = dict(theme.FONT_FILES if files is None else files)
        self._fonts: dict[tuple[str, int], pygame.font.Font] = {}
        self._broken: set[str] = set()
        self._text: OrderedDict = OrderedDict()
        self._text_cache_size = text_cache_size

    def get(self, role: str, size: int) -> pygame.font.Font:
        key = (role, int(size))
        font = self._fonts.get(key)
        if font is None:
            font = self._load(role, int(size))
            self._fonts[key] = font
        return font

    def _load(self, role: str, size: int) -> pygame.font.Font:
        name = self._files.get(role, self._files.get("body", ""))
        if name and name not in self._broken:
            try:
                font = pygame.font.Font(str(asset_path("fonts", name)), size)
                font.render("Ag", True, (0, 0, 0))  # some broken files only fail when used
                return font
            except (MissingAssetError, OSError, pygame.error, ValueError) as exc:
                self._broken.add(name)
                log.warning("font %s unusable (%s); using pygame's default font", name, exc)
        font = pygame.font.Font(None, round(size * 1.3))  # the default font runs small
        if role in ("bold", "display"):
            font.set_bold(True)
        return font

    def render(self, text: str, role: str, size: int, color, max_width: int | None = None):
        """A cached surface for one line of text; shrinks the size until it fits ``max_width``."""
        key = (text, role, size, tuple(color), max_width)
        surface = self._text.get(key)
        if surface is not None:
            self._text.move_to_end(key)
            return surface
        font_size = size
        surface = self.get(role, font_size).render(text, True, color)
        while max_width is not None and surface.get_width() > max_width and font_size > 9:
            font_size -= 1
            surface = self.get(role, font_size).render(text, True, color)
        self._text[key] = surface
        if len(self._text) > self._text_cache_size:
            self._text.popitem(last=False)
        return surface

    def wrap(self, text: str, role: str, size: int, width: int) -> list[str]:
        """Greedy word wrap; explicit newlines start new paragraphs."""
        font = self.get(role, size)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            words = paragraph.split(" ")
            line = ""
            for word in words:
                candidate = word if not line else f"{line} {word}"
                if font.size(candidate)[0] <= width or not line:
                    line = candidate
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
        return lines

    def render_block(self, text: str, role: str, size: int, color, width: int, line_gap: int = 4,
                     align: str = "left") -> pygame.Surface:
        """A cached surface of wrapped text, ``width`` wide."""
        key = ("\0block", text, role, size, tuple(color), width, line_gap, align)
        surface = self._text.get(key)
        if surface is not None:
            self._text.move_to_end(key)
            return surface
        lines = self.wrap(text, role, size, width)
        font = self.get(role, size)
        height = font.get_linesize()
        surface = pygame.Surface((width, max(1, len(lines) * (height + line_gap))), pygame.SRCALPHA)
        for i, line in enumerate(lines):
            rendered = font.render(line, True, color)
            if align == "center":
                x = (width - rendered.get_width()) // 2
            else:
                x = 0
            surface.blit(rendered, (x, i * (height + line_gap)))
        self._text[key] = surface
        if len(self._text) > self._text_cache_size:
            self._text.popitem(last=False)
        return surface
