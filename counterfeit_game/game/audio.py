"""Sound effects synthesized at start-up, so there are no sound files to lose.

No sound card, a broken driver or ``sound=False`` all give a silent Audio that accepts the same
calls; the reason is logged once. Rapid repeats of one sound (stamps at full training speed) are
thinned out so the desk does not turn into a drum roll.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import numpy as np
import pygame

log = logging.getLogger(__name__)

RATE = 22050
MIN_REPEAT_S = {"stamp_real": 0.12, "stamp_fake": 0.12, "click": 0.05}


def _envelope(n: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(n) / RATE
    env = np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-t / max(decay, 1e-4))
    return env


def synthesize(name: str, seed: int = 7) -> np.ndarray:
    """Mono float waveform in [-1, 1] for one named effect."""
    rng = np.random.default_rng(seed)
    if name in ("stamp_real", "stamp_fake"):
        n = int(RATE * 0.22)
        t = np.arange(n) / RATE
        thump = np.sin(2 * np.pi * (95 if name == "stamp_real" else 70) * t) * _envelope(n, 0.002, 0.05)
        slap = rng.normal(0, 1, n) * _envelope(n, 0.0005, 0.012)
        wave = 0.9 * thump + 0.45 * slap
        if name == "stamp_fake":
            wave += 0.25 * np.sign(np.sin(2 * np.pi * 140 * t)) * _envelope(n, 0.01, 0.06)
        return wave
    if name == "click":
        n = int(RATE * 0.04)
        return rng.normal(0, 1, n) * _envelope(n, 0.0005, 0.006) * 0.6
    if name in ("correct", "wrong", "round_end"):
        notes = {"correct": (660, 880), "wrong": (300, 220), "round_end": (523, 659, 784, 1047)}[name]
        parts = []
        for freq in notes:
            n = int(RATE * (0.11 if name != "round_end" else 0.14))
            t = np.arange(n) / RATE
            tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t)
            parts.append(tone * _envelope(n, 0.005, 0.08) * 0.5)
        return np.concatenate(parts)
    raise KeyError(name)


SOUND_NAMES = ("stamp_real", "stamp_fake", "click", "correct", "wrong", "round_end")


class Audio:
    def __init__(self, enabled: bool = True, volume: float = 0.6, now: Callable[[], float] = time.monotonic):
        self._sounds: dict[str, pygame.mixer.Sound] = {}
        self._last_played: dict[str, float] = {}
        self._now = now
        self.volume = max(0.0, min(1.0, float(volume)))
        self.enabled = False
        self.reason = "sound off in settings"
        if not enabled:
            log.info("sound is off (settings)")
            return
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=RATE, size=-16, channels=2, buffer=512)
            frequency, _size, channels = pygame.mixer.get_init()
            for name in SOUND_NAMES:
                self._sounds[name] = self._make_sound(synthesize(name), frequency, channels)
        except (pygame.error, ValueError, TypeError, OSError) as exc:
            self.reason = f"no usable sound device ({exc})"
            log.warning("sound off: %s", self.reason)
            self._sounds.clear()
            return
        self.enabled = True
        self.reason = ""

    @staticmethod
    def _make_sound(wave: np.ndarray, frequency: int, channels: int) -> pygame.mixer.Sound:
        if frequency != RATE:
            positions = np.linspace(0, len(wave) - 1, int(len(wave) * frequency / RATE))
            wave = np.interp(positions, np.arange(len(wave)), wave)
        pcm = (np.clip(wave, -1, 1) * 30000).astype(np.int16)
        if channels > 1:
            pcm = np.repeat(pcm[:, None], channels, axis=1)
        return pygame.sndarray.make_sound(np.ascontiguousarray(pcm))

    def play(self, name: str, volume: float = 1.0) -> bool:
        """Plays ``name``; returns whether it actually played (False when silent or thinned)."""
        if not self.enabled:
            return False
        sound = self._sounds.get(name)
        if sound is None:
            return False
        now = self._now()
        if now - self._last_played.get(name, -1e9) < MIN_REPEAT_S.get(name, 0.0):
            return False
        self._last_played[name] = now
        try:
            sound.set_volume(self.volume * volume)
            sound.play()
        except pygame.error as exc:
            log.warning("sound off after a playback error: %s", exc)
            self.enabled = False
            return False
        return True

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(1.0, float(volume)))
