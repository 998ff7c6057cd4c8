"""Atomic checkpoint files that load safely.

Writing goes to a temporary file in the destination's folder, which is
flushed and fsynced before ``os.replace`` puts it in place, so a crash at any
moment leaves either the previous file or the new one, never a torn file.
Reading uses ``torch.load(weights_only=True)`` and nothing else: a checkpoint
that carries arbitrary pickled objects is refused and none of its code runs.
"""

from __future__ import annotations

import os
import pickle
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit._atomic import atomic_write

__all__ = [
    "CHECKPOINT_FORMAT",
    "CheckpointError",
    "load_checkpoint_file",
    "load_generator",
    "save_checkpoint_file",
]

#: The value of the ``"format"`` key of every gankit checkpoint.
CHECKPOINT_FORMAT = "gankit-checkpoint-v1"


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, corrupt, unsafe, or not a gankit checkpoint."""


def save_checkpoint_file(obj: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` with ``torch.save`` atomically: temp file, fsync, ``os.replace``.

    Args:
        obj: The checkpoint contents: tensors, numbers, strings and containers.
        path: Destination file; its folder is created if needed.

    Returns:
        The destination path.
    """
    path = Path(path)
    with atomic_write(path) as f:
        torch.save(dict(obj), f)
    return path


def load_checkpoint_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a gankit checkpoint with ``torch.load(weights_only=True)``, on the CPU.

    Args:
        path: The checkpoint file.

    Returns:
        The checkpoint dict.

    Raises:
        CheckpointError: If the file is missing, truncated or corrupt, holds
            objects other than tensors and plain containers (for example a
            malicious pickle, which is refused without running any of it), or is
            not a gankit checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r} does not exist")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(
            f"checkpoint {str(path)!r} is truncated or corrupt, or not a torch checkpoint "
            "(gankit writes torch's zip format; this file is not a zip archive)"
        )
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            f"refusing to load checkpoint {str(path)!r}: it holds objects other than "
            "tensors and plain containers, which gankit never unpickles "
            f"(torch.load(weights_only=True) said: {str(exc).splitlines()[0]})"
        ) from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is truncated or corrupt and cannot be read "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        ) from None
    if not isinstance(obj, dict) or obj.get("format") != CHECKPOINT_FORMAT:
        found = obj.get("format") if isinstance(obj, dict) else type(obj).__name__
        raise CheckpointError(
            f"{str(path)!r} is not a gankit checkpoint: expected format "
            f"{CHECKPOINT_FORMAT!r}, found {found!r}"
        )
    return obj


def load_generator(path: str | os.PathLike[str], *, ema: bool = True) -> nn.Module:
    """Rebuild the generator stored in a checkpoint, without any training code.

    The checkpoint records the generator's registered class name and
    constructor arguments (``get_config()``), so only the file is needed.

    Args:
        path: A checkpoint written by :meth:`gankit.Trainer.save_checkpoint`.
        ema: Use the EMA weights when the checkpoint has them.

    Returns:
        The generator in eval mode, on the CPU.

    Raises:
        CheckpointError: If the file cannot be loaded, or the generator is not a
            registered gankit model and so cannot be rebuilt from the file alone.
    """
    from gankit.models import build_model

    ckpt = load_checkpoint_file(path)
    spec = ckpt["generator"]
    if spec.get("class") is None:
        raise CheckpointError(
            f"checkpoint {str(path)!r} holds a generator of an unregistered class "
            f"({spec.get('qualname')!r}); rebuild it in Python and use "
            "Trainer.load_checkpoint instead"
        )
    model = build_model(spec["class"], spec["config"])
    ema_weights = ckpt.get("ema_generator")
    weights = ema_weights if ema and ema_weights is not None else spec["state_dict"]
    try:
        model.load_state_dict(weights)
    except RuntimeError as exc:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: the generator weights do not fit "
            f"{spec['class']}({spec['config']}): {exc}"
        ) from None
    return model.eval()
