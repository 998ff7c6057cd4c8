"""Atomic checkpoint files that load back, safely, or fail with a clear error.

Saving checks the state first (``_state_codec``): a value
that ``torch.load(weights_only=True)`` could not load back is refused before
anything is written, NumPy arrays and scalars, deques and frozensets are
converted to a form that loads (and back on loading), and a SHA-256 digest
of the contents (``_integrity``) goes into the file. The
file is written to a temporary file in the destination's folder, flushed and
fsynced, and moved into place with ``os.replace``, so a crash at any moment
leaves either the previous file or the new one, never a torn file.

Loading checks, in order: that the file is a zip archive whose members pass
their CRC-32 checks; that ``torch.load(weights_only=True)`` (and nothing else)
reads it, so no code in it ever runs; that it is a gankit checkpoint; that
its digest matches; and that its layout is what the trainer wrote. Every
failure raises :class:`CheckpointError` naming the file.
"""

from __future__ import annotations

import os
import pickle
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit._atomic import atomic_write
from gankit._errors import CheckpointError
from gankit.training._checkpoint_schema import check_trainer_checkpoint
from gankit.training._integrity import state_digest
from gankit.training._state_codec import UnsupportedStateError, decode_state, encode_state

__all__ = [
    "CHECKPOINT_FORMAT",
    "CheckpointError",
    "load_checkpoint_file",
    "load_generator",
    "model_from_checkpoint",
    "save_checkpoint_file",
]

#: The value of the ``"format"`` key of every checkpoint gankit writes.
CHECKPOINT_FORMAT = "gankit-checkpoint-v2"

#: Checkpoints from before the integrity digest and the type conversions; they
#: still load, without the digest check.
_LEGACY_FORMATS = ("gankit-checkpoint-v1",)
_FORMATS = (CHECKPOINT_FORMAT, *_LEGACY_FORMATS)

#: The reserved top-level key that holds the SHA-256 digest of the rest.
_DIGEST_KEY = "__gankit_sha256__"

#: How ``torch.load(weights_only=True)`` words a refusal to build a class or
#: call a function it does not allow: a pickled object, not damage.
_REFUSALS = (
    "Unsupported global",
    "Trying to load unsupported GLOBAL",
    "Can only create new object",
    "Trying to call reduce for unrecognized function",
    "Can only build",
    "Only persistent_load of storage",
)

#: The MS-DOS "directory" bit of a zip entry's external attributes.
_MSDOS_DIRECTORY = 0x10


def save_checkpoint_file(obj: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Check ``obj``, then write it with ``torch.save`` atomically (temp file, fsync, rename).

    Every value is checked to be one ``torch.load(weights_only=True)`` can load
    back: tensors, ``None``, bools, numbers, strings, bytes, and lists, tuples,
    dicts, ``OrderedDict`` s and sets of them, ``torch.Size``, dtypes and
    devices. NumPy arrays and scalars (dtype, byte order and shape kept),
    ``collections.deque`` (``maxlen`` kept) and ``frozenset`` are converted,
    and :func:`load_checkpoint_file` converts them back. The file gets the
    format tag :data:`CHECKPOINT_FORMAT` and a SHA-256 digest of its contents.
    ``obj`` itself is not changed.

    Args:
        obj: The checkpoint contents, e.g. :meth:`Trainer.state_dict
            <gankit.Trainer.state_dict>`.
        path: Destination file; its folder is created if needed.

    Returns:
        The destination path.

    Raises:
        CheckpointError: If ``obj`` holds anything else (a custom class, a
            function, a NumPy object array, a ``defaultdict``, ...), naming the
            callback when it sits in a callback's state, the key and the type.
            Nothing is written: a previous file at ``path`` stays as it was.

    Example:
        >>> import pathlib, tempfile
        >>> from collections import deque
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "state.pt"
        >>> _ = save_checkpoint_file({"recent": deque([1, 2], maxlen=4)}, path)
        >>> load_checkpoint_file(path)["recent"]
        deque([1, 2], maxlen=4)
        >>> save_checkpoint_file({"callbacks": {"history": {"fn": print}}}, path)
        Traceback (most recent call last):
        ...
        gankit.training.checkpoint.CheckpointError: cannot save checkpoint '...state.pt': \
callback 'history' state key 'fn' holds <built-in function print> of type \
builtin_function_or_method, which torch.load(weights_only=True) cannot load; ...
    """
    path = Path(path)
    return write_encoded_checkpoint(encode_checkpoint(obj, path), path)


def encode_checkpoint(obj: Mapping[str, Any], path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check and convert ``obj`` as :func:`save_checkpoint_file` does, without writing.

    The first half of :func:`save_checkpoint_file`, for a background save: the
    check runs (and fails) in the caller's thread; the result is written by
    :func:`write_encoded_checkpoint`. Tensors are the caller's, not copies.

    Raises:
        CheckpointError: As :func:`save_checkpoint_file`.
    """
    if _DIGEST_KEY in obj:
        raise CheckpointError(
            f"cannot save checkpoint {str(path)!r}: the key {_DIGEST_KEY!r} is reserved"
        )
    body = {"format": CHECKPOINT_FORMAT, **{k: v for k, v in obj.items() if k != "format"}}
    try:
        encoded: dict[str, Any] = encode_state(body)
    except UnsupportedStateError as exc:
        raise CheckpointError(f"cannot save checkpoint {str(path)!r}: {exc}") from None
    return encoded


def write_encoded_checkpoint(encoded: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Add the SHA-256 digest to an :func:`encode_checkpoint` result and write it atomically.

    Returns:
        The destination path.
    """
    path = Path(path)
    payload = {**encoded, _DIGEST_KEY: state_digest(encoded)}
    with atomic_write(path) as f:
        torch.save(payload, f)
    return path


def load_checkpoint_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a gankit checkpoint with ``torch.load(weights_only=True)``, on the CPU.

    Before unpickling, every member of the zip archive must pass its CRC-32
    check (skipped for a file written with torch's CRC-32s turned off). After,
    the SHA-256 digest stored by :func:`save_checkpoint_file` must match the
    contents (skipped for ``gankit-checkpoint-v1`` files, which have none), and
    a trainer checkpoint must have every key :meth:`Trainer.state_dict
    <gankit.Trainer.state_dict>` writes, each of the right type.

    Args:
        path: The checkpoint file.

    Returns:
        The checkpoint dict, with the values :func:`save_checkpoint_file`
        converted (NumPy arrays and scalars, deques, frozensets) restored.

    Raises:
        CheckpointError: If the file is missing; damaged (truncated, a failed
            CRC-32 or SHA-256 check, bytes the unpickler cannot read, a missing
            or wrong-typed key); holds objects other than tensors and plain
            containers (for example a malicious pickle, which is refused
            without running any of it); or is not a gankit checkpoint. The
            message names the file, and the key where one is at fault.
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {name!r} does not exist")
    crc_checked = _check_zip(path)
    obj = _torch_load(path, crc_checked)
    found = obj.get("format") if type(obj) is dict else type(obj).__name__
    if type(obj) is not dict or type(found) is not str or found not in _FORMATS:
        raise CheckpointError(
            f"{name!r} is not a gankit checkpoint: expected format "
            f"{CHECKPOINT_FORMAT!r}, found {found!r}"
        )
    obj = _verify(obj, name)
    try:
        check_trainer_checkpoint(obj)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint {name!r} is corrupt: {exc}") from None
    except Exception as exc:  # a value odd enough to break the check itself
        raise _damaged(name, f"its layout cannot be checked ({_first_line(exc)})") from None
    return obj


def _damaged(name: str, what: str) -> CheckpointError:
    return CheckpointError(f"checkpoint {name!r} is damaged: {what}")


def _check_zip(path: Path) -> bool:
    """Check the archive and each member's CRC-32; say whether there were CRC-32s to check.

    Each member is read through its own central-directory entry (``testzip``
    looks members up by name, so it would miss an entry whose name was damaged
    into a duplicate).
    """
    name = str(path)
    try:
        if not zipfile.is_zipfile(path):
            raise CheckpointError(
                f"checkpoint {name!r} is truncated or corrupt, or not a torch checkpoint: "
                "it is not a zip archive, and gankit writes torch's zip format"
            )
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = [m.filename for m in members]
            if len(set(names)) != len(names):
                raise _damaged(name, "its zip archive lists a member twice")
            for member in members:
                if member.external_attr & _MSDOS_DIRECTORY:  # torch would read no data
                    raise _damaged(name, f"zip member {member.filename!r} is marked a folder")
            if not any(m.CRC for m in members if m.file_size):
                return False  # written with torch.serialization.set_crc32_options(False)
            for member in members:
                with archive.open(member) as f:
                    try:
                        while f.read(1 << 24):
                            pass
                    except zipfile.BadZipFile as exc:
                        if "CRC" not in str(exc):
                            raise
                        raise _damaged(
                            name, f"zip member {member.filename!r} failed its CRC-32 check"
                        ) from None
    except CheckpointError:
        raise
    except Exception as exc:  # zipfile raises many types on a damaged archive
        raise _damaged(name, f"its zip archive cannot be read ({_first_line(exc)})") from None
    return True


def _torch_load(path: Path, crc_checked: bool) -> Any:
    """``torch.load(weights_only=True)``, with every failure as a :class:`CheckpointError`."""
    name = str(path)
    try:
        with warnings.catch_warnings():  # a damaged protocol byte only warns
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        detail = _unpickler_detail(exc)
        if not detail.startswith(_REFUSALS):
            raise _damaged(name, f"the unpickler cannot read it ({detail})") from None
        doubt = "" if crc_checked else (
            "; or the file is damaged: it has no CRC-32 checksums to tell"
        )
        raise CheckpointError(
            f"refusing to load checkpoint {name!r}: it holds objects other than "
            f"tensors and plain containers, which gankit never unpickles "
            f"(torch.load(weights_only=True) said: {detail}){doubt}"
        ) from None
    except Exception as exc:  # a damaged file can fail in any of many ways
        raise _damaged(name, f"it cannot be read ({_first_line(exc)})") from None


def _unpickler_detail(exc: BaseException) -> str:
    """The one informative line of a weights-only unpickler error."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "WeightsUnpickler error:" in line:
            line = line.split("WeightsUnpickler error:", 1)[1].strip()
        if line.startswith(_REFUSALS) or line.startswith("Unsupported operand"):
            return line.split(". Please use", 1)[0]  # not torch's advice to allowlist it
    boilerplate = ("Weights only load failed", "Check the documentation", "(1)", "(2)")
    rest = [line for line in lines if not line.startswith(boilerplate)]
    return rest[0] if rest else (lines[0] if lines else type(exc).__name__)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _verify(obj: dict[str, Any], name: str) -> dict[str, Any]:
    """Check the digest and decode; a legacy checkpoint without one passes as it is."""
    body = {k: v for k, v in obj.items() if k != _DIGEST_KEY}
    if _DIGEST_KEY not in obj:
        if obj["format"] == CHECKPOINT_FORMAT:
            raise _damaged(name, f"its integrity digest (key {_DIGEST_KEY!r}) is missing")
        return body
    stored = obj[_DIGEST_KEY]
    try:
        matches = type(stored) is str and stored == state_digest(body)
    except Exception as exc:  # damaged contents can be odd in many ways
        raise _damaged(name, f"its contents cannot be hashed ({_first_line(exc)})") from None
    if not matches:
        raise CheckpointError(
            f"checkpoint {name!r} failed its integrity check (SHA-256 mismatch): "
            "the file is damaged"
        )
    try:
        decoded: dict[str, Any] = decode_state(body)
        return decoded
    except ValueError as exc:
        raise _damaged(name, str(exc)) from None


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
        CheckpointError: If the file cannot be loaded (see
            :func:`load_checkpoint_file`) or holds no generator, the generator is
            not a registered gankit model and so cannot be rebuilt from the file
            alone, or its config or weights do not fit its class.
    """
    return model_from_checkpoint(load_checkpoint_file(path), str(path), ema=ema)


def model_from_checkpoint(
    ckpt: Mapping[str, Any], name: str, *, role: str = "generator", ema: bool = True
) -> nn.Module:
    """Rebuild the generator or discriminator of a loaded trainer checkpoint.

    Args:
        ckpt: What :func:`load_checkpoint_file` returned.
        name: The checkpoint's path, for the messages.
        role: ``"generator"`` or ``"discriminator"``.
        ema: For the generator, use the EMA weights when the checkpoint has them.

    Returns:
        The model in eval mode, on the CPU.

    Raises:
        CheckpointError: If the checkpoint holds no such model, its class is
            not registered, or its config or weights do not fit its class.
    """
    from gankit.models import build_model

    if role not in ckpt:
        raise CheckpointError(f"checkpoint {name!r} holds no {role} (no key {role!r})")
    spec = ckpt[role]  # its layout is checked by load_checkpoint_file
    if spec["class"] is None:
        raise CheckpointError(
            f"checkpoint {name!r} holds a {role} of an unregistered class "
            f"({spec['qualname']!r}); rebuild it in Python and use "
            "Trainer.load_checkpoint instead"
        )
    ema_weights = ckpt.get("ema_generator") if role == "generator" else None
    weights = ema_weights if ema and ema_weights is not None else spec["state_dict"]
    try:
        model = build_model(spec["class"], spec["config"])
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise CheckpointError(
            f"checkpoint {name!r}: cannot rebuild its {role} "
            f"{spec['class']}({spec['config']}): {exc}"
        ) from None
    try:
        model.load_state_dict(weights)
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise CheckpointError(
            f"checkpoint {name!r}: the {role} weights do not fit "
            f"{spec['class']}({spec['config']}): {exc}"
        ) from None
    return model.eval()
