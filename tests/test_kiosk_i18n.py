"""Message catalogs in parts: <lang>_<part>.json merged into <lang>; the kiosk's Spanish complete."""

import json
import string

import pytest

from counterfeit_game import i18n


@pytest.fixture
def catalogs(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "_DIR", tmp_path)
    i18n.catalog.cache_clear()
    previous = i18n.get_language()
    yield tmp_path
    i18n.set_language(previous)
    i18n.catalog.cache_clear()


def put(folder, name, data):
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_parts_are_merged_into_their_language(catalogs):
    put(catalogs, "en.json", {"title": "Counterfeit", "shared": "base"})
    put(catalogs, "en_kiosk.json", {"kiosk.hello": "Touch to play"})
    put(catalogs, "es_kiosk.json", {"kiosk.hello": "Toca para jugar"})
    assert i18n.available_languages() == ["en", "es"]
    i18n.set_language("es")
    assert i18n.t("kiosk.hello") == "Toca para jugar"
    assert i18n.t("title") == "Counterfeit"  # no es.json yet: English fallback
    i18n.set_language("en")
    assert i18n.t("kiosk.hello") == "Touch to play"
    assert i18n.t("shared") == "base"


def test_a_broken_part_does_not_hide_the_rest(catalogs, caplog):
    put(catalogs, "en.json", {"title": "Counterfeit"})
    (catalogs / "en_kiosk.json").write_text("{broken", encoding="utf-8")
    assert i18n.catalog("en") == {"title": "Counterfeit"}
    assert "en_kiosk.json is unreadable" in caplog.text


def test_a_key_in_two_files_is_reported(catalogs, caplog):
    put(catalogs, "en.json", {"title": "one"})
    put(catalogs, "en_kiosk.json", {"title": "two"})
    assert i18n.catalog("en")["title"] == "two"
    assert "more than one en catalog" in caplog.text


def fields(text):
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def test_spanish_kiosk_text_is_complete_with_the_same_fields():
    english = json.loads((i18n._DIR / "en_kiosk.json").read_text(encoding="utf-8"))
    spanish = json.loads((i18n._DIR / "es_kiosk.json").read_text(encoding="utf-8"))
    assert set(spanish) == set(english)
    for key, text in english.items():
        assert key.startswith("kiosk."), key  # kiosk parts hold kiosk keys only
        assert fields(spanish[key]) == fields(text), key
        assert spanish[key].strip() and spanish[key] != text, f"{key} is not translated"


def test_every_key_the_kiosk_code_uses_is_in_the_catalog():
    from counterfeit_game.kiosk import supervisor

    english = json.loads((i18n._DIR / "en_kiosk.json").read_text(encoding="utf-8"))
    used = set(supervisor.RECOVERY_KEYS.values()) | {
        supervisor.DETAIL_FROM_CHECKPOINT,
        supervisor.DETAIL_FROM_SCRATCH,
    }
    assert used <= set(english)
