"""The whole training state in one .npz file, written atomically.

Why not ``model.save_weights``: a checkpoint must also hold both optimizers' moments, the random
generators, the loss history and the filmstrip, so a resumed run continues exactly; and loading must
check every array against the model first, so a file from another architecture or a damaged file
is refused with a clear message instead of half-loaded.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from counterfeit_game.atomic import atomic_write_bytes
from counterfeit_game.errors import CheckpointError, file_size
from counterfeit_game.hyperparams import GanConfig

FORMAT = "counterfeit-game-checkpoint"
VERSION = 1


@dataclass
class CheckpointData:
    meta: dict  # format, version, config, step, rng states, ...
    variables: dict[str, np.ndarray]  # name -> value, see CounterfeitGAN.state_variables
    history: np.ndarray  # (n, 5) rows of HistoryBuffer
    grid_steps: np.ndarray  # (g,)
    grid_images: np.ndarray  # (g, 25, 28, 28) uint8


def write_checkpoint(path: str | Path, data: CheckpointData) -> None:
    arrays = {f"var:{name}": value for name, value in data.variables.items()}
    meta = dict(data.meta, format=FORMAT, version=VERSION)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    arrays["history"] = np.asarray(data.history, np.float64)
    arrays["grid_steps"] = np.asarray(data.grid_steps, np.int64)
    arrays["grid_images"] = np.asarray(data.grid_images, np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def read_checkpoint(path: str | Path) -> CheckpointData:
    path = Path(path)
    file_size(path, CheckpointError, "checkpoint")  # a folder, FIFO or device: refused before np.load waits on it
    try:
        with np.load(path, allow_pickle=False) as archive:
            contents = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise CheckpointError(f"{path}: checkpoint not found") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        detail = "not a zip archive of numpy arrays" if "pickle" in str(exc) else str(exc)
        raise CheckpointError(f"{path}: damaged checkpoint ({detail})") from None
    try:
        meta = json.loads(bytes(contents.pop("meta")).decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError):
        raise CheckpointError(f"{path}: not a counterfeit-game checkpoint (no readable metadata)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a counterfeit-game checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(f"{path}: checkpoint version {meta.get('version')} is not supported")
    if not meta_is_sound(meta):
        raise CheckpointError(f"{path}: not a counterfeit-game checkpoint (metadata damaged)")
    try:
        history = contents.pop("history")
        grid_steps = contents.pop("grid_steps")
        grid_images = contents.pop("grid_images")
    except KeyError as exc:
        raise CheckpointError(f"{path}: damaged checkpoint (missing {exc})") from None
    if history.ndim != 2 or (history.size and history.shape[1] != 5):
        raise CheckpointError(f"{path}: damaged checkpoint (history has shape {history.shape})")
    variables = {name[4:]: value for name, value in contents.items() if name.startswith("var:")}
    return CheckpointData(meta, variables, history, grid_steps, grid_images)


def _whole(value, low: int = 0, high: int | None = None) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= low
            and (high is None or value <= high))


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def meta_is_sound(meta: dict) -> bool:
    """Whether a (possibly hand-edited) checkpoint's metadata has the types the trainer relies on,
    so a damaged file is one clear refusal instead of an error deep in loading."""
    config = meta.get("config", {})
    if not isinstance(config, dict):
        return False
    for name, default in GanConfig().as_dict().items():
        if name not in config:
            continue
        value = config[name]
        if isinstance(default, str):
            ok = isinstance(value, str)
        elif isinstance(default, int):
            ok = _whole(value, 1 if name in ("latent_dim", "batch_size") else 0, 2**32 - 1)
        else:
            ok = _number(value)
        if not ok:
            return False
    optional = {
        "step": lambda v: _whole(v),
        "elapsed": lambda v: _number(v) and v >= 0,
        "fixed_noise_seed": lambda v: _whole(v, 0, 2**32 - 1),
        "data_source": lambda v: v is None or isinstance(v, str),
        "rng": lambda v: isinstance(v, dict),
    }
    return all(check(meta[key]) for key, check in optional.items() if key in meta)


def check_variables_fit(path, expected: dict, found: dict) -> None:
    """Refuse before assigning anything if the checkpoint does not match the model exactly."""
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        what = f"missing {missing[0]}" if missing else f"unexpected {extra[0]}"
        raise CheckpointError(
            f"{path}: checkpoint does not fit this model ({what}; "
            f"{len(missing)} missing, {len(extra)} unexpected)"
        )
    for name, value in found.items():
        shape = tuple(expected[name].shape)
        if tuple(value.shape) != shape:
            raise CheckpointError(
                f"{path}: checkpoint does not fit this model ({name} has shape "
                f"{tuple(value.shape)}, expected {shape})"
            )
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            raise CheckpointError(f"{path}: checkpoint holds non-finite values in {name}")
