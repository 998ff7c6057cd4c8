"""Parzen-window (Gaussian kernel density) log-likelihood, Goodfellow et al. 2014.

A Gaussian of width σ is put on each generated sample; the score of a data
set is its mean log-likelihood under that mixture, ± the standard error over
data points. σ is chosen on a validation set from ``logspace(-1, 0, 10)``.
Distances are computed in float64 blocks of at most ``batch_size²`` entries
and combined across sample blocks with a running log-sum-exp.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from gankit._deprecation import deprecated_aliases
from gankit._validation import check_positive_int
from gankit.metrics._base import Metric, as_features, check_same_dim
from gankit.metrics._distances import DEFAULT_CHUNK_SIZE, iter_sq_distances

__all__ = [
    "ParzenLogLikelihood",
    "ParzenResult",
    "SigmaSelectionResult",
    "parzen_log_likelihood",
    "select_parzen_sigma",
]

__getattr__ = deprecated_aliases(__name__, {"SigmaSelection": "SigmaSelectionResult"})


@dataclass(frozen=True)
class ParzenResult:
    """Mean Parzen log-likelihood (nats per data point) and its standard error.

    Attributes:
        mean: Mean log-likelihood over data points (higher is better).
        stderr: ``std / √N`` over data points (population std, as in the
            authors' ``parzen_ll.py``).
        sigma: The kernel width used.
    """

    mean: float
    stderr: float
    sigma: float


@dataclass(frozen=True, eq=False)
class SigmaSelectionResult:
    """The result of :func:`select_parzen_sigma`.

    Attributes:
        sigma: The width with the highest mean validation log-likelihood.
        sigmas: Every width tried, float64 of shape ``(S,)``.
        scores: Mean validation log-likelihood of each width, shape ``(S,)``.
    """

    sigma: float
    sigmas: Tensor
    scores: Tensor


def _check_sigmas(sigmas: Tensor) -> Tensor:
    sigmas = torch.as_tensor(sigmas, dtype=torch.float64).reshape(-1)
    if sigmas.numel() == 0 or not bool((torch.isfinite(sigmas) & (sigmas > 0)).all()):
        raise ValueError(f"sigma must be finite and > 0, got {sigmas.tolist()}")
    return sigmas


def _check_sigma(sigma: float) -> Tensor:
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float)):
        raise TypeError(f"sigma must be a float, got {type(sigma).__name__}")
    return _check_sigmas(torch.tensor([float(sigma)], dtype=torch.float64))


def _check_pair(samples: Tensor | np.ndarray, data: Tensor | np.ndarray,
                data_name: str, batch_size: int) -> tuple[Tensor, Tensor]:
    check_positive_int(batch_size, "batch_size")
    samples = as_features(samples, "samples")
    data = as_features(data, data_name)
    check_same_dim(samples, data, "samples", data_name)
    return samples, data


def _log_likelihoods(samples: Tensor, data: Tensor, sigmas: Tensor, chunk: int) -> Tensor:
    """Per-point log-likelihoods ``(N, S)`` of ``data`` for every width in ``sigmas``."""
    n, d = data.shape
    m = samples.shape[0]
    scale = 1.0 / (2.0 * sigmas**2)  # (S,)
    log_norm = math.log(m) + d * torch.log(sigmas * math.sqrt(2.0 * math.pi))  # (S,)
    out = torch.empty(n, sigmas.shape[0], dtype=torch.float64)
    acc = torch.empty(0)
    for i, j, d2 in iter_sq_distances(data, samples, chunk):  # d2: (R, C)
        if j == 0:
            acc = torch.full((d2.shape[0], sigmas.shape[0]), -math.inf, dtype=torch.float64)
        for s in range(sigmas.shape[0]):
            acc[:, s] = torch.logaddexp(acc[:, s], torch.logsumexp(-d2 * scale[s], dim=1))
        if j + d2.shape[1] >= m:
            out[i : i + d2.shape[0]] = acc - log_norm
    return out


def _moments(values: Tensor) -> tuple[int, float, float]:
    """``(count, mean, sum of squared deviations)`` of a 1-D float64 tensor."""
    mean = float(values.mean())
    return values.shape[0], mean, float(((values - mean) ** 2).sum())


def _result(count: int, mean: float, m2: float, sigma: float) -> ParzenResult:
    return ParzenResult(mean=mean, stderr=math.sqrt(m2 / count) / math.sqrt(count), sigma=sigma)


def parzen_log_likelihood(
    samples: Tensor | np.ndarray,
    data: Tensor | np.ndarray,
    sigma: float,
    *,
    batch_size: int = DEFAULT_CHUNK_SIZE,
) -> ParzenResult:
    r"""Mean log-likelihood of ``data`` under a Gaussian Parzen window on ``samples``.

    .. math::
        \log \hat p(x) = \log \frac{1}{M} \sum_{j=1}^{M}
            \exp\Big(-\frac{\|x - s_j\|^2}{2\sigma^2}\Big) - d \log(\sigma \sqrt{2\pi})

    Args:
        samples: The ``M`` generated samples that carry the kernels.
        data: The ``N`` points to score (test or validation set).
        sigma: Kernel width σ (> 0).
        batch_size: Rows and columns per distance block; memory is
            ``O(batch_size²)`` whatever ``N`` and ``M``.

    Returns:
        A :class:`ParzenResult` with the mean over data points and its standard error.

    Raises:
        TypeError: If an input is not a tensor/array or batch_size not an int.
        ValueError: If inputs are not 2-D, dimensions differ, or sigma/batch_size invalid.

    Shape:
        - samples: ``(M, d)``; data: ``(N, d)``.

    Example:
        >>> result = parzen_log_likelihood(torch.zeros(1, 1), torch.zeros(1, 1), sigma=1.0)
        >>> round(result.mean, 4) == round(-0.5 * math.log(2 * math.pi), 4)
        True
    """
    sigmas = _check_sigma(sigma)
    samples, data = _check_pair(samples, data, "data", batch_size)
    values = _log_likelihoods(samples, data, sigmas, batch_size)[:, 0]  # (N,)
    return _result(*_moments(values), float(sigmas[0]))


def select_parzen_sigma(
    samples: Tensor | np.ndarray,
    validation: Tensor | np.ndarray,
    sigmas: Tensor | Sequence[float] | None = None,
    *,
    batch_size: int = DEFAULT_CHUNK_SIZE,
) -> SigmaSelectionResult:
    """Pick the kernel width with the best mean log-likelihood on a validation set.

    Every width is scored from the same distance blocks, so trying ten widths
    costs one pass over the distances. Ties go to the first width.

    Args:
        samples: The ``M`` generated samples.
        validation: The ``N`` validation points (Goodfellow et al.: 1,000).
        sigmas: Candidate widths; default ``torch.logspace(-1, 0, 10)``.
        batch_size: Rows and columns per distance block.

    Returns:
        A :class:`SigmaSelectionResult` with the best width and every width's score.

    Raises:
        TypeError: If an input is not a tensor/array or batch_size not an int.
        ValueError: If inputs are not 2-D, dimensions differ, or a width is ``<= 0``.

    Shape:
        - samples: ``(M, d)``; validation: ``(N, d)``; ``sigmas``, ``scores``: ``(S,)``.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> x = 0.3 * torch.randn(500, 2)
        >>> select_parzen_sigma(x[:400], x[400:], sigmas=[0.01, 0.1, 10.0]).sigma
        0.1
    """
    grid = torch.logspace(-1, 0, 10, dtype=torch.float64) if sigmas is None else sigmas
    grid = _check_sigmas(torch.as_tensor(grid, dtype=torch.float64))
    samples, validation = _check_pair(samples, validation, "validation", batch_size)
    scores = _log_likelihoods(samples, validation, grid, batch_size).mean(dim=0)  # (S,)
    return SigmaSelectionResult(sigma=float(grid[int(scores.argmax())]), sigmas=grid, scores=scores)


class ParzenLogLikelihood(Metric):
    """Streaming :func:`parzen_log_likelihood`: the samples are fixed, data streams in.

    Per-point log-likelihoods are merged batch by batch with Chan's parallel
    update of (count, mean, squared deviations), in float64.

    Args:
        samples: The generated samples that carry the kernels, shape ``(M, d)``.
        sigma: Kernel width σ (> 0).
        batch_size: Rows and columns per distance block.

    Raises:
        ValueError: If samples is not 2-D or sigma/batch_size invalid.

    Shape:
        - update's data: ``(B, d)``.

    Example:
        >>> metric = ParzenLogLikelihood(torch.zeros(1, 1), sigma=1.0)
        >>> metric.update(torch.zeros(2, 1))
        >>> metric.compute().stderr
        0.0
    """

    higher_is_better: ClassVar[bool] = True
    count: int
    mean: float
    m2: float

    def __init__(
        self, samples: Tensor | np.ndarray, sigma: float, *, batch_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        batch_size = check_positive_int(batch_size, "batch_size")
        self.sigmas = _check_sigma(sigma)
        self.samples = as_features(samples, "samples")
        self.batch_size = batch_size
        self.reset()

    def update(self, data: Tensor | np.ndarray) -> None:
        """Score a batch of data points of shape ``(B, d)``."""
        _, data = _check_pair(self.samples, data, "data", self.batch_size)
        values = _log_likelihoods(self.samples, data, self.sigmas, self.batch_size)[:, 0]
        n_b, mean_b, m2_b = _moments(values)
        n = self.count + n_b
        delta = mean_b - self.mean
        self.m2 += m2_b + delta**2 * self.count * n_b / n
        self.mean += delta * n_b / n
        self.count = n

    def compute(self) -> ParzenResult:
        """Return the :class:`ParzenResult` of every data point since the last reset.

        Raises:
            ValueError: If no data point was added.
        """
        if self.count == 0:
            raise ValueError("compute() needs at least one data point; call update(data) first")
        return _result(self.count, self.mean, self.m2, float(self.sigmas[0]))

    def reset(self) -> None:
        """Forget the scored data points."""
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0
