"""Small drawing helpers shared by widgets and scenes, so everything has the same look."""

from __future__ import annotations

import pygame

from counterfeit_game.game import theme


def shadowed_rect(surface, rect, color, radius=theme.RADIUS, shadow=4, border=0, border_color=None):
    rect = pygame.Rect(rect)
    if shadow:
        shade = pygame.Surface((rect.width + shadow * 2, rect.height + shadow * 2), pygame.SRCALPHA)
        pygame.draw.rect(shade, (0, 0, 0, 70), shade.get_rect(), border_radius=radius + shadow)
        surface.blit(shade, (rect.x - shadow + 2, rect.y - shadow + 4))
    pygame.draw.rect(surface, color, rect, border_radius=radius)
    if border:
        pygame.draw.rect(surface, border_color or theme.BRASS_DARK, rect, border, border_radius=radius)


def panel(surface, rect, fonts, title: str | None = None, color=theme.FELT, title_color=theme.BRASS):
    """A felt panel with a brass rim and an engraved title; returns the content rect."""
    rect = pygame.Rect(rect)
    shadowed_rect(surface, rect, color, border=2, border_color=theme.BRASS_DARK)
    content = rect.inflate(-20, -16)
    if title:
        label = fonts.render(title.upper(), "bold", 15, title_color, max_width=rect.width - 24)
        surface.blit(label, (rect.x + 12, rect.y + 9))
        content = pygame.Rect(rect.x + 10, rect.y + 32, rect.width - 20, rect.height - 40)
    return content


def one_line(message: str | None, limit: int = 160) -> str:
    """The first line of a (possibly multi-line) message, shortened: screens show no tracebacks."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if text.endswith(":") and len(lines) > 1:
        text = f"{text} {lines[-1]}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def blit_center(surface, image, center):
    surface.blit(image, image.get_rect(center=(int(center[0]), int(center[1]))))


def dim(surface, alpha=170):
    veil = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    veil.fill((12, 8, 6, alpha))
    surface.blit(veil, (0, 0))


def pill_rect(fonts, text, center, size=16, pad=(14, 6)) -> pygame.Rect:
    label = fonts.render(text, "bold", size, theme.CREAM)
    return label.get_rect(center=center).inflate(pad[0] * 2, pad[1] * 2)


def pill(surface, fonts, text, center, color, text_color=theme.CREAM, size=16, pad=(14, 6)):
    label = fonts.render(text, "bold", size, text_color)
    rect = label.get_rect(center=center).inflate(pad[0] * 2, pad[1] * 2)
    pygame.draw.rect(surface, color, rect, border_radius=rect.height // 2)
    surface.blit(label, label.get_rect(center=rect.center))
    return rect
