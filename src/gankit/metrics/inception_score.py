r"""The Inception Score (Salimans et al. 2016), on the class probabilities of any classifier.

.. math::

    \mathrm{IS} = \exp\Big(\mathbb{E}_x\, \mathrm{KL}\big(p(y \mid x) \,\|\, p(y)\big)\Big),
    \qquad p(y) = \mathbb{E}_x\, p(y \mid x),

computed, as the paper's code does, on ``splits`` consecutive parts of the
samples: each part gets its own marginal :math:`p(y)` and score, and the
result is their mean and (population) standard deviation. ``0 · log 0 = 0``
(``xlogy``). Uniform predictions give 1; confident predictions spread evenly
over ``K`` classes give ``K``.

The classifier is the caller's: the probabilities may come from Inception-v3
(:func:`gankit.metrics.inception_feature_extractor` with a softmax head), the
offline digits classifier, or any model; with
:class:`~gankit.callbacks.MetricEval`, pass
``feature_extractor=nn.Sequential(classifier, nn.Softmax(dim=1))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from gankit._validation import check_positive_int
from gankit.metrics._base import Metric, as_features

__all__ = ["InceptionScore", "InceptionScoreResult", "inception_score"]

#: How far a row of probabilities may sum from 1 (float32 softmax outputs).
_SUM_TOLERANCE = 1e-4


@dataclass(frozen=True)
class InceptionScoreResult:
    """The Inception Score over ``splits`` parts.

    Attributes:
        mean: The mean of the parts' scores (higher is better, at most ``K``).
        std: Their population standard deviation.
        splits: The number of parts.
    """

    mean: float
    std: float
    splits: int


def _as_probabilities(probs: Tensor | np.ndarray) -> Tensor:
    """``probs`` as a float64 ``(N, K)`` tensor of rows that are distributions."""
    p = as_features(probs, "probs")  # (N, K) float64, finite
    if p.shape[1] < 2:
        raise ValueError(f"probs must have at least 2 classes (N, K >= 2), got {tuple(p.shape)}")
    if bool((p < 0).any()):
        raise ValueError("probs must be non-negative class probabilities (apply a softmax)")
    worst = float((p.sum(dim=1) - 1).abs().max())
    if worst > _SUM_TOLERANCE:
        raise ValueError(
            f"each row of probs must sum to 1 (class probabilities; apply a softmax), "
            f"got a row that is off by {worst:.3g}"
        )
    return p


def _score(p: Tensor, splits: int) -> InceptionScoreResult:
    n = p.shape[0]
    if splits > n:
        raise ValueError(f"splits must be at most the number of samples {n}, got {splits}")
    scores = []
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]  # (n_i, K)
        marginal = part.mean(dim=0, keepdim=True)  # (1, K): p(y) of this part
        kl = (torch.xlogy(part, part) - torch.xlogy(part, marginal)).sum(dim=1)  # (n_i,)
        scores.append(float(kl.mean().exp()))
    values = np.asarray(scores)
    return InceptionScoreResult(float(values.mean()), float(values.std()), splits)


def inception_score(probs: Tensor | np.ndarray, splits: int = 10) -> InceptionScoreResult:
    """The Inception Score of class probabilities; see the module docstring.

    Args:
        probs: ``p(y | x)`` for each sample, shape ``(N, K)``, rows summing to 1.
        splits: Consecutive parts to score separately (the paper: 10).

    Returns:
        The mean and standard deviation over the parts.

    Raises:
        ValueError: If ``probs`` is not ``(N, K >= 2)`` of finite, non-negative
            rows summing to 1, or ``splits`` exceeds ``N``.
        TypeError: If ``splits`` is not an int.

    Shape:
        - probs: ``(N, K)``.

    Example:
        >>> one_hot = torch.eye(4).repeat(5, 1)  # 20 confident samples, 4 balanced classes
        >>> round(inception_score(one_hot, splits=5).mean, 12)
        4.0
        >>> round(inception_score(torch.full((20, 4), 0.25), splits=5).mean, 12)
        1.0
    """
    return _score(_as_probabilities(probs), check_positive_int(splits, "splits"))


class InceptionScore(Metric):
    """Streaming :func:`inception_score`: ``update`` with probabilities, then ``compute``.

    The probabilities are kept (float64, on the CPU) until :meth:`reset`, in
    the order they came, so the splits are the same as the function's on the
    concatenated batches.

    Args:
        splits: Consecutive parts to score separately (the paper: 10).

    Raises:
        TypeError: If ``splits`` is not an int.
        ValueError: If ``splits < 1``.

    Shape:
        - update's probs: ``(B, K)``.

    Example:
        >>> metric = InceptionScore(splits=2)
        >>> metric.update(torch.eye(3))
        >>> metric.update(torch.eye(3))
        >>> round(metric.compute().mean, 12)
        3.0
    """

    higher_is_better: ClassVar[bool] = True

    def __init__(self, splits: int = 10) -> None:
        self.splits = check_positive_int(splits, "splits")
        self._batches: list[Tensor] = []

    def update(self, probs: Tensor | np.ndarray) -> None:
        """Add a ``(B, K)`` batch of class probabilities.

        Raises:
            ValueError: If the batch is not rows of probabilities, or its ``K``
                differs from the earlier batches'.
        """
        p = _as_probabilities(probs)
        if self._batches and p.shape[1] != self._batches[0].shape[1]:
            raise ValueError(
                f"probs must keep {self._batches[0].shape[1]} classes, got {p.shape[1]}"
            )
        self._batches.append(p)

    def compute(self) -> InceptionScoreResult:
        """The score of every probability row since the last :meth:`reset`.

        Raises:
            ValueError: If nothing was added, or fewer rows than ``splits``.
        """
        if not self._batches:
            raise ValueError("compute() needs probabilities; call update(probs) first")
        return _score(torch.cat(self._batches), self.splits)

    def reset(self) -> None:
        """Forget the probabilities."""
        self._batches = []
