"""Density and coverage (Naeem et al. 2020) on feature sets.

Balls are built around *real* points only, each reaching the point's
``k``-th nearest real neighbour (self excluded). Density counts how many real
balls each fake point falls into, normalised so that matching distributions
score about 1; coverage is the share of real balls that hold any fake point.

Both use the strict ``distance < radius``, as the authors' reference code
(``prdc``) does; REFERENCES.md states strict ``<`` for coverage and "inside"
for density, and the code settles the latter. With continuous features the
two choices differ only on ties, which have probability zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from torch import Tensor

from gankit._deprecation import deprecated_aliases
from gankit._validation import check_positive_int
from gankit.metrics._base import as_features, check_same_dim
from gankit.metrics._distances import (
    DEFAULT_CHUNK_SIZE,
    ball_membership,
    check_k,
    kth_neighbour_sq_radii,
)
from gankit.metrics._feature_set import NeighbourBallMetric

__all__ = ["DensityCoverage", "DensityCoverageResult", "density_coverage"]

__getattr__ = deprecated_aliases(__name__, {"DensityCoverageMetric": "DensityCoverage"})


@dataclass(frozen=True)
class DensityCoverageResult:
    """Density (``>= 0``, about 1 for matching distributions) and coverage in ``[0, 1]``.

    Attributes:
        density: Mean number of real balls per fake point, divided by ``k``
            (can exceed 1; higher means more fidelity).
        coverage: Share of real balls holding at least one fake point (higher
            means more diversity; about ``1 − 2^(−k)`` for matching distributions).
    """

    density: float
    coverage: float


def _density_coverage(real: Tensor, fake: Tensor, k: int, chunk: int) -> DensityCoverageResult:
    check_same_dim(real, fake, "real", "fake")
    check_k(k, real.shape[0], "real")
    sq_radii = kth_neighbour_sq_radii(real, k, chunk)  # (N,)
    per_fake, per_real = ball_membership(fake, real, sq_radii, strict=True, chunk_size=chunk)
    return DensityCoverageResult(
        density=float(per_fake.sum()) / (k * fake.shape[0]),
        coverage=float((per_real > 0).double().mean()),
    )


def density_coverage(
    real: Tensor | np.ndarray,
    fake: Tensor | np.ndarray,
    k: int = 5,
    *,
    batch_size: int = DEFAULT_CHUNK_SIZE,
) -> DensityCoverageResult:
    r"""Density and coverage of generated features against real ones.

    .. math::
        \text{density} = \frac{1}{kM} \sum_{j=1}^{M} \sum_{i=1}^{N}
            \big[\|y_j - x_i\| < r_i\big], \qquad
        \text{coverage} = \frac{1}{N} \sum_{i=1}^{N}
            \big[\exists j: \|y_j - x_i\| < r_i\big]

    where ``r_i`` is the distance from real ``x_i`` to its ``k``-th nearest
    other real point. Distances are float64, computed in
    ``batch_size × batch_size`` blocks.

    Args:
        real: Real features ``x``.
        fake: Generated features ``y``.
        k: Neighbour that sets each ball's radius (paper: 5); ``1 <= k < N``.
        batch_size: Rows and columns per distance block.

    Returns:
        A :class:`DensityCoverageResult`.

    Raises:
        TypeError: If an input is not a tensor/array or k/batch_size not an int.
        ValueError: If inputs are not 2-D, dimensions differ, or ``k`` is out of range.

    Shape:
        - real: ``(N, d)``; fake: ``(M, d)``.

    Example:
        >>> import torch
        >>> real = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
        >>> density_coverage(real, torch.tensor([[0.5], [0.6]]), k=1)
        DensityCoverageResult(density=2.0, coverage=0.5)
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    return _density_coverage(as_features(real, "real"), as_features(fake, "fake"), k, batch_size)


class DensityCoverage(NeighbourBallMetric[DensityCoverageResult]):
    """Streaming :func:`density_coverage`; keeps every feature (float64) until reset.

    Args:
        k: Neighbour that sets each ball's radius.
        batch_size: Rows and columns per distance block.

    Raises:
        TypeError: If ``k`` or ``batch_size`` is not an int.
        ValueError: If ``k`` or ``batch_size`` is below 1; at :meth:`compute`,
            if a side is empty or the real side has ``k`` or fewer points.

    Shape:
        - update's features: ``(B, d)``.

    Example:
        >>> import torch
        >>> metric = DensityCoverage(k=1)
        >>> metric.update(torch.tensor([[0.0], [1.0], [2.0], [3.0]]), real=True)
        >>> metric.update(torch.tensor([[0.5], [0.6]]), real=False)
        >>> metric.compute()
        DensityCoverageResult(density=2.0, coverage=0.5)
    """

    higher_is_better: ClassVar[bool] = True

    def __init__(self, k: int = 5, *, batch_size: int = DEFAULT_CHUNK_SIZE) -> None:
        super().__init__(k, batch_size)

    def _score(self, real: Tensor, fake: Tensor) -> DensityCoverageResult:
        return _density_coverage(real, fake, self.k, self.batch_size)
