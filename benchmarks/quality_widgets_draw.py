"""Drawing cost of the forgery-quality meter and the digits panel, headless.

    .venv/bin/python benchmarks/quality_widgets_draw.py

Prints the milliseconds per frame when the report has not changed (a blit and the needle) and
when a new report arrives (the panels are rendered again), for the sizes the workshop uses.
Asserts nothing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pygame  # noqa: E402

from counterfeit_game.game.fonts import Fonts  # noqa: E402
from counterfeit_game.game.widgets.digit_coverage import DigitCoverage  # noqa: E402
from counterfeit_game.game.widgets.quality_meter import QualityMeter  # noqa: E402
from counterfeit_game.snapshot import QualityReport  # noqa: E402

METER_RECT, PANEL_RECT = (0, 0, 330, 110), (0, 120, 440, 150)


def main() -> int:
    pygame.init()
    fonts, surface = Fonts(), pygame.Surface((1280, 720))
    reports = [QualityReport(step=100 * i, fed=200.0 / (1 + i), score=10.0 + i, confidence=0.8,
                             coverage=min(10, i), histogram=tuple(range(10 + i, 20 + i)))
               for i in range(60)]
    meter, panel = QualityMeter(fonts), DigitCoverage(fonts)
    meter.draw(surface, METER_RECT, reports[0])
    panel.draw(surface, PANEL_RECT, reports[0])
    frames = 2000
    started = time.perf_counter()
    for _ in range(frames):
        meter.update(1 / 60)
        panel.update(1 / 60)
        meter.draw(surface, METER_RECT, reports[0])
        panel.draw(surface, PANEL_RECT, reports[0])
    steady = (time.perf_counter() - started) / frames * 1000
    started = time.perf_counter()
    for report in reports[1:]:
        meter.draw(surface, METER_RECT, report)
        panel.draw(surface, PANEL_RECT, report)
    fresh = (time.perf_counter() - started) / (len(reports) - 1) * 1000
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print(f"meter + digits panel, same report: {steady:.3f} ms per frame")
    print(f"meter + digits panel, new report:  {fresh:.2f} ms (once per report)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
