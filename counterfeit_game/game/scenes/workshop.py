"""The workshop: the counterfeiter's bills and the bank's on the police desk, live.

Every new step's bills are laid on the desk and stamped with the police's real verdicts from that
step. In slow motion (and for a single step while paused) a step is walked through in four stages
with narration: print -> judge -> police learn -> counterfeiter learns. At higher speeds the desk
refreshes a few times a second, so people can still read it, while the chart and the counter show
every step.
"""

from __future__ import annotations

import numpy as np
import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme
from counterfeit_game.game.scenes.backdrop import backdrop, bottom_bar, top_bar
from counterfeit_game.game.scenes.base import Scene
from counterfeit_game.game.settings import (
    PANEL_CHART, PANEL_DESK, PANEL_GUESS, PANEL_QUALITY, PANEL_WALL, SPEED_LEVELS, is_slow_motion,
)
from counterfeit_game.game.widgets import draw
from counterfeit_game.game.widgets.bill import BILL_ASPECT, BillArt, serial_text
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.game.widgets.digit_coverage import DigitCoverage
from counterfeit_game.game.widgets.grid import GridCache
from counterfeit_game.game.widgets.loss_chart import LossChart, dominance_key
from counterfeit_game.game.widgets.meter import draw_meter, police_accuracy_recent
from counterfeit_game.game.widgets.quality_meter import QualityMeter
from counterfeit_game.game.widgets.slider import NotchSlider
from counterfeit_game.game.widgets.stamp import SLAM_S, StampArt, place
from counterfeit_game.game.widgets.key_hints import key_hint
from counterfeit_game.i18n import decimal, number, t
from counterfeit_game.snapshot import STATUS_FAILED, STATUS_LOADING, STATUS_PAUSED, StepBills

STAGES = ("print", "judge", "police_learn", "counterfeiter_learn")
PAUSED_STAGE_S = 1.1  # stage length when a single step is walked through while paused
FAST_REFRESH_S = 1.0  # at high speed the desk shows a new batch this often: long enough to read
RESET_CONFIRM_S = 3.0
TOOLTIP_TOUCH_S = 3.0
QUALITY_STRIP_H = 100  # the examiner's strip under the desk: the meter and the digits panel
NARRATION_SHRINK = 3  # points the narration may lose to fit its place on the desk


def speed_label(speed) -> str:
    if speed is None:
        return t("speed.max")
    if is_slow_motion(speed):
        return t("speed.slow_motion", rate=decimal(speed, None))
    return t("speed.rate", rate=decimal(speed, None))


def rate_text(steps_per_second: float) -> str:
    """The measured training rate; a dash until there is one (just after a start or a restart),
    so that a fresh trainer does not read as a stalled one."""
    if not steps_per_second > 0:
        return "–"
    if steps_per_second < 10:
        return decimal(steps_per_second, 1)
    return number(round(steps_per_second))


class DeskBill:
    """One bill on the desk: where it is, what it shows, and when its stamp lands."""

    __slots__ = ("real", "index", "score", "surface", "rect", "appear_at", "stamp_at", "stamped")

    def __init__(self, real, index, score, surface, rect, appear_at, stamp_at):
        self.real, self.index, self.score = real, index, float(score)
        self.surface, self.rect = surface, rect
        self.appear_at, self.stamp_at = appear_at, stamp_at
        self.stamped = False

    @property
    def police_says_real(self) -> bool:
        return self.score >= 0.5


class WorkshopScene(Scene):
    name = "workshop"

    def __init__(self, app):
        super().__init__(app)
        fonts = app.fonts
        self.settings = app.settings
        self.size = (theme.LOGICAL_WIDTH, theme.LOGICAL_HEIGHT)
        self.chart = LossChart(fonts, (0, 0, 10, 10))
        self.quality_meter = QualityMeter(fonts)
        self.digit_panel = DigitCoverage(fonts)
        self.grids = GridCache(max_items=4)  # the latest grid and step 0's: a kiosk runs for weeks
        self.shown: StepBills | None = None
        self.pending: StepBills | None = None
        self.generation = None
        self.desk: list[DeskBill] = []
        self.anim_t = 0.0
        self.staged = False
        self.stage_len = 0.0
        self.last_refresh = -1e9
        self.step_requested_after: int | None = None  # bills newer than this step are walked through
        self.walking_one_step = False  # the walk-through on the desk is a single requested step
        self.reset_armed_until = -1.0
        self.selected: DeskBill | None = None  # tapped bill showing its score
        self.selected_until = 0.0
        self.fast_phase = 0
        self.bill_art: BillArt | None = None
        self.stamps: StampArt | None = None
        self._bg: pygame.Surface | None = None
        self._summary_key = None
        self._chart_redraws_drawn = 0
        self.recent_accuracy: float | None = None
        self.note_key = "chart.note.starting"
        self._make_controls()

    # -- layout ----------------------------------------------------------------------------------
    def _make_controls(self) -> None:
        app = self.app
        self.pause_button = Button((0, 0, 1, 1), t("controls.pause"), self.toggle_pause,
                                   style="primary", help_key="help.controls.pause",
                                   hint=key_hint(app.settings, "keys.space"))
        self.step_button = Button((0, 0, 1, 1), t("controls.step"), self.step_once,
                                  help_key="help.controls.step", hint=key_hint(app.settings, "keys.right"))
        self.speed_slider = NotchSlider((0, 0, 1, 1), len(SPEED_LEVELS), app.speed_index,
                                        app.set_speed_index, help_key="help.controls.speed")
        self.reset_button = Button((0, 0, 1, 1), t("controls.reset"), self.reset_pressed,
                                   help_key="help.controls.reset", hint=key_hint(app.settings, "keys.n"))
        self.guess_button = Button((0, 0, 1, 1), t("controls.guess"), self.open_guess, style="real",
                                   help_key="help.controls.guess", hint=key_hint(app.settings, "keys.p"))
        self.film_button = Button((0, 0, 1, 1), t("controls.filmstrip"), self.open_filmstrip,
                                  help_key="help.controls.filmstrip", hint=key_hint(app.settings, "keys.g"))
        self.export_button = Button((0, 0, 1, 1), t("controls.export"), app.export_now,
                                    help_key="help.controls.export", hint=key_hint(app.settings, "keys.e"))
        self.help_button = Button((0, 0, 1, 1), "?", app.open_help, style="quiet",
                                  help_key="help.controls.help", size=30)
        # The guessing game is a panel an operator can hide; a kiosk turns exports off.
        self.buttons = [b for b in (self.pause_button, self.step_button, self.reset_button, self.guess_button,
                                    self.film_button, self.export_button, self.help_button)
                        if self._offered(b)]

    def _offered(self, widget) -> bool:
        if widget is self.guess_button:
            return self.settings.shows(PANEL_GUESS)
        if widget is self.export_button:
            return self.app.exports_allowed
        return True

    def layout(self, size) -> None:
        self.size = w, h = size
        pad = theme.PAD
        top, bottom = theme.TOP_BAR_H + 12, h - theme.BOTTOM_BAR_H - 12
        show_chart = self.settings.shows(PANEL_CHART)
        show_wall = self.settings.shows(PANEL_WALL)
        show_desk = self.settings.shows(PANEL_DESK)
        show_quality = self.settings.shows(PANEL_QUALITY)
        nothing = pygame.Rect(0, 0, 0, 0)
        self.quality_strip = nothing
        # The main panel on the left: the desk, or without it the chart (or the wall); the other
        # panels share the column on the right.
        shown = [name for name, on in ((PANEL_DESK, show_desk), (PANEL_CHART, show_chart), (PANEL_WALL, show_wall))
                 if on]
        main, column = (shown[0], shown[1:]) if shown else (None, [])
        right_w = max(400, min(520, int(w * 0.34))) if column else 0
        main_w = w - 2 * pad - (right_w + pad if right_w else 0)
        right_x = w - pad - right_w
        # The examiner's strip sits under the main panel (under the desk it grades the bills printed
        # there); alone, it has the workshop to itself.
        main_bottom = bottom
        if show_quality:
            if main is None:
                self.quality_strip = pygame.Rect(pad, top, w - 2 * pad, bottom - top)
            else:
                self.quality_strip = pygame.Rect(pad, bottom - QUALITY_STRIP_H, main_w, QUALITY_STRIP_H)
                main_bottom = self.quality_strip.y - pad
        self._place_quality(self.quality_strip)
        rects = {}
        if main is not None:
            rects[main] = pygame.Rect(pad, top, main_w, main_bottom - top)
        col_h = bottom - top
        if len(column) == 2:  # the chart over the wall
            wall_h = 236
            rects[PANEL_CHART] = pygame.Rect(right_x, top, right_w, col_h - wall_h - pad)
            rects[PANEL_WALL] = pygame.Rect(right_x, rects[PANEL_CHART].bottom + pad, right_w, wall_h)
        elif column:
            rects[column[0]] = pygame.Rect(right_x, top, right_w, col_h)
        self.desk_rect = rects.get(PANEL_DESK, nothing)
        self.chart_rect = rects.get(PANEL_CHART, nothing)
        self.wall_rect = rects.get(PANEL_WALL, nothing)
        # Chart inside its panel, with room for the note underneath.
        self.chart_content = pygame.Rect(self.chart_rect.x + 10, self.chart_rect.y + 34,
                                         self.chart_rect.width - 20, self.chart_rect.height - 34 - 52)
        self.chart.set_rect(self.chart_content)
        # Desk rows: as many bills as the width allows, as large as the height allows.
        content = self.desk_rect.inflate(-24, 0)
        gap = 14
        narration_h = self._narration_height(content.width)
        n = max(3, min(8, round((content.width + gap) / (175 + gap))))
        bill_w = min(190, (content.width - (n - 1) * gap) // n)
        rows_h = self.desk_rect.height - narration_h - 30 - 3 * 8
        tall_enough = int((rows_h / 2 - 48) / BILL_ASPECT)
        if tall_enough < bill_w:
            bill_w = tall_enough
            n = max(n, min(8, (content.width + gap) // (bill_w + gap + 24)))  # smaller bills, not a fuller desk
        bill_w = max(40, bill_w)
        self.bills_per_row = n
        self.bill_art = BillArt(self.app.fonts, bill_w)
        self.stamps = StampArt(self.app.fonts, int(bill_w * 0.5), fit=self.bill_art.size)
        bill_h = self.bill_art.height
        row_block = 26 + bill_h + 22
        free = self.desk_rect.height - narration_h - 2 * row_block - 30
        spacing = max(8, free // 3)
        self.narration_rect = pygame.Rect(content.x, self.desk_rect.y + 12, content.width, narration_h - 12)
        row_x = content.x + (content.width - (n * bill_w + (n - 1) * gap)) // 2
        self.rows = {}
        y = self.desk_rect.y + narration_h + spacing
        for real in (True, False):
            label_rect = pygame.Rect(content.x, y, content.width, 24)
            slots = [pygame.Rect(row_x + i * (bill_w + gap), y + 26, bill_w, bill_h) for i in range(n)]
            self.rows[real] = (label_rect, slots)
            y += row_block + spacing
        self.footer_y = self.desk_rect.bottom - 28
        # Bottom bar: weights give each control its share of the width.
        bar_y = h - theme.BOTTOM_BAR_H + 12
        bar_h = theme.BOTTOM_BAR_H - 22
        controls = [(widget, weight) for widget, weight in (
            (self.pause_button, 1.25), (self.step_button, 1.0), (self.speed_slider, 2.3),
            (self.reset_button, 1.5), (self.guess_button, 1.5), (self.film_button, 1.15),
            (self.export_button, 1.0), (self.help_button, 0.55)) if self._offered(widget)]
        spare = w - 2 * pad - (len(controls) - 1) * 10
        total = sum(weight for _, weight in controls)
        x = pad
        for widget, weight in controls:
            width = int(spare * weight / total)
            widget.rect = pygame.Rect(x, bar_y, width, bar_h)
            x += width + 10
        # Wall panel pieces.
        wr = self.wall_rect
        self.now_cell = max(14, min(36, (wr.height - 80) // 5))
        self.first_cell = max(8, self.now_cell // 2)
        self.wall_now_pos = (wr.x + 14, wr.y + 40)
        now_side = 5 * self.now_cell + 16
        self.wall_first_pos = (wr.x + 14 + now_side + 40, wr.y + 40)
        self.wall_hit = pygame.Rect(wr.x, wr.y + 30, wr.width, wr.height - 30)
        self.meter_rect = pygame.Rect(w - pad - 330, 10, 330, 40)
        self.step_rect = pygame.Rect(w // 2 - 170, 4, 340, theme.TOP_BAR_H - 8)
        self._bg = None
        if self.shown is not None:
            self._lay_bills(self.shown, keep_timing=True)

    def _narration_height(self, width: int) -> int:
        """Room for the stage chips and the narration in this language at this width."""
        if width <= 0:
            return 96
        fonts = self.app.fonts
        n = self.app.snapshot.batch_size or 32

        def block(text, role, size):
            return len(fonts.wrap(text, role, size, width)) * (fonts.get(role, size).get_linesize() + 4)

        # The running narration sets the height; rarer, longer texts (the slow-motion stages) are
        # set up to NARRATION_SHRINK points smaller to fit rather than push the bills off the desk.
        phases = block(t("workshop.narration.phase1", n=n), "body", 15) + block(t("workshop.narration.phase2"), "body", 15)
        heights = [phases, block(self._paused_line(), "bold", 17)]
        small = NARRATION_SHRINK
        for i, name in enumerate(STAGES):
            height = block(t(f"workshop.stage.{name}", n=n), "bold", 17 - small)
            if i >= 2:
                key = "workshop.stage.police_loss" if i == 2 else "workshop.stage.counterfeiter_loss"
                height += block(t(key, loss="0.000", acc="100"), "body", 15 - small)
            heights.append(height)
        return max(96, 12 + 40 + max(heights))

    def _place_quality(self, area: pygame.Rect) -> None:
        """The meter and the digits panel side by side in a strip, or stacked when given a page."""
        pad = theme.PAD
        if not area.width:
            self.quality_meter_rect = self.digits_rect = pygame.Rect(0, 0, 0, 0)
        elif area.height <= QUALITY_STRIP_H:
            meter_w = max(230, min(380, int(area.width * 0.36)))
            self.quality_meter_rect = pygame.Rect(area.x, area.y, meter_w, area.height)
            self.digits_rect = pygame.Rect(area.x + meter_w + pad, area.y, area.width - meter_w - pad, area.height)
        else:
            meter_h, digits_h = 180, 190
            block = pygame.Rect(0, 0, min(area.width, 900), meter_h + pad + digits_h)
            block.center = area.center
            self.quality_meter_rect = pygame.Rect(block.x, block.y, block.width, meter_h)
            self.digits_rect = pygame.Rect(block.x, block.y + meter_h + pad, block.width, digits_h)

    def _background(self) -> pygame.Surface:
        if self._bg is not None:
            return self._bg
        w, h = self.size
        bg = backdrop(self.size).copy()
        fonts = self.app.fonts
        if self.desk_rect.width:
            draw.panel(bg, self.desk_rect, fonts, None)
        if self.chart_rect.width:
            draw.panel(bg, self.chart_rect, fonts, t("workshop.chart.title"))
        if self.wall_rect.width:
            draw.panel(bg, self.wall_rect, fonts, None)
        top_bar(bg, w)
        bottom_bar(bg, w, h)
        logo = fonts.render(t("title.name"), "display", 30, theme.BRASS)
        bg.blit(logo, (theme.PAD, 8))
        sub = fonts.render(t("workshop.subtitle"), "body", 13, theme.PAPER_SHADE)
        bg.blit(sub, (theme.PAD + 2, 44))
        self._bg = bg
        return bg

    # -- commands ---------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        self.app.set_paused(not self.app.paused)
        self.app.audio.play("click")

    def step_once(self) -> None:
        if self.step_requested_after is None:
            self.step_requested_after = self.app.snapshot.step
        self.app.step_once()
        self.app.audio.play("click")

    def reset_pressed(self) -> None:
        if self.app.time <= self.reset_armed_until:
            self.reset_armed_until = -1.0
            self.app.hire_new_counterfeiter()
        else:
            self.reset_armed_until = self.app.time + RESET_CONFIRM_S
        self.app.audio.play("click")

    def open_guess(self) -> None:
        from counterfeit_game.game.scenes.guess import GuessScene

        if self.app.snapshot.status in (STATUS_LOADING, STATUS_FAILED):
            self.app.toasts.show(t("toast.guess_not_ready"), "error")
            return
        self.app.stack.push(GuessScene(self.app))

    def open_filmstrip(self) -> None:
        from counterfeit_game.game.scenes.filmstrip import FilmstripScene

        self.app.stack.push(FilmstripScene(self.app))

    # -- input ------------------------------------------------------------------------------------
    def handle_event(self, intent) -> bool:
        kind = intent.kind
        if kind == gi.TOGGLE_PAUSE:
            self.toggle_pause()
            return True
        if kind == gi.NEXT:
            self.step_once()
            return True
        if kind == gi.FASTER:
            self.app.set_speed_index(self.app.speed_index + 1)
            return True
        if kind == gi.SLOWER:
            self.app.set_speed_index(self.app.speed_index - 1)
            return True
        if kind == gi.RESET:
            self.reset_pressed()
            return True
        if kind == gi.GUESS_MODE:
            if self._offered(self.guess_button):
                self.open_guess()
            return True
        if kind == gi.FILMSTRIP:
            self.open_filmstrip()
            return True
        if kind == gi.EXPORT:
            if self._offered(self.export_button):
                self.app.export_now()
            return True
        if intent.pos is None:
            return False
        if self.speed_slider.handle(intent):
            return True
        for button in self.buttons:
            if button.handle(intent):
                return True
        if kind == gi.POINTER_MOVE:
            self.chart.point(intent.pos)
            return False
        if kind == gi.POINTER_UP:
            if self.wall_rect.width and self.wall_hit.collidepoint(intent.pos):
                self.open_filmstrip()
                return True
            hit = self.bill_at(intent.pos)
            self.selected = hit
            self.selected_until = self.app.time + TOOLTIP_TOUCH_S
            if intent.touch:
                self.chart.point(intent.pos)
            return hit is not None
        return False

    def bill_at(self, pos) -> DeskBill | None:
        for bill in self.desk:
            if bill.rect.collidepoint(pos) and self.anim_t >= bill.appear_at:
                return bill
        return None

    # -- update -----------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        app = self.app
        snap = app.snapshot
        if snap.generation != self.generation:
            self.generation = snap.generation
            self.shown = self.pending = None
            self.step_requested_after = None
            self.desk = []
            self.selected = None
        self.anim_t += dt
        if (self.staged and not self.walking_one_step and not is_slow_motion(app.speed)
                and self.anim_t < 4 * self.stage_len):
            self.anim_t = 4 * self.stage_len  # sped up: finish the slow-motion walk-through at once
        bills = snap.bills
        if bills is not None and (self.shown is None or bills.step != self.shown.step) and (
                self.pending is None or bills.step != self.pending.step):
            self.pending = bills
        if self.pending is not None and self._ready_for_next():
            self._show(self.pending)
            self.pending = None
        self._land_stamps()
        if self.speed_slider.index != app.speed_index and not self.speed_slider.dragging:
            self.speed_slider.index = app.speed_index
        self.pause_button.text = t("controls.resume") if app.paused else t("controls.pause")
        self.pause_button.active = app.paused
        armed = app.time <= self.reset_armed_until
        self.reset_button.text = t("controls.reset_confirm") if armed else t("controls.reset")
        self.reset_button.style = "fake" if armed else "normal"
        ready = snap.status not in (STATUS_LOADING, STATUS_FAILED)
        self.step_button.enabled = ready
        self.guess_button.enabled = ready
        self.export_button.enabled = bool(snap.grids) or len(snap.history) > 0
        if self.selected is not None and app.pointer is None and app.time > self.selected_until:
            self.selected = None
        if self.chart_rect.width:
            self.chart.update(snap.history, app.time, snap.generation)
        if self.quality_strip.width:
            self.quality_meter.update(dt)
            self.digit_panel.update(dt)
        key = (len(snap.history), snap.generation)
        if key != self._summary_key:
            self._summary_key = key
            self.recent_accuracy = police_accuracy_recent(snap.history)
            self.note_key = dominance_key(snap.history)

    def _ready_for_next(self) -> bool:
        if self.shown is None:
            return True
        if self.staged:
            return self.anim_t >= 4 * self.stage_len
        speed = self.app.speed
        interval = FAST_REFRESH_S if speed is None or speed > 3 else min(FAST_REFRESH_S, 1.0 / speed)
        return self.anim_t >= interval

    def _show(self, bills: StepBills) -> None:
        speed = self.app.speed
        requested = self.step_requested_after is not None and bills.step > self.step_requested_after
        self.walking_one_step = requested
        if requested:
            self.staged, self.stage_len = True, PAUSED_STAGE_S
            self.step_requested_after = None
        elif is_slow_motion(speed) and not self.app.paused:
            self.staged, self.stage_len = True, max(0.5, min(2.5, 1.0 / speed / 4))
        else:
            self.staged, self.stage_len = False, 0.0
        self.shown = bills
        self.fast_phase ^= 1
        self.anim_t = 0.0
        self.selected = None
        self._lay_bills(bills)

    def _lay_bills(self, bills: StepBills, keep_timing: bool = False) -> None:
        n = self.bills_per_row
        desk = []
        art = self.bill_art
        count = 2 * n
        for real in (True, False):
            images = bills.real if real else bills.fake
            scores = bills.real_scores if real else bills.fake_scores
            _label, slots = self.rows[real]
            for i in range(min(n, len(images))):
                serial = serial_text(f"{bills.step:06d}-{i + (0 if real else 50):02d}")
                surface = art.render(images[i], serial)
                order = i * 2 + (0 if real else 1)  # stamps alternate real/fake
                if self.staged:
                    appear = 0.0 if real else (i + 1) / (n + 1) * self.stage_len * 0.8
                    stamp = self.stage_len + order / count * self.stage_len * 0.8
                else:
                    appear = 0.0
                    stamp = order / count * 0.12
                desk.append(DeskBill(real, i, scores[i], surface, slots[i], appear, stamp))
        if keep_timing:
            for new, old in zip(desk, self.desk):
                new.stamped = old.stamped
        self.desk = desk

    def _land_stamps(self) -> None:
        played = False
        for bill in self.desk:
            if not bill.stamped and self.anim_t >= bill.stamp_at:
                bill.stamped = True
                if not played:
                    self.app.audio.play("stamp_real" if bill.police_says_real else "stamp_fake",
                                        volume=1.0 if self.staged else 0.5)
                    played = True

    def animating(self) -> bool:
        t_now = self.anim_t
        if self.shown is not None:
            if self.staged and t_now <= 4 * self.stage_len + 0.1:
                return True  # stages, slides and stamps of a walked-through step
            last_stamp = max((bill.stamp_at for bill in self.desk), default=0.0)
            if t_now <= last_stamp + SLAM_S + 0.05:
                return True
        if self.app.time <= self.reset_armed_until + 0.1 or (self.selected and self.app.time <= self.selected_until + 0.1):
            return True  # a countdown that changes what a button or tooltip says
        if self.quality_strip.width and (self.quality_meter.moving or self.digit_panel.glowing):
            return True  # the needle easing to a new score, a newly forged digit glowing
        return self.chart.redraws != self._chart_redraws_drawn  # a fresh chart waits to be shown

    @property
    def stage(self) -> int:
        """The slow-motion stage on show (0..3), or -1 when not walking through a step."""
        if not self.staged or self.shown is None or self.anim_t >= 4 * self.stage_len:
            return -1
        return int(self.anim_t / self.stage_len)

    # -- drawing ----------------------------------------------------------------------------------
    def draw(self, surface) -> None:
        surface.blit(self._background(), (0, 0))
        snap = self.app.snapshot
        self._draw_top(surface, snap)
        if self.desk_rect.width:
            self._draw_narration(surface, snap)
            self._draw_desk(surface, snap)
            if self.app.paused and snap.status != STATUS_FAILED and self.stage < 0:
                self._draw_paused_ribbon(surface)
        if self.chart_rect.width:
            self.chart.draw(surface)
            self._chart_redraws_drawn = self.chart.redraws
            note = self.app.fonts.render_block(t(self.note_key), "body", 15, theme.CREAM,
                                               self.chart_rect.width - 24)
            surface.blit(note, (self.chart_rect.x + 12, self.chart_content.bottom + 8))
        if self.wall_rect.width:
            self._draw_wall(surface, snap)
        if self.quality_strip.width:
            self._draw_quality(surface, snap)
        for button in self.buttons:
            button.draw(surface, self.app.fonts)
        self.speed_slider.draw(surface, self.app.fonts, t("controls.speed", speed=speed_label(self.app.speed)),
                               t("speed.slow_end"), t("speed.fast_end"))
        if self.app.stack.top is self:
            self._draw_tooltip(surface)

    def _draw_top(self, surface, snap) -> None:
        fonts = self.app.fonts
        step = fonts.render(t("workshop.step", step=number(snap.step)), "display", 30, theme.CREAM)
        surface.blit(step, step.get_rect(midtop=(self.size[0] // 2, 4)))
        if snap.status == STATUS_PAUSED or self.app.paused:
            status, color = t("status.paused"), theme.FAKE_RED
        elif snap.status == STATUS_FAILED:
            status, color = t("status.failed"), theme.FAKE_RED
        elif snap.status == STATUS_LOADING:
            status, color = t("status.loading"), theme.BRASS_DARK
        elif is_slow_motion(self.app.speed):
            status, color = t("status.slow_motion"), theme.POLICE_BLUE
        else:
            status, color = t("status.training"), theme.REAL_GREEN_DARK
        rate = t("workshop.rate", rate=rate_text(snap.steps_per_second), batch=snap.batch_size)
        line = fonts.render(rate, "body", 13, theme.PAPER_SHADE)
        chip = draw.pill_rect(fonts, status, (0, 0), size=13, pad=(10, 3))
        total = chip.width + 10 + line.get_width()
        x0 = self.size[0] // 2 - total // 2
        chip = draw.pill(surface, fonts, status, (x0 + chip.width // 2, 50), color, size=13, pad=(10, 3))
        surface.blit(line, line.get_rect(midleft=(chip.right + 10, 50)))
        draw_meter(surface, fonts, self.meter_rect, self.recent_accuracy)

    def _draw_narration(self, surface, snap) -> None:
        fonts = self.app.fonts
        rect = self.narration_rect
        stage = self.stage
        chip_w = (rect.width - 3 * 8) // 4
        for i, name in enumerate(STAGES):
            chip = pygame.Rect(rect.x + i * (chip_w + 8), rect.y, chip_w, 30)
            if stage == i:
                color, text_color = theme.BRASS, theme.INK
            elif stage < 0 and not self.app.paused and snap.status != STATUS_LOADING:
                lit = (i <= 2) if self.fast_phase == 0 else (i == 3)
                color, text_color = (theme.BRASS_DARK if lit else (52, 78, 64)), theme.CREAM
            else:
                color, text_color = (52, 78, 64), theme.PAPER_SHADE
            pygame.draw.rect(surface, color, chip, border_radius=15)
            label = fonts.render(f"{i + 1}  " + t(f"workshop.stage.{name}.short"), "bold", 14, text_color,
                                 max_width=chip.width - 12)
            surface.blit(label, label.get_rect(center=chip.center))
            if i < 3:
                arrow_x = chip.right + 4
                pygame.draw.polygon(surface, theme.BRASS_DARK, [(arrow_x - 3, chip.centery - 5),
                                                                (arrow_x + 3, chip.centery),
                                                                (arrow_x - 3, chip.centery + 5)])
        y = rect.y + 40
        width = rect.width
        if snap.status == STATUS_FAILED:
            lines = [(t("workshop.failed", message=draw.one_line(snap.message)), theme.FAKE_RED)]
        elif snap.status == STATUS_LOADING or self.shown is None:
            lines = [(t("workshop.waiting"), theme.CREAM)]
        elif stage >= 0:
            n = snap.batch_size
            lines = [(t(f"workshop.stage.{STAGES[stage]}", n=n), theme.CREAM)]
            value = self._step_losses(snap)
            if value is not None and stage >= 2:
                key = "workshop.stage.police_loss" if stage == 2 else "workshop.stage.counterfeiter_loss"
                loss_value = value[0] if stage == 2 else value[1]
                color = theme.POLICE_BLUE_LIGHT if stage == 2 else theme.COUNTERFEITER_LIGHT
                lines.append((t(key, loss=decimal(loss_value, 3), acc=f"{value[2] * 100:.0f}"), color))
        elif self.app.paused:
            lines = [(self._paused_line(), theme.HELP_HIGHLIGHT)]
        else:
            lines = [(t("workshop.narration.phase1", n=snap.batch_size),
                      theme.HELP_HIGHLIGHT if self.fast_phase == 0 else theme.CREAM),
                     (t("workshop.narration.phase2"),
                      theme.HELP_HIGHLIGHT if self.fast_phase == 1 else theme.CREAM)]
        first = 17 if len(lines) == 1 or stage >= 0 else 15
        room = rect.bottom - y
        for shrink in range(0, NARRATION_SHRINK + 1):  # long narrations (slow-motion stages) get smaller type
            blocks = []
            for i, (text, color) in enumerate(lines):
                role = "bold" if len(lines) == 1 or (stage >= 0 and i == 0) else "body"
                size = (first if i == 0 else 15) - shrink
                blocks.append(fonts.render_block(text, role, size, color, width))
            if sum(block.get_height() for block in blocks) <= room + 4:
                break
        for block in blocks:
            surface.blit(block, (rect.x, y), area=pygame.Rect(0, 0, width, max(0, rect.bottom + 4 - y)))
            y += block.get_height()

    def _step_losses(self, snap):
        """(d_loss, g_loss, d_acc) of the step on the desk, from the history; None if not there."""
        history = snap.history
        if self.shown is None or len(history) == 0:
            return None
        i = int(np.searchsorted(history.step, self.shown.step))
        if i >= len(history) or int(history.step[i]) != self.shown.step:
            return None
        return float(history.d_loss[i]), float(history.g_loss[i]), float(history.d_acc[i])

    def _draw_stage_highlight(self, surface) -> None:
        """Who acts in this stage: the press (fakes), the police (both rows), or the counterfeiter."""
        stage = self.stage
        if stage < 0 or stage == 1:
            return
        pulse = 2 + int(2 * (1 + np.sin(self.anim_t * 6)))
        if stage == 2:
            rows = [self.rows[True], self.rows[False]]
            color = theme.POLICE_BLUE_LIGHT
        else:
            rows = [self.rows[False]]
            color = theme.COUNTERFEITER_LIGHT
        for label_rect, slots in rows:
            area = label_rect.union(slots[0]).union(slots[-1].move(0, 16)).inflate(12, 12)
            pygame.draw.rect(surface, color, area, pulse, border_radius=10)
        if stage >= 2 and self.chart_rect.width:
            pygame.draw.rect(surface, color, self.chart_rect.inflate(4, 4), pulse, border_radius=12)

    def _draw_desk(self, surface, snap) -> None:
        fonts = self.app.fonts
        self._draw_stage_highlight(surface)
        for real in (True, False):
            label_rect, slots = self.rows[real]
            key = "workshop.row.real" if real else "workshop.row.fake"
            color = theme.REAL_GREEN if real else theme.COUNTERFEITER_LIGHT
            icon_rect = pygame.Rect(label_rect.x, label_rect.y + 4, 14, 14)
            pygame.draw.rect(surface, color, icon_rect, border_radius=3)
            label = fonts.render(t(key), "bold", 15, theme.CREAM, max_width=label_rect.width - 24)
            surface.blit(label, (label_rect.x + 22, label_rect.y + 2))
            if self.shown is None:
                for slot in slots:
                    pygame.draw.rect(surface, theme.FELT_DARK, slot, border_radius=6)
                    pygame.draw.rect(surface, theme.FELT_LINE, slot, 1, border_radius=6)
        stage = self.stage
        for bill in self.desk:
            if self.anim_t < bill.appear_at:
                pygame.draw.rect(surface, theme.FELT_DARK, bill.rect, border_radius=6)
                continue
            rect = bill.rect
            if self.staged and not bill.real and stage == 0:
                # Fresh off the press: slides in from the left edge of the desk.
                k = min(1.0, (self.anim_t - bill.appear_at) / 0.25)
                rect = rect.move(int((1 - k) * -60), 0)
            shadow = rect.move(3, 4)
            pygame.draw.rect(surface, (16, 30, 22), shadow, border_radius=6)
            surface.blit(bill.surface, rect)
            if bill is self.selected or (self.app.pointer and rect.collidepoint(self.app.pointer)):
                pygame.draw.rect(surface, theme.HELP_HIGHLIGHT, rect.inflate(6, 6), 3, border_radius=8)
            # The police's score as a thin bar under the bill, once it has been judged.
            bar = pygame.Rect(rect.x, rect.bottom + 7, rect.width, 7)
            pygame.draw.rect(surface, theme.FELT_DARK, bar, border_radius=3)
            if self.anim_t >= bill.stamp_at:
                fill = bar.copy()
                fill.width = max(2, int(bar.width * bill.score))
                pygame.draw.rect(surface, theme.REAL_GREEN if bill.police_says_real else theme.FAKE_RED, fill,
                                 border_radius=3)
                frame = self.stamps.frame(bill.police_says_real, self.anim_t - bill.stamp_at)
                if frame is not None:
                    # Stamped off-centre, as a clerk would, so the digit stays readable.
                    spot = (rect.x + int(rect.width * 0.70), rect.y + int(rect.height * 0.64))
                    surface.blit(frame, place(frame, spot, rect))
        if self.shown is not None:
            room = self.desk_rect.width - 30
            caught = self._caught_text()
            if fonts.get("body", 12).size(caught)[0] > room:  # narrow desks: only what the police did
                caught = self._caught_text(short=True)
            foot = fonts.render(caught, "body", 14, theme.PAPER_SHADE, max_width=room)
            surface.blit(foot, (self.desk_rect.x + 14, self.footer_y))

    def _caught_text(self, short: bool = False) -> str:
        bills = self.shown
        caught = int(np.count_nonzero(bills.fake_scores < 0.5))
        passed = int(np.count_nonzero(bills.real_scores >= 0.5))
        return t("workshop.footer_short" if short else "workshop.footer", shown=self.bills_per_row,
                 n=len(bills.fake_scores), step=number(bills.step), caught=caught, passed=passed)

    def _paused_line(self) -> str:
        """What to do while paused, naming keys only where there is a keyboard."""
        return t("workshop.paused_line" if self.app.settings.show_key_hints else "workshop.paused_line.touch")

    def _draw_paused_ribbon(self, surface) -> None:
        """Over the stage chips (nothing moves through them while paused), clear of the bills."""
        fonts = self.app.fonts
        ribbon = pygame.Rect(self.narration_rect.x - 4, self.narration_rect.y - 2, self.narration_rect.width + 8, 34)
        pygame.draw.rect(surface, theme.FAKE_RED_DARK, ribbon, border_radius=17)
        pygame.draw.rect(surface, theme.CREAM, ribbon, 2, border_radius=17)
        label = fonts.render(t("workshop.paused_ribbon"), "display", 20, theme.CREAM)
        keys = self.app.settings.show_key_hints
        hint = fonts.render(t("workshop.paused_hint") if keys else "", "bold", 14, theme.CREAM,
                            max_width=ribbon.width - label.get_width() - 40)
        total = label.get_width() + (24 + hint.get_width() if keys else 0)
        x = ribbon.centerx - total // 2
        surface.blit(label, label.get_rect(midleft=(x, ribbon.centery)))
        surface.blit(hint, hint.get_rect(midleft=(x + label.get_width() + 24, ribbon.centery)))

    def _draw_wall(self, surface, snap) -> None:
        fonts = self.app.fonts
        wr = self.wall_rect
        latest = snap.grids[-1] if snap.grids else None
        title = t("workshop.wall.title") if latest is None else t("workshop.wall.title_step",
                                                                   step=number(latest.step))
        label = fonts.render(title.upper(), "bold", 15, theme.BRASS, max_width=wr.width - 24)
        surface.blit(label, (wr.x + 12, wr.y + 9))
        if latest is None:
            msg = fonts.render(t("workshop.wall.empty"), "body", 15, theme.PAPER_SHADE, max_width=wr.width - 24)
            surface.blit(msg, msg.get_rect(center=wr.center))
            return
        now = self.grids.get(snap.generation, latest, self.now_cell)
        surface.blit(now, self.wall_now_pos)
        first = self.grids.get(snap.generation, snap.grids[0], self.first_cell)
        fx, fy = self.wall_first_pos
        if fx + first.get_width() < wr.right - 8:
            cap = fonts.render(t("workshop.wall.first", step=number(snap.grids[0].step)), "bold", 13,
                               theme.PAPER_SHADE)
            surface.blit(cap, (fx, fy))
            surface.blit(first, (fx, fy + 20))
            hint = fonts.render_block(t("workshop.wall.hint"), "body", 13, theme.CREAM,
                                      max(60, wr.right - fx - 14))
            surface.blit(hint, (fx, fy + 28 + first.get_height()))

    def _draw_quality(self, surface, snap) -> None:
        """The examiner's latest report; before the first one, when to expect it (never zeros)."""
        interval = self.settings.quality_interval
        if interval > 0:
            waiting = t("quality.meter.waiting_every", n=number(interval))
            self.digit_panel.waiting = None
        else:
            waiting = t("quality.meter.off")
            self.digit_panel.waiting = t("quality.coverage.off")
        self.quality_meter.waiting = waiting
        self.quality_meter.draw(surface, self.quality_meter_rect, snap.quality)
        self.digit_panel.draw(surface, self.digits_rect, snap.quality)

    def _draw_tooltip(self, surface) -> None:
        target = self.selected
        pointer = self.app.pointer
        if pointer is not None:
            hovered = self.bill_at(pointer)
            target = hovered or target
        if target is None or self.anim_t < target.stamp_at:
            return
        fonts = self.app.fonts
        percent = f"{target.score * 100:.0f}"
        first = t("bill.tooltip.score", percent=percent)
        truth_key = "bill.tooltip.real" if target.real else "bill.tooltip.fake"
        if target.police_says_real != target.real:
            truth_key += "_fooled" if not target.real else "_wrong"
        second = t(truth_key)
        a = fonts.render(first, "bold", 16, theme.INK)
        b = fonts.render(second, "body", 14, theme.INK_SOFT)
        box = pygame.Rect(0, 0, max(a.get_width(), b.get_width()) + 24, a.get_height() + b.get_height() + 16)
        box.midbottom = (target.rect.centerx, target.rect.y - 6)
        box.clamp_ip(pygame.Rect(0, theme.TOP_BAR_H, *self.size))
        draw.shadowed_rect(surface, box, theme.PAPER, radius=8, shadow=3, border=2, border_color=theme.BRASS_DARK)
        surface.blit(a, (box.x + 12, box.y + 7))
        surface.blit(b, (box.x + 12, box.y + 9 + a.get_height()))

    # -- help ----------------------------------------------------------------------------------------
    def help_targets(self):
        targets = [(self.step_rect, "help.step"), (self.meter_rect, "help.meter")]
        if self.desk_rect.width:
            targets.append((self.narration_rect, "help.phases"))
            for real in (True, False):
                label_rect, slots = self.rows[real]
                row = label_rect.union(slots[-1]).union(slots[0])
                targets.append((row, "help.real_bills" if real else "help.fake_bills"))
            targets.append((pygame.Rect(self.desk_rect.x, self.footer_y - 4, self.desk_rect.width, 26),
                            "help.batch"))
        if self.chart_rect.width:
            targets.append((self.chart_rect, "help.chart"))
        if self.wall_rect.width:
            targets.append((self.wall_rect, "help.wall"))
        if self.quality_strip.width:
            targets.append((self.quality_meter_rect, "help.quality.meter"))
            targets.append((self.digits_rect, "help.quality.digits"))
        for widget in self.buttons + [self.speed_slider]:
            targets.append((widget.rect, widget.help_key))
        return targets
