""""You be the police": one bill at a time, real or fake; the player's call against the police's.

Training pauses for the length of a round (and resumes afterwards if it was running): every bill
in a round then comes from the same counterfeiter, and the police's verdicts come from the same
police, so the player and the police sit exactly the same exam. The screen says so.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme
from counterfeit_game.game.scenes.backdrop import titled_screen
from counterfeit_game.game.scenes.base import Scene
from counterfeit_game.game.scores import RoundResult
from counterfeit_game.game.widgets import draw
from counterfeit_game.game.widgets.bill import BillArt, serial_text
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.game.widgets.stamp import StampArt, place
from counterfeit_game.game.widgets.key_hints import key_hint
from counterfeit_game.i18n import t

log = logging.getLogger(__name__)

SAMPLE_TIMEOUT_S = 4.0  # then the round uses the newest bills already on the desk
AUTO_NEXT_S = 8.0
# The reveal names the examiner's digit from this confidence on. Lower than the digits panel's
# 0.95: that one counts mastered digits, this one describes a single bill (and says how sure).
REVEAL_CONFIDENT = 0.5
MAX_BEST_OF = 16


@dataclass(frozen=True)
class Question:
    image: np.ndarray
    is_real: bool
    police_score: float  # the police's P(real)
    examiner_digit: int | None = None  # the examiner's reading of this bill, if the sample had one
    examiner_confidence: float = float("nan")

    @property
    def police_says_real(self) -> bool:
        return self.police_score >= 0.5


def examiner_text(question: Question) -> str | None:
    """What the reveal says about the examiner's reading; None when there is nothing to say.

    A confident reading is named with how sure the examiner is. A fake it cannot read is worth
    saying (the counterfeiter printed no digit at all); a real bill it cannot read is just sloppy
    handwriting, so the reveal stays quiet about it.
    """
    digit, confidence = question.examiner_digit, question.examiner_confidence
    if digit is None or not 0 <= digit <= 9 or not math.isfinite(confidence):
        return None
    if confidence >= REVEAL_CONFIDENT:
        percent = min(99, int(confidence * 100))
        return t("quality.reveal.reads_sure", digit=digit, percent=percent)
    return None if question.is_real else t("quality.reveal.unreadable")


def sample_readings(sample) -> dict[bool, tuple[np.ndarray, np.ndarray]]:
    """{is_real: (digits, confidences)} from a Sample; a kind is left out when it has no reading.

    Empty arrays mean the trainer had no examiner; arrays that do not match the bills are ignored
    rather than trusted.
    """
    readings = {}
    bills = sample.bills
    for is_real, images, prefix in ((True, bills.real, "real"), (False, bills.fake, "fake")):
        digits = np.asarray(getattr(sample, f"{prefix}_digits", ()), dtype=np.float64).reshape(-1)
        confidence = np.asarray(getattr(sample, f"{prefix}_digit_confidence", ()), dtype=np.float64).reshape(-1)
        if len(digits) and len(digits) == len(confidence) == len(images):
            readings[is_real] = (digits, confidence)
    return readings


class GuessRound:
    """The rules of one round, apart from any drawing (tests play it directly)."""

    def __init__(self, questions: list[Question], step: int = 0):
        self.questions = questions
        self.step = step
        self.answers: list[bool] = []  # the player's "real?" per question
        self.streak = 0
        self.best_streak = 0

    @staticmethod
    def from_bills(bills, length: int, rng, step: int = 0, readings=None) -> "GuessRound":
        """Half real, half fake (odd lengths: a coin decides), in a random order.

        ``readings`` (see ``sample_readings``) adds the examiner's reading to each question."""
        readings = readings or {}
        fakes = length // 2 + (rng.random() < 0.5 if length % 2 else 0)
        kinds = [False] * fakes + [True] * (length - fakes)
        rng.shuffle(kinds)
        real_pool = list(range(len(bills.real)))
        fake_pool = list(range(len(bills.fake)))
        rng.shuffle(real_pool)
        rng.shuffle(fake_pool)
        questions = []
        for is_real in kinds:
            pool = real_pool if is_real else fake_pool
            if not pool:  # not enough bills of one kind: reuse (still scored honestly)
                pool.extend(range(len(bills.real if is_real else bills.fake)))
            i = pool.pop()
            image = bills.real[i] if is_real else bills.fake[i]
            score = bills.real_scores[i] if is_real else bills.fake_scores[i]
            digit, confidence = None, float("nan")
            if is_real in readings:
                digits, confidences = readings[is_real]
                if math.isfinite(digits[i]):
                    digit, confidence = int(digits[i]), float(confidences[i])
            questions.append(Question(np.asarray(image), is_real, float(score), digit, confidence))
        return GuessRound(questions, step)

    @property
    def index(self) -> int:
        return len(self.answers)

    @property
    def finished(self) -> bool:
        return len(self.answers) >= len(self.questions)

    @property
    def current(self) -> Question | None:
        return None if self.finished else self.questions[self.index]

    def answer(self, says_real: bool) -> bool:
        """Records the player's call on the current bill; returns whether it was right."""
        question = self.questions[self.index]
        self.answers.append(bool(says_real))
        right = says_real == question.is_real
        self.streak = self.streak + 1 if right else 0
        self.best_streak = max(self.best_streak, self.streak)
        return right

    def score(self) -> tuple[int, int]:
        """(player right, police right) so far."""
        done = self.questions[: len(self.answers)]
        player = sum(a == q.is_real for a, q in zip(self.answers, done))
        police = sum(q.police_says_real == q.is_real for q in done)
        return player, police

    def result(self, when: float = 0.0) -> RoundResult:
        done = self.questions[: len(self.answers)]
        player, police = self.score()
        fakes = [(a, q) for a, q in zip(self.answers, done) if not q.is_real]
        reals = [(a, q) for a, q in zip(self.answers, done) if q.is_real]
        return RoundResult(
            correct=player, total=len(done), police_correct=police,
            fakes_caught=sum(not a for a, _ in fakes), fakes_total=len(fakes),
            reals_passed=sum(a for a, _ in reals), reals_total=len(reals),
            best_streak=self.best_streak,
            police_fakes_caught=sum(not q.police_says_real for _, q in fakes),
            police_reals_passed=sum(q.police_says_real for _, q in reals),
            step=self.step, when=when)


class GuessScene(Scene):
    name = "guess"

    def __init__(self, app, resume_after: bool | None = None):
        super().__init__(app)
        self.size = (theme.LOGICAL_WIDTH, theme.LOGICAL_HEIGHT)
        self.length = app.settings.guess_round_length
        self.round: GuessRound | None = None
        self.request_id: int | None = None
        self.waited = 0.0
        self.revealed = False
        self.reveal_t = 0.0
        self.last_right = False
        self.resume_after = resume_after  # None: decided on enter from the current state
        self.art = BillArt(app.fonts, 420)
        self.stamps = StampArt(app.fonts, 220, fit=self.art.size)
        self._bill_surface: pygame.Surface | None = None
        self.real_button = Button((0, 0, 1, 1), t("guess.real"), lambda: self.answer(True), style="real",
                                  size=30, help_key="help.guess.real", hint=key_hint(app.settings, "keys.r"))
        self.fake_button = Button((0, 0, 1, 1), t("guess.fake"), lambda: self.answer(False), style="fake",
                                  size=30, help_key="help.guess.fake", hint=key_hint(app.settings, "keys.f"))
        self.next_button = Button((0, 0, 1, 1), t("guess.next"), self.next_bill, style="primary", size=24,
                                  help_key="help.guess.next", hint=key_hint(app.settings, "keys.enter"))
        self.quit_button = Button((0, 0, 1, 1), t("guess.quit"), self.leave, style="quiet",
                                  help_key="help.guess.quit", hint=key_hint(app.settings, "keys.esc"))

    # -- life cycle -------------------------------------------------------------------------------
    def on_enter(self) -> None:
        app = self.app
        if self.resume_after is None:
            self.resume_after = not app.paused
        if app.settings.guess_pauses_training:
            app.set_paused(True)
        self.request_id = self._request_sample(max(self.length, 8))
        log.info("guess round started (training %s)", "paused" if app.paused else "running")

    def difficulty(self) -> tuple[float, int]:
        """(fake_age, best_of) from the settings, made safe: a bad value plays a normal round."""
        settings = self.app.settings
        try:
            fake_age = float(settings.guess_fake_age)
        except (TypeError, ValueError):
            fake_age = 1.0
        if not math.isfinite(fake_age) or not 0.0 < fake_age <= 1.0:
            fake_age = 1.0
        try:
            best_of = int(settings.guess_best_of)
        except (TypeError, ValueError):
            best_of = 1
        return fake_age, max(1, min(MAX_BEST_OF, best_of))

    def _request_sample(self, n: int):
        fake_age, best_of = self.difficulty()
        try:
            return self.app.client.request_sample(n, fake_age=fake_age, best_of=best_of)
        except TypeError:  # a trainer without difficulty levels: every round is a normal one
            log.info("this trainer takes no difficulty; asking for a plain sample")
            return self.app.client.request_sample(n)

    def leave(self) -> None:
        """Back to the workshop; training resumes if the round paused it."""
        if self.resume_after:
            self.app.set_paused(False)
        self.app.stack.pop(self)

    def layout(self, size) -> None:
        self.size = w, h = size
        cx = w // 2 - 150
        self.bill_center = (cx, 330)
        self.real_button.rect = pygame.Rect(cx - 250, h - 150, 240, 96)
        self.fake_button.rect = pygame.Rect(cx + 10, h - 150, 240, 96)
        self.next_button.rect = pygame.Rect(cx - 150, h - 140, 300, 80)
        self.quit_button.rect = pygame.Rect(w - theme.PAD - 200, 6, 200, theme.TOP_BAR_H - 12)
        self.side_rect = pygame.Rect(w - theme.PAD - 330, theme.TOP_BAR_H + 20, 330, h - theme.TOP_BAR_H - 40)

    # -- the round ----------------------------------------------------------------------------------
    def _begin(self, bills, readings=None) -> None:
        self.round = GuessRound.from_bills(bills, self.length, self.app.rng, step=self.app.snapshot.step,
                                           readings=readings)
        self._show_question()

    def _show_question(self) -> None:
        self.revealed = False
        self.reveal_t = 0.0
        question = self.round.current
        if question is not None:
            self._bill_surface = self.art.render(question.image, serial_text(f"{self.round.index + 1:02d}/{self.length:02d}"))

    def answer(self, says_real: bool) -> None:
        if self.round is None or self.revealed or self.round.finished:
            return
        self.last_right = self.round.answer(says_real)
        log.info("guess %d: player said %s, %s", self.round.index, "REAL" if says_real else "FAKE",
                 "right" if self.last_right else "wrong")
        self.revealed = True
        self.reveal_t = 0.0
        self.app.audio.play("stamp_real" if says_real else "stamp_fake")

    def next_bill(self) -> None:
        if self.round is None or not self.revealed:
            return
        if self.round.finished:
            from counterfeit_game.game.scenes.results import ResultsScene

            result = self.round.result(when=time.time())
            rank = self.app.scores.record(result)
            self.app.audio.play("round_end")
            self.app.stack.replace(ResultsScene(self.app, result, rank, self.resume_after))
            return
        self._show_question()

    def handle_event(self, intent) -> bool:
        kind = intent.kind
        if kind == gi.BACK:
            self.leave()
            return True
        if kind == gi.GUESS_REAL:
            self.answer(True)
            return True
        if kind == gi.GUESS_FAKE:
            self.answer(False)
            return True
        if kind in (gi.CONFIRM, gi.TOGGLE_PAUSE, gi.NEXT):
            self.next_bill()
            return True
        if kind in (gi.GUESS_MODE, gi.FILMSTRIP, gi.RESET, gi.FASTER, gi.SLOWER, gi.PREVIOUS, gi.EXPORT):
            return True  # workshop keys do nothing during a round
        if intent.pos is None:
            return False
        active = [self.quit_button] + ([self.next_button] if self.revealed else
                                       [self.real_button, self.fake_button] if self.round else [])
        for button in active:
            if button.handle(intent):
                return True
        return False

    def update(self, dt: float) -> None:
        if self.round is None:
            self.waited += dt
            sample = self.app.client.take_sample(self.request_id) if self.request_id is not None else None
            if sample is not None:
                self._begin(sample.bills, sample_readings(sample))
            elif self.waited >= SAMPLE_TIMEOUT_S and self.app.snapshot.bills is not None:
                self._begin(self.app.snapshot.bills)
            return
        if self.revealed:
            if self.reveal_t < 0.2 <= self.reveal_t + dt:
                self.app.audio.play("correct" if self.last_right else "wrong")
            self.reveal_t += dt
            if self.reveal_t >= AUTO_NEXT_S:
                self.next_bill()

    # -- drawing ------------------------------------------------------------------------------------
    def draw(self, surface) -> None:
        fonts = self.app.fonts
        w, h = self.size
        titled_screen(surface, fonts, self.size, t("guess.title"))
        self.quit_button.draw(surface, fonts)
        self._draw_side(surface)
        if self.round is None:
            msg = fonts.render(t("guess.printing"), "bold", 22, theme.CREAM)
            surface.blit(msg, msg.get_rect(center=self.bill_center))
            return
        if self.round.current is None and not self.revealed:
            return
        player, police = self.round.score()
        counter = fonts.render(t("guess.counter", index=min(self.round.index + (0 if self.revealed else 1),
                                                            self.length), total=self.length),
                               "bold", 20, theme.CREAM)
        surface.blit(counter, counter.get_rect(midtop=(w // 2, 10)))
        score = fonts.render(t("guess.score", player=player, police=police, streak=self.round.streak),
                             "body", 15, theme.PAPER_SHADE)
        surface.blit(score, score.get_rect(midtop=(w // 2, 38)))
        question = self.round.questions[self.round.index - 1] if self.revealed else self.round.current
        bill = self._bill_surface
        rect = bill.get_rect(center=self.bill_center)
        pygame.draw.rect(surface, (16, 12, 8), rect.move(6, 8), border_radius=12)
        surface.blit(bill, rect)
        prompt_key = "guess.prompt" if not self.revealed else ("guess.right" if self.last_right else "guess.wrong")
        color = theme.CREAM if not self.revealed else (theme.REAL_GREEN if self.last_right else theme.FAKE_RED)
        if self.revealed:
            draw.pill(surface, fonts, t(prompt_key), (rect.centerx, rect.y - 36), color, size=24, pad=(22, 8))
        else:
            prompt = fonts.render(t(prompt_key), "bold", 24, color)
            surface.blit(prompt, prompt.get_rect(midbottom=(rect.centerx, rect.y - 18)))
        if not self.revealed:
            self.real_button.draw(surface, fonts)
            self.fake_button.draw(surface, fonts)
            return
        # The truth as a stamp, the player's call and the police's verdict underneath.
        frame = self.stamps.frame(question.is_real, self.reveal_t)
        if frame is not None:  # off-centre, so the digit can still be studied; never off the bill
            spot = (rect.x + int(rect.width * 0.70), rect.y + int(rect.height * 0.60))
            surface.blit(frame, place(frame, spot, rect))
        you = self.round.answers[-1]
        lines = [
            (t("guess.truth_real") if question.is_real else t("guess.truth_fake"), theme.CREAM, "bold"),
            (t("guess.you_said", verdict=t("guess.real") if you else t("guess.fake")), theme.PAPER_SHADE, "body"),
            (t("guess.police_said", percent=f"{question.police_score * 100:.0f}",
               verdict=t("guess.real") if question.police_says_real else t("guess.fake"),
               outcome=t("guess.police_right") if question.police_says_real == question.is_real
               else t("guess.police_wrong")), theme.PAPER_SHADE, "body"),
        ]
        examiner = examiner_text(question)
        if examiner is not None:
            lines.append((examiner, theme.HELP_HIGHLIGHT, "body"))
        y = rect.bottom + 14
        for text, col, role in lines:
            label = fonts.render(text, role, 18, col, max_width=w - self.side_rect.width - 80)
            surface.blit(label, label.get_rect(midtop=(rect.centerx, y)))
            y += label.get_height() + 2
        self.next_button.text = t("guess.results") if self.round.finished else t("guess.next")
        self.next_button.rect.top = max(y + 8, self.next_button.rect.top)
        self.next_button.draw(surface, fonts)

    def _draw_side(self, surface) -> None:
        fonts = self.app.fonts
        content = draw.panel(surface, self.side_rect, fonts, t("guess.side.title"))
        y = content.y + 4
        fake_age, best_of = self.difficulty()
        texts = [t("guess.side.rules", n=self.length), t("guess.side.pause")]
        if fake_age < 1.0:
            texts.append(t("guess.side.younger"))
        if best_of > 1:
            texts.append(t("guess.side.best_of", n=best_of))
        for text in texts:
            block = fonts.render_block(text, "body", 15, theme.CREAM, content.width)
            surface.blit(block, (content.x, y))
            y += block.get_height() + 14
        if self.round is not None:
            for i, question in enumerate(self.round.questions):
                cell = pygame.Rect(content.x + (i % 5) * 60, y + (i // 5) * 34, 52, 26)
                if i < len(self.round.answers):
                    right = self.round.answers[i] == question.is_real
                    color = theme.REAL_GREEN if right else theme.FAKE_RED
                    mark = "✓" if right else "✗"
                else:
                    color, mark = theme.FELT_DARK, str(i + 1)
                pygame.draw.rect(surface, color, cell, border_radius=6)
                label = fonts.render(mark, "bold", 15, theme.CREAM)
                surface.blit(label, label.get_rect(center=cell.center))

    def animating(self) -> bool:
        # Waiting for bills (dots), the stamp landing, and the reveal's own auto-advance countdown.
        return self.round is None or (self.revealed and self.reveal_t < 1.0)

    def help_targets(self):
        targets = [(self.side_rect, "help.guess.side")]
        if self._bill_surface is not None:
            targets.append((self._bill_surface.get_rect(center=self.bill_center), "help.guess.bill"))
        buttons = [self.quit_button] + ([self.next_button] if self.revealed else [self.real_button, self.fake_button])
        return targets + [(b.rect, b.help_key) for b in buttons]
