"""A failed export says, in a plain sentence, which folder could not be written and why."""

from __future__ import annotations

import errno

import pygame
import pytest

from counterfeit_game import i18n
from counterfeit_game.game.exports import export_files
from test_game_helpers import frames, key, start_in_workshop


@pytest.mark.parametrize("code, reason_en, reason_es", [
    (errno.EROFS, "the folder is read-only", "la carpeta es de solo lectura"),
    (errno.ENOSPC, "the disk is full", "el disco está lleno"),
    (errno.EACCES, "may not write there", "no hay permiso"),
    (errno.EIO, "details are in the log", "detalles están en el registro"),
])
def test_failures_name_the_folder_and_the_reason(tmp_path, monkeypatch, code, reason_en, reason_es):
    folder = tmp_path / "exp"

    def refuse(*args, **kwargs):
        raise OSError(code, "raw system words", str(folder))

    monkeypatch.setattr("pathlib.Path.mkdir", refuse)
    for language, reason in (("en", reason_en), ("es", reason_es)):
        i18n.set_language(language)
        try:
            result = export_files(folder, None, 0, None, 0)
        finally:
            i18n.set_language("en")
        assert not result.ok
        assert str(folder) in result.error and reason in result.error
        assert "Errno" not in result.error and "raw system words" not in result.error


def test_a_file_in_the_way_gets_the_general_sentence(tmp_path):
    (tmp_path / "x").write_text("not a folder")
    result = export_files(tmp_path / "x" / "exp", None, 0, None, 0)
    assert not result.ok and result.error.startswith(f"Could not save to {tmp_path / 'x' / 'exp'}")


def test_the_toast_shows_the_sentence(tmp_path, monkeypatch):
    app, client, clock = start_in_workshop(tmp_path, steps=30)

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", "/tmp/x/exp")

    monkeypatch.setattr("pathlib.Path.mkdir", refuse)
    app.exporter.folder = tmp_path / "exp"
    key(app, pygame.K_e)
    frames(app, clock)
    assert app.toasts.texts[-1] == f"Could not save to {tmp_path / 'exp'}: the folder is read-only."
