"""Private checks of callback constructor arguments.

Each helper returns the argument in plain form and raises an error naming the
argument, what was expected and what was given.
"""

from __future__ import annotations

import os
from numbers import Integral, Real
from pathlib import Path

__all__ = ["check_fraction", "check_path", "check_positive_int"]


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
        >>> check_positive_int(10, "every")
        10
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int (>= 1), got {value}")
    return int(value)


def check_fraction(value: object, name: str, *, open_low: bool, closed_high: bool) -> float:
    """Return ``value`` as a ``float`` if it lies in the unit interval.

    Args:
        value: The argument to check.
        name: The argument's name, used in the error message.
        open_low: Refuse 0.
        closed_high: Accept 1.

    Returns:
        ``float(value)``.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If ``value`` is outside the interval.

    Example:
        >>> check_fraction(0.999, "decay", open_low=False, closed_high=True)
        0.999
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    number = float(value)
    low_ok = number > 0 if open_low else number >= 0
    high_ok = number <= 1 if closed_high else number < 1
    if not (low_ok and high_ok):
        interval = f"{'(' if open_low else '['}0, 1{']' if closed_high else ')'}"
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return number


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
