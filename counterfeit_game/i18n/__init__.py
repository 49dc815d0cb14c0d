"""Message catalogs: every visitor-facing string comes from here, by key.

Catalogs are flat JSON files (``en.json``, ``es.json``) beside this module. A part of the program
may keep its own keys in ``<language>_<part>.json`` (e.g. ``es_kiosk.json``); those are merged into
the language's catalog. A key missing from the chosen language falls back to English, and a key
missing from English shows the key itself, so a gap is visible but never a crash.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "en"
log = logging.getLogger(__name__)

_language = DEFAULT_LANGUAGE


def available_languages() -> list[str]:
    return sorted({p.stem.split("_", 1)[0] for p in _DIR.glob("*.json")})


def catalog_files(language: str) -> list[Path]:
    """``<language>.json`` first, then its parts in name order."""
    base = _DIR / f"{language}.json"
    parts = sorted(_DIR.glob(f"{language}_*.json"))
    return ([base] if base.exists() else []) + parts


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    files = catalog_files(language)
    if not files:
        log.warning("no message catalog for language %r; using English", language)
        return {}
    merged: dict[str, str] = {}
    for path in files:
        try:
            with path.open(encoding="utf-8") as handle:
                data = json.load(handle)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            log.error("message catalog %s is unreadable (%s); skipping it", path, exc)
            continue
        for key, value in data.items():
            if key in merged:
                log.warning("message %r is in more than one %s catalog; %s wins", key, language, path.name)
            merged[str(key)] = str(value)
    return merged


def set_language(language: str) -> None:
    global _language
    _language = language


def get_language() -> str:
    return _language


def t(key: str, **values) -> str:
    """The text for ``key`` in the current language, with ``{name}`` fields filled in."""
    text = catalog(_language).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            log.error("message %r does not fit values %r", key, values)
    return text


def number(value: int) -> str:
    """A whole number grouped the current language's way: 12,500 in English, 12 500 in Spanish
    (which leaves four-digit numbers alone: 4800)."""
    value = int(value)
    sign, digits = ("-" if value < 0 else ""), str(abs(value))
    separator = t("number.group_separator")
    try:
        group_from = int(t("number.group_from_digits"))
    except ValueError:
        group_from = 4
    if separator == "number.group_separator" or len(digits) < group_from:
        return sign + digits
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + separator.join(groups)


def decimal(value: float, places: int | None = 1) -> str:
    """A number with ``places`` decimals (None: as few as it needs) and the current language's
    decimal mark: 0.5 in English, 0,5 in Spanish (a Spanish visitor reads "0.5" as a thousands group)."""
    text = f"{float(value):g}" if places is None else f"{float(value):.{places}f}"
    mark = t("number.decimal_separator")
    if mark == "number.decimal_separator" or mark == ".":
        return text
    return text.replace(".", mark)
