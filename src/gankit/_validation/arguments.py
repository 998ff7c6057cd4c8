"""Checks of structured arguments: paths, shape tuples and random generators.

Each check returns the argument in plain form (``Path``, ``tuple[int, ...]``)
and raises an error that names the argument, what was expected and what was
given.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import torch

from gankit._validation.scalars import check_positive_int

__all__ = ["check_generator", "check_image_shape", "check_path", "check_shape_tuple"]


def check_path(value: object, name: str) -> Path:
    """Return ``value`` as a :class:`~pathlib.Path` if it is a string or path-like.

    Args:
        value: The argument to check.
        name: The argument's name, used in the error message.

    Returns:
        ``Path(value)``.

    Raises:
        TypeError: If ``value`` is neither a string nor path-like.

    Example:
        >>> check_path("runs/a", "dirpath").name
        'a'
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(value).__name__}")
    return Path(value)


def check_shape_tuple(value: object, name: str, allow_empty: bool = False) -> tuple[int, ...]:
    """Return a sequence of positive ints as a tuple.

    Args:
        value: The shape to check, e.g. ``(3, 32, 32)`` or ``[2]``.
        name: The argument's name, used in the error message.
        allow_empty: Accept ``()`` (e.g. no hidden layers).

    Returns:
        The shape as a tuple of ``int``.

    Raises:
        TypeError: If ``value`` is not a sequence of ints.
        ValueError: If it is empty (unless allowed) or holds a size below 1.

    Example:
        >>> check_shape_tuple([1, 28, 28], "out_shape")
        (1, 28, 28)
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{name} must be a tuple of positive ints, got {type(value).__name__} {value!r}"
        )
    if len(value) == 0 and not allow_empty:
        raise ValueError(f"{name} must have at least one dimension, got ()")
    return tuple(check_positive_int(s, f"each size in {name}") for s in value)


def check_image_shape(value: object, name: str) -> tuple[int, int, int]:
    """Return a square image shape ``(C, H, W)`` with ``H == W``.

    Args:
        value: The shape to check.
        name: The argument's name, used in the error message.

    Returns:
        The shape as a tuple of three ints.

    Raises:
        TypeError: If ``value`` is not a sequence of ints.
        ValueError: If it does not have three sizes or ``H != W``.

    Example:
        >>> check_image_shape((3, 32, 32), "in_shape")
        (3, 32, 32)
    """
    shape = check_shape_tuple(value, name)
    if len(shape) != 3 or shape[1] != shape[2]:
        raise ValueError(f"{name} must be a square image shape (C, H, W) with H == W, got {shape}")
    return shape[0], shape[1], shape[2]


def check_generator(value: object, name: str = "generator") -> torch.Generator | None:
    """Return ``value`` if it is a :class:`torch.Generator` or ``None``.

    Raises:
        TypeError: If ``value`` is anything else.

    Example:
        >>> check_generator(None) is None
        True
    """
    if value is not None and not isinstance(value, torch.Generator):
        raise TypeError(
            f"{name} must be a torch.Generator or None, got {type(value).__name__}"
        )
    return value
