"""Private checks shared by the loss functions and the loss objects.

Each helper raises an error naming the argument, what was expected and what
was given; the scalar checks return the argument as a plain ``float``.
"""

from __future__ import annotations

import math
from numbers import Real

from torch import Tensor

from gankit._validation import check_logits

__all__ = ["check_batch_logits", "check_label_smoothing", "check_nonnegative"]


def check_batch_logits(tensor: Tensor, name: str) -> None:
    """Check that ``tensor`` holds the logits (or scores) of a non-empty batch.

    Args:
        tensor: The logits to check, expected shape ``(N,)`` with ``N >= 1``.
        name: The argument's name, used in the error message.

    Raises:
        TypeError: If ``tensor`` is not a floating-point tensor.
        ValueError: If ``tensor`` is not one-dimensional or is empty (the mean
            of an empty batch is NaN).

    Example:
        >>> import torch
        >>> check_batch_logits(torch.zeros(3), "fake_logits")
    """
    check_logits(tensor, name)
    if tensor.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape (0,)")


def check_label_smoothing(value: object) -> float:
    """Return a one-sided label-smoothing amount ``s`` as a float in ``[0, 1)``.

    Args:
        value: The amount; the real target becomes ``1 - s``.

    Returns:
        ``float(value)``.

    Raises:
        TypeError: If ``value`` is not a real number (``bool`` is refused).
        ValueError: If ``value`` is not in ``[0, 1)``.

    Example:
        >>> check_label_smoothing(0.1)
        0.1
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"label_smoothing must be a float in [0, 1), got {type(value).__name__} {value!r}"
        )
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"label_smoothing must be a float in [0, 1), got {value!r}")
    return float(value)


def check_nonnegative(value: object, name: str) -> float:
    """Return a finite, non-negative coefficient (a weight or a target) as a float.

    Args:
        value: The coefficient to check.
        name: The argument's name, used in the error message.

    Returns:
        ``float(value)``.

    Raises:
        TypeError: If ``value`` is not a real number (``bool`` is refused).
        ValueError: If ``value`` is negative, infinite or NaN.

    Example:
        >>> check_nonnegative(10, "weight")
        10.0
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a finite number >= 0, got {type(value).__name__} {value!r}"
        )
    if not (math.isfinite(float(value)) and float(value) >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)
