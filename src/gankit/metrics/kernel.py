"""Kernel distance (KID, Bińkowski et al. 2018): unbiased MMD² with a polynomial kernel.

The estimate is averaged over random subsets of equal size drawn without
replacement from each set, which bounds the cost at ``subset_size²`` kernel
values per subset and gives a spread across subsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from gankit._deprecation import deprecated_aliases
from gankit._validation import check_finite, check_positive_float, check_positive_int
from gankit.metrics._base import as_features, check_same_dim
from gankit.metrics._feature_set import FeatureSetMetric

__all__ = ["KernelDistance", "KernelDistanceResult", "kernel_distance"]

__getattr__ = deprecated_aliases(__name__, {"KernelDistanceMetric": "KernelDistance"})


@dataclass(frozen=True)
class KernelDistanceResult:
    """Mean and spread of the unbiased MMD² over subsets.

    Attributes:
        mean: Mean MMD² over subsets (lower is better; it can dip below 0
            because the estimator is unbiased).
        std: Population standard deviation (divisor ``num_subsets``) of the
            per-subset estimates; 0 for a single subset.
    """

    mean: float
    std: float


@dataclass(frozen=True)
class _KernelParams:
    num_subsets: int
    subset_size: int
    degree: int
    gamma: float | None
    coef: float


def _check_params(
    num_subsets: object, subset_size: object, degree: object, gamma: object, coef: object
) -> _KernelParams:
    return _KernelParams(
        num_subsets=check_positive_int(num_subsets, "num_subsets"),
        subset_size=check_positive_int(subset_size, "subset_size"),
        degree=check_positive_int(degree, "degree"),
        gamma=None if gamma is None else check_positive_float(gamma, "gamma"),
        coef=check_finite(coef, "coef"),
    )


def _mmd2_unbiased(x: Tensor, y: Tensor, degree: int, gamma: float, coef: float) -> float:
    """Unbiased MMD² of two samples with ``k(u, v) = (γ uᵀv + c)^degree``."""
    m, n = x.shape[0], y.shape[0]
    k_xx = (gamma * (x @ x.T) + coef) ** degree  # (m, m)
    k_yy = (gamma * (y @ y.T) + coef) ** degree  # (n, n)
    k_xy = (gamma * (x @ y.T) + coef) ** degree  # (m, n)
    within_x = (k_xx.sum() - k_xx.diagonal().sum()) / (m * (m - 1))
    within_y = (k_yy.sum() - k_yy.diagonal().sum()) / (n * (n - 1))
    return float(within_x + within_y - 2 * k_xy.mean())


def _kernel_distance(
    a: Tensor, b: Tensor, params: _KernelParams, generator: torch.Generator | None
) -> KernelDistanceResult:
    size = min(params.subset_size, a.shape[0], b.shape[0])
    if size < 2:
        raise ValueError(
            "kernel distance needs at least 2 points in each set, "
            f"got {a.shape[0]} and {b.shape[0]}"
        )
    gamma = 1.0 / a.shape[1] if params.gamma is None else params.gamma
    scores = torch.empty(params.num_subsets, dtype=torch.float64)
    for t in range(params.num_subsets):
        index_a = torch.randperm(a.shape[0], generator=generator)[:size]
        index_b = torch.randperm(b.shape[0], generator=generator)[:size]
        scores[t] = _mmd2_unbiased(a[index_a], b[index_b], params.degree, gamma, params.coef)
    return KernelDistanceResult(mean=float(scores.mean()), std=float(scores.std(correction=0)))


def kernel_distance(
    features_a: Tensor | np.ndarray,
    features_b: Tensor | np.ndarray,
    *,
    num_subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    gamma: float | None = None,
    coef: float = 1.0,
    generator: torch.Generator | None = None,
) -> KernelDistanceResult:
    r"""Kernel (inception-style) distance: unbiased MMD² averaged over random subsets.

    .. math::
        k(x, y) = (\gamma\, x^\top y + c)^{p}, \qquad \gamma = 1/d \text{ by default}

        \widehat{\mathrm{MMD}}^2 = \frac{\sum_{i \ne j} k(x_i, x_j)}{m(m-1)}
            + \frac{\sum_{i \ne j} k(y_i, y_j)}{m(m-1)}
            - \frac{2}{m^2} \sum_{i, j} k(x_i, y_j)

    For each subset, ``randperm(n_a, generator)[:m]`` picks rows of
    ``features_a`` and then ``randperm(n_b, generator)[:m]`` rows of
    ``features_b``, with ``m = min(subset_size, n_a, n_b)``: the subset size is
    clipped to the smaller set, so small sets need no special care.

    Args:
        features_a: First feature set (for example real features), ``n_a >= 2``.
        features_b: Second feature set (for example generated features), ``n_b >= 2``.
        num_subsets: Number of random subsets.
        subset_size: Points per subset from each set, before clipping.
        degree: Polynomial degree ``p``.
        gamma: Scale ``γ`` of the inner product; ``None`` means ``1/d``.
        coef: Constant ``c``.
        generator: Random generator for the subsets; ``None`` uses torch's global one.

    Returns:
        A :class:`KernelDistanceResult` with the mean and std over subsets.

    Raises:
        TypeError: If an input or option has the wrong type.
        ValueError: If inputs are not 2-D, dimensions differ, a set has fewer
            than 2 points, or an option is out of range.

    Shape:
        - features_a: ``(n_a, d)``; features_b: ``(n_b, d)``.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> x = torch.randn(200, 4)
        >>> kernel_distance(x, x + 2.0, num_subsets=5, subset_size=100).mean > 1.0
        True
    """
    params = _check_params(num_subsets, subset_size, degree, gamma, coef)
    a = as_features(features_a, "features_a")
    b = as_features(features_b, "features_b")
    check_same_dim(a, b, "features_a", "features_b")
    return _kernel_distance(a, b, params, generator)


class KernelDistance(FeatureSetMetric[KernelDistanceResult]):
    """Streaming :func:`kernel_distance`; keeps every feature (float64) until reset.

    Args:
        num_subsets: Number of random subsets.
        subset_size: Points per subset from each set, before clipping.
        degree: Polynomial degree.
        gamma: Scale of the inner product; ``None`` means ``1/d``.
        coef: Constant added to the scaled inner product.
        generator: Random generator for the subsets.

    Raises:
        TypeError: If an option has the wrong type.
        ValueError: If an option is out of range; at :meth:`compute`, if either
            side is empty or has fewer than 2 points.

    Shape:
        - update's features: ``(B, d)``.

    Example:
        >>> metric = KernelDistance(num_subsets=1)
        >>> metric.update(torch.tensor([[0.0], [1.0]]), real=True)
        >>> metric.update(torch.tensor([[0.0], [1.0]]), real=False)
        >>> metric.compute()
        KernelDistanceResult(mean=-3.5, std=0.0)
    """

    higher_is_better: ClassVar[bool] = False

    def __init__(
        self,
        *,
        num_subsets: int = 100,
        subset_size: int = 1000,
        degree: int = 3,
        gamma: float | None = None,
        coef: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.params = _check_params(num_subsets, subset_size, degree, gamma, coef)
        self.generator = generator

    def _score(self, real: Tensor, fake: Tensor) -> KernelDistanceResult:
        return _kernel_distance(real, fake, self.params, self.generator)
