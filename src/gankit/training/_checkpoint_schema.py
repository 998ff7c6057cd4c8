"""The layout of a trainer checkpoint, checked before anything uses it.

:meth:`Trainer.load_checkpoint <gankit.Trainer.load_checkpoint>` and
:func:`~gankit.load_generator` index into a checkpoint and hand its parts to
``load_state_dict`` and the RNG setters. A file that loads but lacks a key or
holds a value of the wrong type (a damaged file without an integrity digest,
or one written by something else) would make them fail with a ``KeyError`` or
``TypeError`` far from the cause. :func:`check_trainer_checkpoint` checks the
whole layout first and names the first key that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from gankit.training._state_codec import KeyPath, describe_path

__all__ = ["TRAINER_KEYS", "check_trainer_checkpoint"]

Check = Callable[[Any, KeyPath], None]


def _fail(path: KeyPath, expected: str, value: Any = None) -> ValueError:
    """The error for a wrong value: where, what was expected, what was found."""
    return ValueError(
        f"{describe_path(path)} should be {expected}; found {type(value).__name__} {_short(value)}"
    )


def _missing(path: KeyPath) -> ValueError:
    return ValueError(f"{describe_path(path)} is missing")


def _short(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"of dtype {value.dtype} and shape {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _int(minimum: int = 0, maximum: int | None = None) -> Check:
    def check(value: Any, path: KeyPath) -> None:
        if type(value) is not int or value < minimum or (maximum is not None and value > maximum):
            upper = "" if maximum is None else f" and <= {maximum}"
            raise _fail(path, f"an int >= {minimum}{upper}", value)

    return check


def _of_type(*types: type, name: str) -> Check:
    def check(value: Any, path: KeyPath) -> None:
        if type(value) not in types:
            raise _fail(path, name, value)

    return check


def _tensor(dtype: torch.dtype, numel: int | None = None) -> Check:
    def check(value: Any, path: KeyPath) -> None:
        shape = "1-D" if numel is None else f"shape ({numel},)"
        ok = isinstance(value, torch.Tensor) and value.dtype == dtype and value.dim() == 1
        if not ok or (numel is not None and value.numel() != numel):
            raise _fail(path, f"a {shape} {dtype} tensor", value)

    return check


def _optional(check: Check) -> Check:
    def optional(value: Any, path: KeyPath) -> None:
        if value is not None:
            check(value, path)

    return optional


def _mapping(
    fields: Mapping[str, Check] | None = None,
    *,
    optional: Mapping[str, Check] | None = None,
    values: Check | None = None,
    str_keys: bool = True,
) -> Check:
    """A dict with these required and optional fields (others are allowed)."""

    def check(value: Any, path: KeyPath) -> None:
        if not isinstance(value, dict):
            raise _fail(path, "a dict", value)
        if str_keys and not all(type(k) is str for k in value):
            raise _fail(path, "a dict with str keys", value)
        for key, field in (fields or {}).items():
            if key not in value:
                raise _missing((*path, key))
            field(value[key], (*path, key))
        for key, field in (optional or {}).items():
            if key in value:
                field(value[key], (*path, key))
        if values is not None:
            for key, item in value.items():
                values(item, (*path, key))

    return check


def _list(item: Check) -> Check:
    def check(value: Any, path: KeyPath) -> None:
        if type(value) is not list:
            raise _fail(path, "a list", value)
        for i, v in enumerate(value):
            item(v, (*path, i))

    return check


_str = _of_type(str, name="a str")
_number = _of_type(int, float, name="a number")
_state_dict = _mapping()

_model_spec = _mapping({
    "class": _optional(_str),
    "qualname": _str,
    "config": _mapping(),
    "state_dict": _state_dict,
})
_optimizer = _mapping({
    "state": _mapping(values=_mapping(), str_keys=False),
    "param_groups": _list(_mapping({"params": _list(_int())})),
})
_SCALER_FIELDS = ("scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker")


def _scaler(value: Any, path: KeyPath) -> None:
    """An enabled GradScaler's state has five numbers; a disabled one's is empty."""
    _mapping()(value, path)
    if value:
        _mapping(dict.fromkeys(_SCALER_FIELDS, _number))(value, path)


def _python_rng(value: Any, path: KeyPath) -> None:
    """``random.setstate`` needs 624 words in ``[0, 2**32)`` and a position <= 624."""
    _mapping({
        "version": _int(),
        "state": _tensor(torch.int64, 625),
        "gauss": _optional(_of_type(float, name="a float")),
    })(value, path)
    state = value["state"]
    words, position = state[:-1], int(state[-1])
    if bool((words < 0).any() or (words >= 2**32).any()) or not 0 <= position <= 624:
        raise _fail((*path, "state"), "a valid Mersenne Twister state", state)


def _torch_rng(value: Any, path: KeyPath) -> None:
    _tensor(torch.uint8, torch.get_rng_state().numel())(value, path)


_numpy_rng = _mapping({
    "name": _str,
    "keys": _tensor(torch.int64, 624),
    "pos": _int(0, 624),
    "has_gauss": _int(0, 1),
    "gauss": _of_type(float, name="a float"),
})
_rng = _mapping(
    {"torch": _torch_rng, "numpy": _numpy_rng, "python": _python_rng},
    optional={"cuda": _list(_tensor(torch.uint8))},
)
_trainer_settings = _mapping(
    optional={
        "latent_dim": _int(1),
        "num_classes": _optional(_int(1)),
        "noise": _str,
        "d_steps": _int(1),
        "world_size": _int(1),
        "loss": _str,
    }
)

#: Every key of :meth:`Trainer.state_dict <gankit.Trainer.state_dict>`, and its check.
_TRAINER_LAYOUT: dict[str, Check] = {
    "gankit_version": _str,
    "step": _int(),
    "epoch": _int(),
    "generator": _model_spec,
    "discriminator": _model_spec,
    "ema_generator": _optional(_state_dict),
    "g_optimizer": _optimizer,
    "d_optimizer": _optimizer,
    "g_scaler": _scaler,
    "d_scaler": _scaler,
    "callbacks": _mapping(),
    "rng": _rng,
    "data": _optional(_mapping()),
    "trainer": _trainer_settings,
}

#: The top-level keys a trainer checkpoint holds besides ``format``.
TRAINER_KEYS: tuple[str, ...] = tuple(_TRAINER_LAYOUT)


def check_trainer_checkpoint(ckpt: Mapping[str, Any]) -> None:
    """Check the layout of a checkpoint that holds any of the trainer's keys.

    A checkpoint with none of :data:`TRAINER_KEYS` (a plain dict written with
    :func:`~gankit.training.save_checkpoint_file`) is not checked; one with any
    of them must have them all, each of the right type, as
    :meth:`Trainer.state_dict <gankit.Trainer.state_dict>` writes them.

    Args:
        ckpt: The loaded checkpoint.

    Raises:
        ValueError: Naming the first key that is missing or of the wrong type.

    Example:
        >>> check_trainer_checkpoint({"format": "x", "weights": 1})  # not a trainer's
        >>> check_trainer_checkpoint({"format": "x", "step": "3"})
        Traceback (most recent call last):
        ...
        ValueError: checkpoint key 'gankit_version' is missing
    """
    if not any(key in ckpt for key in TRAINER_KEYS):
        return
    _mapping(_TRAINER_LAYOUT)(dict(ckpt), ())

