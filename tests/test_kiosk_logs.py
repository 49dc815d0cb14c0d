"""Kiosk logging: a size-capped rotating file, or stderr with a warning when the folder is unusable."""

import io
import logging

import pytest

from counterfeit_game.kiosk.logs import LOG_FILE, setup_kiosk_logging


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_logs_go_to_a_rotating_file(tmp_path):
    path = setup_kiosk_logging(tmp_path / "logs", max_bytes=2000, backups=2)
    assert path == tmp_path / "logs" / LOG_FILE
    log = logging.getLogger("counterfeit_game.kiosk.test")
    for index in range(200):
        log.info("event number %d with some padding to fill the file", index)
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == [LOG_FILE, LOG_FILE + ".1", LOG_FILE + ".2"]  # capped: older ones dropped
    assert all((tmp_path / "logs" / name).stat().st_size <= 2100 for name in files)
    assert "event number 199" in path.read_text(encoding="utf-8")


def test_calling_again_does_not_stack_handlers(tmp_path):
    setup_kiosk_logging(tmp_path / "a")
    setup_kiosk_logging(tmp_path / "b")
    logging.getLogger("counterfeit_game").warning("only once")
    assert "only once" not in (tmp_path / "a" / LOG_FILE).read_text(encoding="utf-8")
    assert (tmp_path / "b" / LOG_FILE).read_text(encoding="utf-8").count("only once") == 1


def test_unwritable_folder_falls_back_to_stderr_with_a_warning(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be")
    stream = io.StringIO()
    assert setup_kiosk_logging(blocker / "logs", stream=stream) is None
    logging.getLogger("counterfeit_game.kiosk").error("still visible")
    text = stream.getvalue()
    assert "cannot write logs in" in text and "logging to stderr instead" in text
    assert "still visible" in text


def test_fallback_does_not_print_twice_beside_the_command_lines_own_handler(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be")
    stream = io.StringIO()
    existing = logging.StreamHandler(stream)  # what the command line set up before the kiosk
    logging.getLogger().addHandler(existing)
    assert setup_kiosk_logging(blocker / "logs", stream=stream) is None
    logging.getLogger("counterfeit_game.kiosk").error("said once")
    text = stream.getvalue()
    assert text.count("said once") == 1
    assert text.count("cannot write logs in") == 1
