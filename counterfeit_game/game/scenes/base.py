"""Scenes and the scene stack.

A scene receives intents (never raw pygame events) in ``handle_event``; ``update(dt)`` advances it
and ``draw(surface)`` paints it on the logical canvas. An overlay (``opaque = False``) is drawn on
top of the scene below it, which keeps updating; popping the overlay returns to that scene as it
was. Anything that holds the app, a kiosk controller included, may push, pop or replace scenes.
"""

from __future__ import annotations

import pygame


class Scene:
    opaque = True  # False: the scenes below are drawn (and updated) first
    name = "scene"

    def __init__(self, app):
        self.app = app

    # -- life cycle ---------------------------------------------------------------------------
    def on_enter(self) -> None:
        """Pushed on the stack."""

    def on_exit(self) -> None:
        """Popped or replaced."""

    def on_cover(self) -> None:
        """Another scene was pushed above this one."""

    def on_uncover(self) -> None:
        """The scene above was popped: this one is on top again."""

    def layout(self, size: tuple[int, int]) -> None:
        """The logical canvas is ``size``; place widgets."""

    # -- the frame ----------------------------------------------------------------------------
    def handle_event(self, intent) -> bool:
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface: pygame.Surface) -> None:
        pass

    def animating(self) -> bool:
        """Whether the next frame would look different without new input or a new snapshot.

        The loop skips drawing (and the flip) when no visible scene animates, nothing was
        touched and the trainer sent nothing new: on a 2-core machine that CPU goes to training.
        """
        return True

    def help_targets(self) -> list[tuple[pygame.Rect, str]]:
        """(rect, help key) for every element the help overlay can explain."""
        return []


class SceneStack:
    def __init__(self, size_of):
        self._scenes: list[Scene] = []
        self._size_of = size_of  # () -> the logical canvas size, for layout on push

    def __len__(self) -> int:
        return len(self._scenes)

    def __iter__(self):
        return iter(list(self._scenes))

    @property
    def top(self) -> Scene | None:
        return self._scenes[-1] if self._scenes else None

    def find(self, cls) -> Scene | None:
        return next((s for s in reversed(self._scenes) if isinstance(s, cls)), None)

    def push(self, scene: Scene) -> Scene:
        if self._scenes:
            self._scenes[-1].on_cover()
        self._scenes.append(scene)
        scene.layout(self._size_of())
        scene.on_enter()
        return scene

    def pop(self, scene: Scene | None = None) -> Scene | None:
        """Pops the top scene (or ``scene`` and everything above it)."""
        if not self._scenes:
            return None
        target = self._scenes[-1] if scene is None else scene
        if target not in self._scenes:
            return None
        while self._scenes:
            popped = self._scenes.pop()
            popped.on_exit()
            if popped is target:
                break
        if self._scenes:
            self._scenes[-1].on_uncover()
        return target

    def replace(self, scene: Scene) -> Scene:
        """Swaps the top scene for ``scene``."""
        if self._scenes:
            self._scenes.pop().on_exit()
        self._scenes.append(scene)
        scene.layout(self._size_of())
        scene.on_enter()
        return scene

    def visible(self) -> list[Scene]:
        """The scenes to update and draw: the top one and, through overlays, those below it."""
        start = 0
        for i in range(len(self._scenes) - 1, -1, -1):
            if self._scenes[i].opaque:
                start = i
                break
        return self._scenes[start:]

    def dispatch(self, intent) -> bool:
        """Top scene first; an opaque scene stops the intent from reaching those below."""
        for scene in reversed(self._scenes):
            if scene.handle_event(intent):
                return True
            if scene.opaque:
                return False
        return False

    def relayout(self, size) -> None:
        for scene in self._scenes:
            scene.layout(size)
