"""One resolver for every bundled file, so a source checkout and an installed wheel behave alike.

In a checkout the files live in the top-level ``assets/`` folder; ``counterfeit_game/bundled_assets``
links to it, so a wheel (a non-editable install) carries them as package data under that name. Lives at the package top level (not in
``game/``) because the data loader and the examiner need it too, and neither imports pygame.
"""

from __future__ import annotations

from pathlib import Path

from counterfeit_game.errors import UserFacingError

_PACKAGE_DIR = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE_DIR / "bundled_assets", _PACKAGE_DIR.parent / "assets")


class MissingAssetError(UserFacingError):
    """A bundled file is missing: the installation is incomplete."""


def assets_root() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "mnist").is_dir():
            return candidate
    raise MissingAssetError(
        "bundled assets not found (looked in "
        + ", ".join(str(c) for c in _CANDIDATES)
        + "): reinstall counterfeit-game"
    )


def asset_path(*parts: str, must_exist: bool = True) -> Path:
    """Path of a bundled file, e.g. ``asset_path("mnist", "train-images-idx3-ubyte.gz")``."""
    path = assets_root().joinpath(*parts)
    if must_exist and not path.exists():
        raise MissingAssetError(f"{path}: bundled file is missing: reinstall counterfeit-game")
    return path
