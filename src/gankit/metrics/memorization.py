"""Memorization check: are generated samples closer to the training set than new real data?

Each generated sample is matched to its nearest training image in feature
space, and so is each held-out real image (one the model never saw). A
generator that copies its training set puts its samples much closer to the
training images than fresh real data falls; a healthy one puts them about as
far, or farther. The two distance distributions are compared by their medians
and by how many generated samples fall below a low quantile of the held-out
distances, with a one-sided rank test (hypergeometric) for whether the
generated samples crowd the lowest distances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from gankit._validation import check_fraction, check_positive_int
from gankit.metrics._base import as_features, check_same_dim
from gankit.metrics._distances import DEFAULT_CHUNK_SIZE, nearest_neighbours

__all__ = ["MemorizationResult", "nearest_training_neighbours"]


@dataclass(frozen=True, eq=False)
class MemorizationResult:
    """Nearest training neighbours of generated (and held-out) samples, and their comparison.

    The fields after ``generated_median`` are ``None`` when no held-out
    features were given.

    Attributes:
        generated_indices: Index into the training set of each generated
            sample's nearest training image, int64 ``(M,)``.
        generated_distances: Its Euclidean distance, float64 ``(M,)``.
        generated_median: Median of ``generated_distances``.
        heldout_indices: The same for each held-out real sample, int64 ``(H,)``.
        heldout_distances: Float64 ``(H,)``.
        heldout_median: Median of ``heldout_distances``.
        median_ratio: ``generated_median / heldout_median``: about 1 (or more)
            for a healthy generator, well below 1 for one that copies; NaN if
            both medians are 0, infinity if only the held-out one is.
        threshold: The ``quantile`` quantile of ``heldout_distances``.
        fraction_closer: Share of generated samples strictly closer to the
            training set than ``threshold``: about ``quantile`` when the two
            distributions agree, near 1 for a copying generator.
        p_value: The one-sided p-value of "generated samples fall as close to
            the training set as held-out ones": among the ``K = ceil(quantile
            (M + H))`` smallest of all ``M + H`` distances (held-out first on
            ties), the count ``c`` of generated ones, and ``P(X >= c)`` for
            ``X ~ Hypergeometric(M + H, M, K)``, exact when the two sets of
            distances are exchangeable.
        memorizing: ``p_value < alpha``.
        quantile: The held-out quantile used.
        alpha: The significance level used.
    """

    generated_indices: Tensor
    generated_distances: Tensor
    generated_median: float
    heldout_indices: Tensor | None = None
    heldout_distances: Tensor | None = None
    heldout_median: float | None = None
    median_ratio: float | None = None
    threshold: float | None = None
    fraction_closer: float | None = None
    p_value: float | None = None
    memorizing: bool | None = None
    quantile: float = 0.05
    alpha: float = 0.01


def _median(x: Tensor) -> float:
    """The median as NumPy defines it (the mean of the two middle values for even sizes)."""
    return float(np.median(x.numpy()))


def _log_comb(n: int, k: Tensor) -> Tensor:
    return math.lgamma(n + 1) - torch.lgamma(k + 1) - torch.lgamma(n - k + 1)


def _rank_test(generated: Tensor, heldout: Tensor, quantile: float) -> float:
    """P(X >= c), X ~ Hypergeometric(M + H, M, K): c generated among the K smallest distances."""
    m, h = generated.shape[0], heldout.shape[0]
    draws = math.ceil(quantile * (m + h))
    order = torch.argsort(torch.cat([heldout, generated]), stable=True)  # held-out first on ties
    count = int((order[:draws] >= h).sum())
    if count == 0:
        return 1.0
    x = torch.arange(count, min(m, draws) + 1, dtype=torch.float64)  # (X,)
    all_draws = torch.tensor(float(draws), dtype=torch.float64)
    log_pmf = _log_comb(m, x) + _log_comb(h, draws - x) - _log_comb(m + h, all_draws)
    return min(1.0, float(torch.logsumexp(log_pmf, dim=0).exp()))


def _ratio(a: float, b: float) -> float:
    if b > 0:
        return a / b
    return math.nan if a == 0 else math.inf


def nearest_training_neighbours(
    generated_features: Tensor | np.ndarray,
    train_features: Tensor | np.ndarray,
    heldout_features: Tensor | np.ndarray | None = None,
    *,
    quantile: float = 0.05,
    alpha: float = 0.01,
    batch_size: int = DEFAULT_CHUNK_SIZE,
) -> MemorizationResult:
    r"""Find each generated sample's nearest training image and compare with held-out data.

    With :math:`g_i` the generated, :math:`t_j` the training and :math:`h_l`
    the held-out features,

    .. math::
        d_i = \min_j \|g_i - t_j\|, \qquad e_l = \min_j \|h_l - t_j\|, \qquad
        \text{fraction\_closer} = \frac{1}{M} \sum_i [d_i < Q_q(e)],

    with :math:`Q_q` the ``quantile`` quantile (linear interpolation) and
    ``median_ratio`` :math:`= \operatorname{median}(d) / \operatorname{median}(e)`.
    The held-out images must come from the training distribution but not
    from the training set (a test split). Distances are float64, found in
    ``batch_size × batch_size`` blocks; the nearest one is then recomputed
    directly, so a copy of a training image is at distance 0 exactly.

    Args:
        generated_features: Features of generated samples.
        train_features: Features of the training images.
        heldout_features: Features of real images not trained on, or ``None``
            to return the generated distances only.
        quantile: The held-out quantile ``q`` in ``(0, 1)`` that marks a sample
            as suspiciously close.
        alpha: Significance level in ``(0, 1)`` of the rank test behind ``memorizing``.
        batch_size: Rows and columns per distance block.

    Returns:
        A :class:`MemorizationResult`.

    Raises:
        TypeError: If an input is not a tensor or array, or ``quantile``,
            ``alpha`` or ``batch_size`` has the wrong type.
        ValueError: If an input is not a finite non-empty ``(N, d)`` set,
            the feature dimensions differ, or ``quantile``, ``alpha`` or
            ``batch_size`` is out of range.

    Shape:
        - generated_features: ``(M, d)``; train_features: ``(N, d)``;
          heldout_features: ``(H, d)``.

    Example:
        >>> import torch
        >>> train = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
        >>> heldout = torch.tensor([[1.0, 0.0], [9.0, 0.0], [0.0, 2.0]])  # 1, 1, 2 away
        >>> copies = torch.tensor([[10.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
        >>> r = nearest_training_neighbours(copies, train, heldout, quantile=0.5)
        >>> r.generated_indices.tolist(), r.generated_distances.tolist()
        ([1, 0, 0], [0.0, 0.0, 0.0])
        >>> r.heldout_median, r.median_ratio, r.threshold, r.fraction_closer
        (1.0, 0.0, 1.0, 1.0)
    """
    quantile = check_fraction(quantile, "quantile", open_low=True, closed_high=False)
    alpha = check_fraction(alpha, "alpha", open_low=True, closed_high=False)
    batch_size = check_positive_int(batch_size, "batch_size")
    generated = as_features(generated_features, "generated_features")
    train = as_features(train_features, "train_features")
    check_same_dim(train, generated, "train_features", "generated_features")
    gen_d, gen_i = nearest_neighbours(generated, train, batch_size)  # (M,), (M,)
    gen_median = _median(gen_d)
    if heldout_features is None:
        return MemorizationResult(gen_i, gen_d, gen_median, quantile=quantile, alpha=alpha)
    heldout = as_features(heldout_features, "heldout_features")
    check_same_dim(train, heldout, "train_features", "heldout_features")
    held_d, held_i = nearest_neighbours(heldout, train, batch_size)  # (H,), (H,)
    held_median = _median(held_d)
    threshold = float(torch.quantile(held_d, quantile))
    count = int((gen_d < threshold).sum())
    p_value = _rank_test(gen_d, held_d, quantile)
    return MemorizationResult(
        generated_indices=gen_i,
        generated_distances=gen_d,
        generated_median=gen_median,
        heldout_indices=held_i,
        heldout_distances=held_d,
        heldout_median=held_median,
        median_ratio=_ratio(gen_median, held_median),
        threshold=threshold,
        fraction_closer=count / gen_d.shape[0],
        p_value=p_value,
        memorizing=p_value < alpha,
        quantile=quantile,
        alpha=alpha,
    )
