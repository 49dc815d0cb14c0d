"""The window and the logical canvas every scene draws on.

Scenes draw on a canvas 720 logical pixels high; its width follows the window's shape between
1024 and 1600, so a wide window gets a wider layout (scenes reflow) and anything more extreme is
letterboxed. The canvas is scaled to the window once per frame.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import pygame

from counterfeit_game.errors import UserFacingError
from counterfeit_game.native_logs import native_stderr_muted
from counterfeit_game.game import theme

log = logging.getLogger(__name__)

MIN_WINDOW = (320, 180)


HEADLESS_DRIVERS = ("offscreen", "dummy")


def require_visible_display() -> None:
    """Stop before opening a window nobody can see.

    Without DISPLAY/WAYLAND_DISPLAY, SDL quietly falls back to an invisible driver and the game would
    train unseen forever. Choosing such a driver on purpose (SDL_VIDEODRIVER=dummy, as the tests and
    benchmarks do) is still allowed."""
    if os.environ.get("SDL_VIDEODRIVER"):
        return
    if not pygame.display.get_init():
        try:
            with native_stderr_muted(True):  # SDL's Wayland probe prints an XDG_RUNTIME_DIR error
                pygame.display.init()
        except pygame.error:
            return  # opening the window reports it, with SDL's reason
    if pygame.display.get_driver() in HEADLESS_DRIVERS:
        pygame.display.quit()
        raise UserFacingError(_no_display_reason() + "; for a headless run use `counterfeit-game train`")


def _no_display_reason() -> str:
    """Why SDL fell back to an invisible driver: nothing named, or a display named but not there."""
    named = [f"{name}={os.environ[name]}" for name in ("DISPLAY", "WAYLAND_DISPLAY") if os.environ.get(name)]
    if not named:
        return "no display to open the game window on (DISPLAY is not set)"
    return (f"cannot open the display {' or '.join(named)} (is its server running, and may this user "
            "use it?)")


class Viewport:
    """Where the logical canvas sits in a window of a given size."""

    def __init__(self, window_size: tuple[int, int]):
        self.resize(window_size)

    def resize(self, window_size: tuple[int, int]) -> None:
        width, height = max(1, int(window_size[0])), max(1, int(window_size[1]))
        self.window = (width, height)
        logical_w = round(theme.LOGICAL_HEIGHT * width / height)
        logical_w = max(theme.MIN_LOGICAL_WIDTH, min(theme.MAX_LOGICAL_WIDTH, logical_w))
        self.logical = (logical_w, theme.LOGICAL_HEIGHT)
        self.scale = min(width / logical_w, height / theme.LOGICAL_HEIGHT)
        self.scaled = (max(1, round(logical_w * self.scale)), max(1, round(theme.LOGICAL_HEIGHT * self.scale)))
        self.offset = ((width - self.scaled[0]) // 2, (height - self.scaled[1]) // 2)

    @property
    def identity(self) -> bool:
        return self.scaled == self.logical and self.offset == (0, 0)

    def to_logical(self, pos) -> tuple[int, int]:
        x = (pos[0] - self.offset[0]) / self.scale
        y = (pos[1] - self.offset[1]) / self.scale
        return int(x), int(y)


class Display:
    """Owns the pygame window. ``canvas`` is what scenes draw on; ``present()`` shows it."""

    def __init__(self, size=(1280, 720), fullscreen: bool = False, title: str = "Counterfeit"):
        if not pygame.display.get_init():
            pygame.display.init()
        pygame.display.set_caption(title)
        self.fullscreen = fullscreen
        self._windowed_size = self._fit_to_desktop(size)
        self.window = self._open(self._windowed_size, fullscreen)
        self.viewport = Viewport(self.window.get_size())
        self.canvas = pygame.Surface(self.viewport.logical).convert()
        self._scaled_buffer: pygame.Surface | None = None
        self.layout_version = 0  # bumps whenever the logical size changes, so scenes reflow

    @staticmethod
    def _fit_to_desktop(size) -> tuple[int, int]:
        width, height = max(MIN_WINDOW[0], int(size[0])), max(MIN_WINDOW[1], int(size[1]))
        if pygame.display.get_driver() in ("dummy", "offscreen"):
            return width, height  # no real desktop: keep the size asked for
        try:
            desktops = pygame.display.get_desktop_sizes()
        except pygame.error:
            desktops = []
        if desktops and desktops[0][0] > 0 and desktops[0][1] > 0:
            dw, dh = desktops[0]
            if width > dw or height > dh:
                factor = min(dw / width, dh / height)
                width, height = int(width * factor), int(height * factor)
        return width, height

    def _open(self, size, fullscreen: bool) -> pygame.Surface:
        if fullscreen:
            try:
                return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
            except pygame.error as exc:
                log.warning("fullscreen unavailable (%s); using a window", exc)
                self.fullscreen = False
        window = pygame.display.set_mode(size, pygame.RESIZABLE)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                pygame.Window.from_display_module().minimum_size = MIN_WINDOW
        except (AttributeError, pygame.error, ValueError):
            pass
        return window

    def toggle_fullscreen(self) -> None:
        self.window = self._open(self._windowed_size, not self.fullscreen)
        self.fullscreen = not self.fullscreen if self.window.get_flags() & pygame.FULLSCREEN else False
        self.resized(self.window.get_size())

    def resized(self, size=None) -> None:
        """Follow a window size change (the event's size, or the window's own)."""
        surface = pygame.display.get_surface()
        if surface is not None:
            self.window = surface
        size = self.window.get_size() if size is None else size
        if not self.fullscreen:
            self._windowed_size = size
        old_logical = self.viewport.logical
        self.viewport.resize(self.window.get_size())
        if self.viewport.logical != old_logical:
            self.canvas = pygame.Surface(self.viewport.logical).convert()
            self.layout_version += 1
        self._scaled_buffer = None

    def present(self) -> None:
        viewport = self.viewport
        if viewport.identity and self.window.get_size() == viewport.logical:
            self.window.blit(self.canvas, (0, 0))
        else:
            if self._scaled_buffer is None or self._scaled_buffer.get_size() != viewport.scaled:
                self._scaled_buffer = pygame.Surface(viewport.scaled).convert()
                self.window.fill((0, 0, 0))
            if viewport.scale < 1.0 or viewport.scale > 1.0:
                pygame.transform.smoothscale(self.canvas, viewport.scaled, self._scaled_buffer)
            else:
                self._scaled_buffer.blit(self.canvas, (0, 0))
            self.window.blit(self._scaled_buffer, viewport.offset)
        pygame.display.flip()

    def screenshot(self, path) -> None:
        """The window as a PNG at ``path``, its folder made if needed."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.window, str(path))
