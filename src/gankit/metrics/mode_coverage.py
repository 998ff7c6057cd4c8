"""Mode coverage on a Gaussian mixture (VEEGAN / PacGAN protocol).

Each sample is assigned to the mode with the smallest σ-scaled distance
``‖x − μ_k‖ / σ``. It is *high quality* (HQ) if that distance is below
``threshold`` (3, i.e. within 3σ). A mode is *covered* if it receives at least
one HQ sample. The reverse KL compares the histogram of HQ samples over modes
with the uniform distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from gankit._deprecation import deprecated_aliases
from gankit._validation import check_positive_float
from gankit.metrics._base import Metric, as_features, check_same_dim
from gankit.metrics._distances import sq_distances

__all__ = ["ModeCoverage", "ModeCoverageResult", "mode_coverage"]

__getattr__ = deprecated_aliases(__name__, {"ModeCoverageMetric": "ModeCoverage"})

_CHUNK = 16384  # samples per distance block: 16384 × K float64 values


@dataclass(frozen=True, eq=False)
class ModeCoverageResult:
    """The result of :func:`mode_coverage`.

    Attributes:
        modes_covered: Modes with at least one high-quality sample (higher is better).
        num_modes: ``K``, the number of modes.
        high_quality_fraction: HQ samples / all samples, in ``[0, 1]`` (higher is better).
        reverse_kl: ``KL(p_HQ ‖ uniform) = ln K − H(p_HQ)`` in nats, in
            ``[0, ln K]`` (lower is better); ``ln K`` when there is no HQ sample.
        counts: HQ samples per mode, int64 tensor of shape ``(K,)``.
    """

    modes_covered: int
    num_modes: int
    high_quality_fraction: float
    reverse_kl: float
    counts: Tensor

    def as_dict(self) -> dict[str, int | float | list[int]]:
        """Return the fields as JSON-safe Python ints, floats and lists."""
        return {
            "modes_covered": self.modes_covered,
            "num_modes": self.num_modes,
            "high_quality_fraction": self.high_quality_fraction,
            "reverse_kl": self.reverse_kl,
            "counts": [int(c) for c in self.counts.tolist()],
        }


def _check_modes(
    means: Tensor | np.ndarray, std: object, threshold: object
) -> tuple[Tensor, float, float]:
    return (
        as_features(means, "means"),
        check_positive_float(std, "std"),
        check_positive_float(threshold, "threshold"),
    )


def _hq_counts(samples: Tensor, means: Tensor, std: float, threshold: float) -> Tensor:
    """HQ samples per mode (int64, shape ``(K,)``), in blocks of ``_CHUNK`` samples."""
    counts = torch.zeros(means.shape[0], dtype=torch.int64)
    limit = (threshold * std) ** 2  # ‖x − μ‖/σ < t  ⇔  ‖x − μ‖² < (tσ)²
    for start in range(0, samples.shape[0], _CHUNK):
        d2 = sq_distances(samples[start : start + _CHUNK], means)  # (B, K)
        nearest, mode = d2.min(dim=1)  # (B,), (B,)
        counts += torch.bincount(mode[nearest < limit], minlength=means.shape[0])
    return counts


def _summarise(counts: Tensor, num_samples: int) -> ModeCoverageResult:
    num_modes = counts.shape[0]
    hq = int(counts.sum())
    if hq == 0:
        reverse_kl = math.log(num_modes)
    else:
        p = counts[counts > 0].to(torch.float64) / hq  # 0·log 0 = 0: empty modes drop out
        reverse_kl = max(0.0, math.log(num_modes) + float((p * p.log()).sum()))
    return ModeCoverageResult(
        modes_covered=int((counts > 0).sum()),
        num_modes=num_modes,
        high_quality_fraction=hq / num_samples,
        reverse_kl=reverse_kl,
        counts=counts.clone(),
    )


def mode_coverage(
    samples: Tensor | np.ndarray,
    means: Tensor | np.ndarray,
    std: float,
    threshold: float = 3.0,
) -> ModeCoverageResult:
    r"""Modes covered, high-quality fraction and reverse KL of samples from a mixture.

    .. math::
        k(x) = \arg\min_k \|x - \mu_k\| / \sigma, \qquad
        \text{HQ}(x) = [\, \|x - \mu_{k(x)}\| / \sigma < t \,]

        \text{rev-KL} = \sum_k p_k \ln(K p_k) = \ln K - H(p), \qquad
        p_k = \frac{\#\{x: \text{HQ}(x),\, k(x) = k\}}{\#\{x: \text{HQ}(x)\}}

    with ``0 · ln 0 = 0``. If no sample is HQ, ``p`` is undefined and the
    reverse KL is reported as ``ln K``, its largest value (a single-mode
    histogram), so that it stays finite and JSON-safe.

    Args:
        samples: Generated points.
        means: The mixture's mode centres.
        std: The modes' common standard deviation σ (> 0).
        threshold: HQ radius in units of σ (PacGAN: 3).

    Returns:
        A :class:`ModeCoverageResult`.

    Raises:
        TypeError: If an input is not a tensor/array, or std/threshold not a number.
        ValueError: If shapes are wrong, dimensions differ, or std/threshold ``<= 0``.

    Shape:
        - samples: ``(N, d)``; means: ``(K, d)``; ``counts``: ``(K,)``.

    Example:
        >>> means = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        >>> samples = torch.tensor([[0.0, 0.01], [0.99, 0.0], [1.0, 0.02], [0.5, 0.5]])
        >>> result = mode_coverage(samples, means, std=0.01)
        >>> result.modes_covered, result.high_quality_fraction, result.counts.tolist()
        (2, 0.75, [1, 2, 0])
    """
    means, std, threshold = _check_modes(means, std, threshold)
    samples = as_features(samples, "samples")
    check_same_dim(samples, means, "samples", "means")
    return _summarise(_hq_counts(samples, means, std, threshold), samples.shape[0])


class ModeCoverage(Metric):
    """Streaming :func:`mode_coverage`: accumulates HQ counts over batches.

    ``higher_is_better`` refers to ``modes_covered`` and
    ``high_quality_fraction``; ``reverse_kl`` is lower-is-better.

    Args:
        means: The mixture's mode centres, shape ``(K, d)``.
        std: The modes' common standard deviation σ (> 0).
        threshold: HQ radius in units of σ.

    Raises:
        TypeError: If means is not a tensor/array or std/threshold not a number.
        ValueError: If means is not ``(K, d)`` or std/threshold ``<= 0``.

    Shape:
        - update's samples: ``(B, d)``.

    Example:
        >>> metric = ModeCoverage(torch.tensor([[0.0, 0.0], [5.0, 5.0]]), std=0.1)
        >>> metric.update(torch.zeros(3, 2))
        >>> metric.update(torch.full((1, 2), 5.0))
        >>> metric.compute().counts.tolist()
        [3, 1]
    """

    higher_is_better: ClassVar[bool] = True
    counts: Tensor
    num_samples: int

    def __init__(
        self, means: Tensor | np.ndarray, std: float, threshold: float = 3.0
    ) -> None:
        self.means, self.std, self.threshold = _check_modes(means, std, threshold)
        self.reset()

    def update(self, samples: Tensor | np.ndarray) -> None:
        """Add a batch of generated points of shape ``(B, d)``."""
        samples = as_features(samples, "samples")
        check_same_dim(samples, self.means, "samples", "means")
        self.counts += _hq_counts(samples, self.means, self.std, self.threshold)
        self.num_samples += samples.shape[0]

    def compute(self) -> ModeCoverageResult:
        """Return the :class:`ModeCoverageResult` of every sample since the last reset.

        Raises:
            ValueError: If no sample was added.
        """
        if self.num_samples == 0:
            raise ValueError("compute() needs at least one sample; call update(samples) first")
        return _summarise(self.counts, self.num_samples)

    def reset(self) -> None:
        """Zero the counts."""
        self.counts = torch.zeros(self.means.shape[0], dtype=torch.int64)
        self.num_samples = 0
