"""Message catalogs: every visitor-facing string comes from here, by key.

Catalogs are flat JSON files (``en.json``, ``es.json``) beside this module. A key missing from the
chosen language falls back to English, and a key missing from English shows the key itself, so a
gap is visible but never a crash.
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
    return sorted(p.stem for p in _DIR.glob("*.json"))


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    path = _DIR / f"{language}.json"
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        log.warning("no message catalog for language %r; using English", language)
        return {}
    except (OSError, ValueError) as exc:
        log.error("message catalog %s is unreadable (%s); using English", path, exc)
        return {}
    return {str(k): str(v) for k, v in data.items()}


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
