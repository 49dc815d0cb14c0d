"""The shared "read or explain" helper behind the data loader and the kiosk config."""

import pytest

from counterfeit_game.errors import ConfigError, DataError, read_bytes


def test_reads_a_file(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"\x00\x01")
    assert read_bytes(path, DataError) == b"\x00\x01"


@pytest.mark.parametrize("error, what", [(DataError, "file"), (ConfigError, "config file")])
def test_missing_file_and_folder_are_one_line_of_the_callers_kind(tmp_path, error, what):
    with pytest.raises(error, match=f"nothing.toml: {what} not found$"):
        read_bytes(tmp_path / "nothing.toml", error, what)
    with pytest.raises(error, match=f"is a folder, not a {what}$"):
        read_bytes(tmp_path, error, what)
