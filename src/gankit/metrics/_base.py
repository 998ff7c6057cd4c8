"""The streaming metric protocol and the input checks every metric shares.

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

__all__ = ["FeatureStore", "Metric", "as_features", "check_positive_int", "check_same_dim"]


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


def check_positive_int(value: int, name: str) -> None:
    """Check that ``value`` is an ``int`` (not a ``bool``) that is at least 1.

    Raises:
        TypeError: If ``value`` is not an integer.
        ValueError: If ``value`` is smaller than 1.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")


class FeatureStore:
    """Real and fake feature batches kept in memory for metrics that need them all.

    Kernel distance, precision/recall and density/coverage compare every
    point with every other, so their streaming forms keep all features
    (float64, on the CPU) until :meth:`clear`.
    """

    def __init__(self) -> None:
        self.real: list[Tensor] = []
        self.fake: list[Tensor] = []

    def add(self, features: Tensor | np.ndarray, real: bool) -> None:
        """Store a ``(N, d)`` batch as real or fake features.

        Raises:
            TypeError: If ``real`` is not a bool.
            ValueError: If the batch is not ``(N, d)`` or ``d`` differs from earlier batches.
        """
        if not isinstance(real, bool):
            raise TypeError(f"real must be a bool, got {type(real).__name__}")
        name = "real features" if real else "fake features"
        batch = as_features(features, name)
        stored = self.real + self.fake
        if stored:
            check_same_dim(stored[0], batch, "earlier features", name)
        (self.real if real else self.fake).append(batch)

    def tensors(self) -> tuple[Tensor, Tensor]:
        """Return ``(real, fake)`` concatenated, each ``(N, d)``.

        Raises:
            ValueError: If no real or no fake features were added.
        """
        if not self.real or not self.fake:
            raise ValueError(
                "compute() needs both real and fake features, got "
                f"{len(self.real)} real and {len(self.fake)} fake batches; "
                "call update(features, real=True) and update(features, real=False) first"
            )
        return torch.cat(self.real), torch.cat(self.fake)

    def clear(self) -> None:
        """Drop every stored batch."""
        self.real.clear()
        self.fake.clear()
