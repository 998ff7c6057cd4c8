"""Private checks of model constructor arguments.

Each helper returns the argument in the plain form that ``get_config()`` stores
(``int``, ``float``, ``tuple[int, ...]``) and raises an error naming the
argument, what was expected and what was given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

__all__ = [
    "check_image_shape",
    "check_optional_positive_int",
    "check_positive_float",
    "check_positive_int",
    "check_probability",
    "check_shape_tuple",
]


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= 1``.

    Args:
        value: The argument to check.
        name: The argument's name, used in the error message.

    Returns:
        ``int(value)``.

    Raises:
        TypeError: If ``value`` is not an integer (``bool`` is refused).
        ValueError: If ``value < 1``.

    Example:
        >>> check_positive_int(3, "latent_dim")
        3
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int (>= 1), got {value}")
    return int(value)


def check_optional_positive_int(value: object, name: str) -> int | None:
    """Like :func:`check_positive_int`, but ``None`` passes through.

    Example:
        >>> check_optional_positive_int(None, "num_classes") is None
        True
    """
    return None if value is None else check_positive_int(value, name)


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


def check_probability(value: object, name: str) -> float:
    """Return a dropout probability in ``[0, 1)`` as a ``float``.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If it lies outside ``[0, 1)``.

    Example:
        >>> check_probability(0.5, "dropout")
        0.5
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a float in [0, 1), got {type(value).__name__} {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {value}")
    return float(value)


def check_positive_float(value: object, name: str) -> float:
    """Return a positive, finite real number as a ``float``.

    Raises:
        TypeError: If ``value`` is not a real number (``bool`` is refused).
        ValueError: If it is not finite or not above 0.

    Example:
        >>> check_positive_float(0.2, "init_scale")
        0.2
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive float, got {type(value).__name__} {value!r}")
    if not (math.isfinite(float(value)) and float(value) > 0.0):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return float(value)
