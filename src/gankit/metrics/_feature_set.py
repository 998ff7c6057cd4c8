"""Streaming metrics that keep every real and fake feature: the store and its base class.

Kernel distance, precision/recall and density/coverage compare every point
with every other, so their streaming forms keep all features (float64, on the
CPU) and score them in :meth:`~FeatureSetMetric.compute`. The base class owns
``update``, ``compute`` and ``reset``; a subclass writes only ``_score``.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Generic, TypeVar

import numpy as np
import torch
from torch import Tensor

from gankit._validation import check_positive_int
from gankit.metrics._base import Metric, as_features, check_same_dim

__all__ = ["FeatureSetMetric", "FeatureStore", "NeighbourBallMetric"]

R = TypeVar("R")


class FeatureStore:
    """Real and fake feature batches kept in memory for metrics that need them all.

    The features are float64, on the CPU, until :meth:`clear`.
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


class FeatureSetMetric(Metric, Generic[R]):
    """A streaming metric that stores all features and scores them at once.

    ``update(features, real)`` stores a ``(B, d)`` batch, ``compute()`` passes
    the concatenated ``(N, d)`` real and ``(M, d)`` fake features to
    :meth:`_score`, and ``reset()`` drops them.
    """

    def __init__(self) -> None:
        self.store = FeatureStore()

    def update(self, features: Tensor | np.ndarray, real: bool) -> None:
        """Store a ``(B, d)`` batch of real (``real=True``) or generated features."""
        self.store.add(features, real)

    def compute(self) -> R:
        """Score all fake features against all real ones.

        Raises:
            ValueError: If a side is empty, or too small for the metric.
        """
        real, fake = self.store.tensors()
        return self._score(real, fake)

    def reset(self) -> None:
        """Drop the stored features."""
        self.store.clear()

    @abstractmethod
    def _score(self, real: Tensor, fake: Tensor) -> R:
        """Return the result for real ``(N, d)`` and fake ``(M, d)`` float64 features."""


class NeighbourBallMetric(FeatureSetMetric[R]):
    """A :class:`FeatureSetMetric` on ``k``-nearest-neighbour balls, in distance blocks.

    Args:
        k: Neighbour that sets each ball's radius (an int ``>= 1``).
        batch_size: Rows and columns per distance block (an int ``>= 1``).

    Raises:
        TypeError: If ``k`` or ``batch_size`` is not an int.
        ValueError: If ``k`` or ``batch_size`` is below 1.
    """

    def __init__(self, k: int, batch_size: int) -> None:
        super().__init__()
        self.k = check_positive_int(k, "k")
        self.batch_size = check_positive_int(batch_size, "batch_size")
