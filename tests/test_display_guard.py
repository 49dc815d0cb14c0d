"""A display that is named but cannot be opened is reported as such, in one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 display names are a Linux matter here")
@pytest.mark.parametrize("variable, value", [("DISPLAY", ":987"), ("WAYLAND_DISPLAY", "wayland-987")])
def test_a_display_that_is_not_there_is_named_in_one_line(variable, value):
    if Path("/tmp/.X11-unix/X987").exists():
        pytest.skip("something listens on display :987 here")
    env = {k: v for k, v in os.environ.items() if k not in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY")}
    env[variable] = value
    env.pop("XDG_RUNTIME_DIR", None)  # SDL then complains on stderr while it probes: kept off the screen
    done = subprocess.run([sys.executable, "-m", "counterfeit_game", "--demo", "--frames", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"counterfeit-game: cannot open the display {variable}={value} (is its server running, and may this "
        "user use it?); for a headless run use `counterfeit-game train`"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="elsewhere SDL finds the desktop without DISPLAY")
def test_a_kiosk_config_is_checked_before_the_display(tmp_path):
    """An operator can check a config from a terminal with no display: its mistakes come first."""
    config = tmp_path / "kiosk.toml"
    config.write_text("[session]\nidle_timout = 30\n")
    env = {k: v for k, v in os.environ.items() if k not in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY")}
    env["HOME"] = str(tmp_path)  # the default log and data folders land here, if anywhere
    done = subprocess.run([sys.executable, "-m", "counterfeit_game", "--kiosk", "--config", str(config)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"counterfeit-game: {config}: session.idle_timout: unknown key (did you "
                                        "mean session.idle_timeout?)"]
    config.write_text("[session]\nidle_timeout = 30\n")
    done = subprocess.run([sys.executable, "-m", "counterfeit_game", "--kiosk", "--config", str(config)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no display to open the game window on" in done.stderr
