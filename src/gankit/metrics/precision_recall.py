"""Improved precision and recall (Kynkäänniemi et al. 2019) on feature sets.

Each set is approximated by the union of balls around its points, each ball
reaching the point's ``k``-th nearest neighbour in its own set (self
excluded). Precision is the share of generated points inside the real
manifold; recall is the share of real points inside the generated manifold.
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

__all__ = ["PrecisionRecall", "PrecisionRecallResult", "precision_recall"]

__getattr__ = deprecated_aliases(__name__, {"PrecisionRecallMetric": "PrecisionRecall"})


@dataclass(frozen=True)
class PrecisionRecallResult:
    """Precision and recall, each in ``[0, 1]`` (higher is better).

    Attributes:
        precision: Share of fake points inside at least one real ball (fidelity).
        recall: Share of real points inside at least one fake ball (diversity).
    """

    precision: float
    recall: float


def _manifold_share(points: Tensor, reference: Tensor, k: int, chunk: int) -> float:
    """Share of ``points`` within the ``k``-NN balls of ``reference`` (``<=`` radius)."""
    sq_radii = kth_neighbour_sq_radii(reference, k, chunk)  # (N_ref,)
    per_point, _ = ball_membership(points, reference, sq_radii, strict=False, chunk_size=chunk)
    return float((per_point > 0).double().mean())


def _precision_recall(real: Tensor, fake: Tensor, k: int, chunk: int) -> PrecisionRecallResult:
    check_same_dim(real, fake, "real", "fake")
    check_k(k, real.shape[0], "real")
    check_k(k, fake.shape[0], "fake")
    return PrecisionRecallResult(
        precision=_manifold_share(fake, real, k, chunk),
        recall=_manifold_share(real, fake, k, chunk),
    )


def precision_recall(
    real: Tensor | np.ndarray,
    fake: Tensor | np.ndarray,
    k: int = 3,
    *,
    batch_size: int = DEFAULT_CHUNK_SIZE,
) -> PrecisionRecallResult:
    r"""Improved precision and recall of generated features against real ones.

    .. math::
        r_i = \|x_i - \mathrm{NN}_k(x_i)\|, \qquad
        \text{precision} = \frac{1}{M} \sum_{j=1}^{M}
            \big[\exists i: \|y_j - x_i\| \le r_i\big]

    and recall is the same with real ``x`` and fake ``y`` swapped (radii
    from the fake set's own ``k``-NN). Distances are float64, computed in
    ``batch_size × batch_size`` blocks.

    Args:
        real: Real features.
        fake: Generated features.
        k: Neighbour that sets each ball's radius (paper: 3); ``1 <= k < N``
            for both sets.
        batch_size: Rows and columns per distance block.

    Returns:
        A :class:`PrecisionRecallResult`.

    Raises:
        TypeError: If an input is not a tensor/array or k/batch_size not an int.
        ValueError: If inputs are not 2-D, dimensions differ, or ``k`` is out of range.

    Shape:
        - real: ``(N, d)``; fake: ``(M, d)``.

    Example:
        >>> import torch
        >>> real = torch.tensor([[0.0], [1.0], [2.0]])
        >>> fake = torch.tensor([[0.5], [1.0], [9.0], [10.0]])
        >>> precision_recall(real, fake, k=1)
        PrecisionRecallResult(precision=0.5, recall=0.6666666666666666)
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    return _precision_recall(as_features(real, "real"), as_features(fake, "fake"), k, batch_size)


class PrecisionRecall(NeighbourBallMetric[PrecisionRecallResult]):
    """Streaming :func:`precision_recall`; keeps every feature (float64) until reset.

    Args:
        k: Neighbour that sets each ball's radius.
        batch_size: Rows and columns per distance block.

    Raises:
        TypeError: If ``k`` or ``batch_size`` is not an int.
        ValueError: If ``k`` or ``batch_size`` is below 1; at :meth:`compute`,
            if a side is empty or has ``k`` or fewer points.

    Shape:
        - update's features: ``(B, d)``.

    Example:
        >>> import torch
        >>> metric = PrecisionRecall(k=1)
        >>> metric.update(torch.tensor([[0.0], [1.0]]), real=True)
        >>> metric.update(torch.tensor([[0.5], [7.0]]), real=False)
        >>> metric.compute()
        PrecisionRecallResult(precision=0.5, recall=1.0)
    """

    higher_is_better: ClassVar[bool] = True

    def __init__(self, k: int = 3, *, batch_size: int = DEFAULT_CHUNK_SIZE) -> None:
        super().__init__(k, batch_size)

    def _score(self, real: Tensor, fake: Tensor) -> PrecisionRecallResult:
        return _precision_recall(real, fake, self.k, self.batch_size)
