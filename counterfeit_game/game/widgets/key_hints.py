"""Keyboard hints ("Space", "→", "(E)") belong on a desk with a keyboard, not on a touch-only kiosk.

``GameSettings.show_key_hints`` decides; scenes ask here rather than each deciding for itself.
"""

from __future__ import annotations

import re

from counterfeit_game.i18n import catalog, get_language, t


def key_hint(settings, key: str) -> str:
    """The key's name for a button's small hint line, or "" where hints are off."""
    return t(key) if getattr(settings, "show_key_hints", True) else ""


def without_key_hints(text: str) -> str:
    """``text`` without its " (Space)"-style key mentions, e.g. in help cards on a touch screen."""
    names = {value for name, value in {**catalog("en"), **catalog(get_language())}.items()
             if name.startswith("keys.")}
    if not names:
        return text
    pattern = r" \((?:" + "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)) + r")\)"
    return re.sub(pattern, "", text)
