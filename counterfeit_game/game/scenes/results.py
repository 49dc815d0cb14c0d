"""The end of a guessing round: the player against the police, and the best rounds so far."""

from __future__ import annotations

import pygame

from counterfeit_game.game import input as gi
from counterfeit_game.game import theme
from counterfeit_game.game.scenes.backdrop import titled_screen
from counterfeit_game.game.scenes.base import Scene
from counterfeit_game.game.scores import RoundResult
from counterfeit_game.game.widgets import draw
from counterfeit_game.game.widgets.button import Button
from counterfeit_game.game.widgets.key_hints import key_hint
from counterfeit_game.i18n import number, t


def unbroken_parts(text: str, separator: str = " · ") -> str:
    """Lines may break only between the " · " parts, so "best streak: 2" never leaves its 2 behind."""
    return separator.join(part.replace(" ", "\u00a0") for part in text.split(separator))


class ResultsScene(Scene):
    name = "results"

    def __init__(self, app, result: RoundResult, rank: int | None, resume_after: bool):
        super().__init__(app)
        self.result = result
        self.rank = rank
        self.resume_after = resume_after
        self.size = (theme.LOGICAL_WIDTH, theme.LOGICAL_HEIGHT)
        self.again_button = Button((0, 0, 1, 1), t("results.again"), self.play_again, style="real", size=24,
                                   help_key="help.results.again", hint=key_hint(app.settings, "keys.enter"))
        self.back_button = Button((0, 0, 1, 1), t("results.back"), self.back, style="primary", size=24,
                                  help_key="help.results.back", hint=key_hint(app.settings, "keys.esc"))

    def layout(self, size) -> None:
        self.size = w, h = size
        self.again_button.rect = pygame.Rect(w // 2 - 330, h - 120, 310, 84)
        self.back_button.rect = pygame.Rect(w // 2 + 20, h - 120, 310, 84)
        # Two panels side by side across the width there is (1024 to 1600 logical pixels).
        margin, gap = max(30, (w - 1160) // 2), 30
        room = w - 2 * margin - gap
        table_w = int(room * 0.58)
        self.table_rect = pygame.Rect(margin, 190, table_w, 330)
        self.best_rect = pygame.Rect(self.table_rect.right + gap, 190, room - table_w, 330)

    def play_again(self) -> None:
        from counterfeit_game.game.scenes.guess import GuessScene

        self.app.stack.replace(GuessScene(self.app, resume_after=self.resume_after))

    def back(self) -> None:
        if self.resume_after:
            self.app.set_paused(False)
        self.app.stack.pop(self)

    def handle_event(self, intent) -> bool:
        if intent.kind == gi.CONFIRM:
            self.play_again()
            return True
        if intent.kind == gi.BACK:
            self.back()
            return True
        if intent.pos is None:
            return intent.kind != gi.HELP and intent.kind != gi.QUIT
        return self.again_button.handle(intent) or self.back_button.handle(intent)

    def headline_key(self) -> str:
        r = self.result
        if r.correct > r.police_correct:
            return "results.win"
        if r.correct < r.police_correct:
            return "results.lose"
        return "results.draw"

    def draw(self, surface) -> None:
        fonts = self.app.fonts
        w, h = self.size
        r = self.result
        titled_screen(surface, fonts, self.size, t("results.title"))
        head = fonts.render(t(self.headline_key()), "display", 44, theme.CREAM, max_width=w - 80)
        surface.blit(head, head.get_rect(midtop=(w // 2, 90)))
        if self.rank == 0:
            draw.pill(surface, fonts, t("results.new_best"), (w // 2, 160), theme.BRASS_DARK, size=16)
        content = draw.panel(surface, self.table_rect, fonts, t("results.table.title"))
        rows = [
            (t("results.row.accuracy"), f"{r.correct}/{r.total} ({r.accuracy * 100:.0f}%)",
             f"{r.police_correct}/{r.total} ({r.police_accuracy * 100:.0f}%)"),
            (t("results.row.fakes_caught"), f"{r.fakes_caught}/{r.fakes_total}",
             f"{r.police_fakes_caught}/{r.fakes_total}"),
            (t("results.row.reals_passed"), f"{r.reals_passed}/{r.reals_total}",
             f"{r.police_reals_passed}/{r.reals_total}"),
            (t("results.row.streak"), str(r.best_streak), "—"),
        ]
        heads = (t("results.table.measure"), t("results.table.you"), t("results.table.police"))
        # Columns measured from the right edge, so the widest figure ("10/10 (100%)") never
        # touches the rim; the row names get what is left.
        value_font = fonts.get("bold", 20)
        head_font = fonts.get("bold", 16)
        police_w = max([value_font.size(row[2])[0] for row in rows] + [head_font.size(heads[2])[0]])
        you_w = max([value_font.size(row[1])[0] for row in rows] + [head_font.size(heads[1])[0]])
        police_x = content.right - 12 - police_w
        you_x = police_x - 28 - you_w
        cols = (content.x + 10, you_x, police_x)
        self.table_columns = cols
        y = content.y + 6
        for x, text in zip(cols, heads):
            surface.blit(fonts.render(text, "bold", 16, theme.BRASS, max_width=you_x - cols[0] - 16
                                      if x == cols[0] else None), (x, y))
        y += 32
        for label, you, police in rows:
            pygame.draw.line(surface, theme.FELT_LINE, (content.x, y - 6), (content.right, y - 6))
            surface.blit(fonts.render(label, "body", 18, theme.CREAM, max_width=you_x - cols[0] - 16), (cols[0], y))
            surface.blit(fonts.render(you, "bold", 20, theme.CREAM), (cols[1], y))
            surface.blit(fonts.render(police, "bold", 20, theme.POLICE_BLUE_LIGHT), (cols[2], y))
            y += 46
        explain = fonts.render_block(t("results.explain", step=number(r.step)), "body", 15, theme.PAPER_SHADE,
                                     content.width - 10)
        surface.blit(explain, (content.x + 10, min(y + 4, content.bottom - explain.get_height())))
        best = draw.panel(surface, self.best_rect, fonts, t("results.best.title"))
        board = self.app.scores.board
        y = best.y + 4
        if not board.best:
            surface.blit(fonts.render(t("results.best.none"), "body", 16, theme.CREAM), (best.x, y))
        for i, entry in enumerate(board.best):
            text = t("results.best.entry", rank=i + 1, correct=entry.get("correct", 0), total=entry.get("total", 0),
                     police=entry.get("police_correct", 0), step=number(entry.get('step', 0)))
            color = theme.HELP_HIGHLIGHT if i == self.rank else theme.CREAM
            surface.blit(fonts.render(text, "bold" if i == self.rank else "body", 17, color,
                                      max_width=best.width), (best.x, y))
            y += 34
        stats = fonts.render_block(unbroken_parts(t("results.best.stats", rounds=board.rounds_played,
                                                    beaten=board.rounds_beating_police, streak=board.best_streak)),
                                   "body", 15, theme.PAPER_SHADE, best.width)
        surface.blit(stats, (best.x, best.bottom - stats.get_height()))
        self.again_button.draw(surface, fonts)
        self.back_button.draw(surface, fonts)

    def animating(self) -> bool:
        return False

    def help_targets(self):
        return [(self.table_rect, "help.results.table"), (self.best_rect, "help.results.best"),
                (self.again_button.rect, self.again_button.help_key), (self.back_button.rect, self.back_button.help_key)]
