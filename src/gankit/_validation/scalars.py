"""Checks of scalar arguments: counts, coefficients and fractions.

Each check returns the argument in plain form (``int`` or ``float``) and raises
an error that names the argument, what was expected and what was given.
``bool`` is refused wherever a number is expected.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = [
    "check_finite",
    "check_fraction",
    "check_nonnegative",
    "check_optional_positive_int",
    "check_positive_float",
    "check_positive_int",
    "check_probability",
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
        >>> check_positive_int(10, "every")
        10
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


def _finite_float(value: object, name: str, bound: str) -> float:
    """Return ``float(value)`` for a real number; ``bound`` names the range in errors."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a finite number{bound}, got {type(value).__name__} {value!r}"
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number{bound}, got {number}")
    return number


def check_finite(value: object, name: str) -> float:
    """Return a finite real number as a ``float``.

    Raises:
        TypeError: If ``value`` is not a real number (``bool`` is refused).
        ValueError: If it is infinite or NaN.

    Example:
        >>> check_finite(-1, "coef")
        -1.0
    """
    return _finite_float(value, name, "")


def check_positive_float(value: object, name: str) -> float:
    """Return a finite real number ``> 0`` as a ``float``.

    Raises:
        TypeError: If ``value`` is not a real number (``bool`` is refused).
        ValueError: If it is not finite or not above 0.

    Example:
        >>> check_positive_float(0.2, "std")
        0.2
    """
    number = _finite_float(value, name, " > 0")
    if number <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {number}")
    return number


def check_nonnegative(value: object, name: str) -> float:
    """Return a finite real number ``>= 0`` (a weight, a target, a noise level) as a ``float``.

    Raises:
        TypeError: If ``value`` is not a real number (``bool`` is refused).
        ValueError: If it is negative, infinite or NaN.

    Example:
        >>> check_nonnegative(10, "weight")
        10.0
    """
    number = _finite_float(value, name, " >= 0")
    if number < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {number}")
    return number


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
        TypeError: If ``value`` is not a real number (``bool`` is refused).
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


def check_probability(value: object, name: str) -> float:
    """Return a probability in ``[0, 1)`` (dropout, label smoothing) as a ``float``.

    The same as :func:`check_fraction` with ``open_low=False, closed_high=False``.

    Example:
        >>> check_probability(0.5, "dropout")
        0.5
    """
    return check_fraction(value, name, open_low=False, closed_high=False)
