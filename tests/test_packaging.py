"""A non-editable install (a wheel) carries the bundled files and finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_assets_and_installed_copy_finds_them(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path / "wheel")],
        check=True, cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("counterfeit_game/bundled_assets/mnist/train-images-idx3-ubyte.gz",
                   "counterfeit_game/bundled_assets/mnist/SHA256SUMS",
                   "counterfeit_game/bundled_assets/mnist/LICENSE.md",
                   "counterfeit_game/i18n/en.json",
                   "counterfeit_game/kiosk/sample-kiosk.toml"):
        assert needed in names, needed
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    probe = ("import counterfeit_game.assets as a, counterfeit_game.data as d; "
             "print(a.assets_root()); print(d.load_mnist().describe())")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    root, described = result.stdout.strip().splitlines()
    assert root.startswith(str(tmp_path / "site")), "the installed copy, not the checkout"
    assert "60,000 training" in described
