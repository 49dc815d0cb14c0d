"""A walk through the kiosk's screens with the real trainer, saved as PNGs to look at.

    .venv/bin/python tools/screenshot_tour.py --out shots [--language es] [--early-step 250] [--late-step 5000]

Runs the real kiosk (trainer process, supervisor, scenes, overlays) in real time under SDL's dummy
video driver, or in a real window when ``--window`` is given (Xvfb, a desktop). A scripted visitor
taps the screen the way a touch screen reports it; a crash of the worker is injected to show the
recovery message. Saved, in order:

    session-early.png   a visitor's screen at the examiner's report of --early-step (meter early)
    countdown.png       "Are you still there?"
    attract-card.png    attract mode after that visitor, an explanation card over the training
    attract-demo.png    attract mode, the hand playing a guess
    recovery.png        the message while a crashed trainer is brought back
    session-late.png    the same visitor's screen at --late-step (meter and digits panel late)
    guess-bill.png      a round of "You be the police", the first bill
    guess-reveal.png    that bill revealed, with the police's verdict and the examiner's reading

Takes a few minutes on a 2-core CPU (most of it training towards --late-step).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--language", default="en", choices=("en", "es"))
    parser.add_argument("--early-step", type=int, default=250, help="the examiner's report for session-early")
    parser.add_argument("--late-step", type=int, default=5000)
    parser.add_argument("--size", default="1280x720", help="window size, WxH")
    parser.add_argument("--window", action="store_true", help="a real window (needs a display)")
    args = parser.parse_args()
    if not args.window:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    import pygame

    from counterfeit_game.game.scenes.guess import GuessScene
    from counterfeit_game.game.scenes.workshop import WorkshopScene
    from counterfeit_game.kiosk import session as ks
    from counterfeit_game.kiosk.app import KioskApp
    from counterfeit_game.kiosk.config import KioskConfig

    width, height = (int(part) for part in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-tour-"))
    base = KioskConfig()
    config = replace(
        base,
        session=replace(base.session, idle_timeout=25.0, countdown_seconds=12.0),
        display=replace(base.display, language=args.language, fullscreen=False),
        paths=replace(base.paths, data_dir=folder / "data", log_dir=folder / "logs"),
        training=replace(base.training, checkpoint_minutes=0.25, hang_seconds=30.0),
    )
    app = KioskApp(config, window_size=(width, height))
    clock = pygame.time.Clock()
    app.start()

    def frame() -> None:
        app.frame(min(0.1, clock.tick(30) / 1000.0))

    def run_until(condition, limit: float, what: str) -> None:
        deadline = time.monotonic() + limit
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"tour: gave up waiting for {what}")
            frame()

    def run_for(seconds: float) -> None:
        end = time.monotonic() + seconds
        run_until(lambda: time.monotonic() >= end, seconds + 1, "time")

    def save(name: str) -> None:
        app.game.request_redraw()
        frame()
        path = args.out / f"{name}.png"
        app.game.display.screenshot(path)
        print(f"{path}  (step {app.supervisor.snapshot.step}, state {app.sessions.state})", flush=True)

    def tap(logical) -> None:
        """A finger tap at a point of the logical layout, as a touch screen reports it."""
        viewport = app.game.display.viewport
        x = viewport.offset[0] + logical[0] * viewport.scale
        y = viewport.offset[1] + logical[1] * viewport.scale
        w, h = viewport.window
        for finger, mouse in ((pygame.FINGERDOWN, pygame.MOUSEBUTTONDOWN), (pygame.FINGERUP, pygame.MOUSEBUTTONUP)):
            pygame.event.post(pygame.event.Event(finger, x=x / w, y=y / h, dx=0, dy=0, finger_id=7, touch_id=1,
                                                 pressure=1.0))
            pygame.event.post(pygame.event.Event(mouse, pos=(int(x), int(y)), button=1, touch=True))
        frame()
        frame()

    def keep_visitor() -> None:
        app.sessions.touch()  # the visitor is watching: no countdown while the tour waits

    snapshot = lambda: app.supervisor.snapshot  # noqa: E731
    centre = (app.game.display.viewport.logical[0] // 2, app.game.display.viewport.logical[1] // 2)
    try:
        run_until(lambda: snapshot().step > 0, 300, "training to start")
        tap(centre)
        run_until(lambda: snapshot().quality is not None and snapshot().quality.step >= args.early_step, 120,
                  "the examiner's first report")
        run_for(1.0)  # the meter's needle settles
        save("session-early")

        run_until(lambda: app.sessions.state == ks.COUNTDOWN, 60, "the countdown")
        run_for(3.0)
        save("countdown")
        run_until(lambda: app.sessions.state == ks.ATTRACT, 60, "the reset")
        run_until(lambda: app.attract.current().kind == "card" and app.attract.current().elapsed > 1.5, 60,
                  "an attract card")
        save("attract-card")
        run_until(lambda: app.attract.current().kind == "demo" and 0.4 < (app.attract.current().guess or (0, 0))[1]
                  < 0.6, 60, "the attract demo")
        save("attract-demo")

        tap(centre)
        run_until(lambda: app.sessions.state == ks.SESSION, 5, "a new visitor")
        run_until(lambda: app.supervisor.stats["checkpoints_saved"] > 0, 60, "a checkpoint")
        app.game.client.inject_fault("crash")
        run_until(lambda: app.supervisor.recovery_visible and app.supervisor.notice is not None, 60,
                  "the recovery message")
        run_for(1.5)
        keep_visitor()
        save("recovery")

        deadline = time.monotonic() + 900
        while snapshot().step < args.late_step and time.monotonic() < deadline:
            keep_visitor()
            run_for(1.0)
        run_until(lambda: not app.supervisor.recovery_visible, 30, "the recovery message to go")
        save("session-late")

        app.game.stack.find(WorkshopScene).open_guess()
        run_until(lambda: app.game.stack.find(GuessScene) is not None, 30, "a guessing round")
        guess = app.game.stack.find(GuessScene)
        run_until(lambda: guess.round is not None, 60, "the round's bills")
        save("guess-bill")
        tap(guess.real_button.rect.center)
        run_for(1.0)
        save("guess-reveal")
    finally:
        app.close()
        pygame.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
