"""The streaming metric protocol and the feature checks every metric shares.

A streaming metric accumulates state with :meth:`Metric.update`, turns it into
a result with :meth:`Metric.compute` and forgets it with :meth:`Metric.reset`.
The class and the matching function call the same private helpers, so each
formula is written once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from gankit._validation import check_shape

__all__ = ["Metric", "as_features", "check_same_dim"]


class Metric(ABC):
    """Base class of streaming metrics: ``update`` many times, then ``compute``.

    Attributes:
        higher_is_better: ``True`` if a larger result means a better generator,
            ``False`` if a smaller one does.
    """

    higher_is_better: ClassVar[bool]

    @abstractmethod
    def update(self, *args: Any, **kwargs: Any) -> None:
        """Add a batch to the accumulated state."""

    @abstractmethod
    def compute(self) -> Any:
        """Return the metric of everything seen since the last :meth:`reset`."""

    @abstractmethod
    def reset(self) -> None:
        """Forget the accumulated state."""


def as_features(x: Tensor | np.ndarray, name: str) -> Tensor:
    """Return ``x`` as a finite, non-empty ``(N, d)`` float64 CPU tensor.

    Args:
        x: A tensor or numpy array of shape ``(N, d)``.
        name: The argument's name, used in error messages.

    Returns:
        ``x`` converted to float64 on the CPU.

    Raises:
        TypeError: If ``x`` is neither a tensor nor an array, or not real-valued.
        ValueError: If ``x`` is not 2-D, is empty, or holds NaN or infinity.
    """
    if isinstance(x, np.ndarray):
        x = torch.from_numpy(x)
    check_shape(x, (None, None), name)
    if x.is_complex() or x.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must be non-empty, got shape {tuple(x.shape)}")
    x = x.detach().to(device="cpu", dtype=torch.float64)
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return x


def check_same_dim(a: Tensor, b: Tensor, name_a: str, name_b: str) -> None:
    """Check that two ``(N, d)`` feature sets have the same feature dimension ``d``.

    Raises:
        ValueError: If the dimensions differ.
    """
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same feature dimension, "
            f"got {a.shape[1]} and {b.shape[1]}"
        )
