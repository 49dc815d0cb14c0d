"""Every text the game shows comes from the catalog: each literal key it asks for exists in English."""

from __future__ import annotations

import re
from pathlib import Path

from counterfeit_game.i18n import catalog

GAME = Path(__file__).resolve().parent.parent / "counterfeit_game" / "game"
STAGES = ("print", "judge", "police_learn", "counterfeiter_learn")


def test_every_literal_key_used_by_the_game_is_in_english():
    english = catalog("en")
    used = set()
    for path in GAME.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"help_key=\"([a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
    used |= {f"workshop.stage.{s}" for s in STAGES} | {f"workshop.stage.{s}.short" for s in STAGES}
    assert len(used) > 100
    help_keys = {k for k in used if k.startswith("help.") and k not in ("help.banner", "help.close", "help.card_close")}
    missing = sorted(k for k in used - help_keys if k not in english)
    missing += sorted(f"{k}.{part}" for k in help_keys for part in ("title", "text") if f"{k}.{part}" not in english)
    assert missing == []
