"""Fréchet distance between Gaussians fitted to two feature sets (FID without Inception).

The matrix square root is never formed from the non-symmetric ``Σ₁Σ₂``:
``Tr((Σ₁Σ₂)^{1/2})`` equals the sum of the square roots of the eigenvalues of
the symmetric positive semi-definite ``Σ₁^{1/2} Σ₂ Σ₁^{1/2}``, which ``eigh``
computes stably even when the covariances are singular (fewer samples than
dimensions, or features of low rank). Eigenvalues below the usual rank
tolerance ``d · eps · λ_max`` count as 0: the square root of eigenvalue noise
(``√eps`` relative) would otherwise dominate the error of singular cases.
Everything runs in float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from gankit._validation import check_shape
from gankit.metrics._base import Metric, as_features, check_same_dim

__all__ = ["FrechetDistance", "frechet_distance", "frechet_distance_from_stats"]


def _clean(eigvals: Tensor) -> Tensor:
    """Zero eigenvalues below ``d · eps · λ_max`` (the usual rank tolerance)."""
    tol = eigvals.shape[0] * torch.finfo(eigvals.dtype).eps * eigvals.abs().max()
    return torch.where(eigvals > tol, eigvals, torch.zeros_like(eigvals))


def _psd_sqrt(matrix: Tensor) -> Tensor:
    """Symmetric square root of a symmetric PSD matrix."""
    eigvals, eigvecs = torch.linalg.eigh((matrix + matrix.T) / 2)
    return (eigvecs * _clean(eigvals).sqrt()) @ eigvecs.T


def _distance(mu1: Tensor, sigma1: Tensor, mu2: Tensor, sigma2: Tensor) -> float:
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1  # (d, d), symmetric PSD
    trace_sqrt = _clean(torch.linalg.eigvalsh((middle + middle.T) / 2)).sqrt().sum()
    value = (mu1 - mu2).square().sum() + sigma1.trace() + sigma2.trace() - 2 * trace_sqrt
    return max(0.0, float(value))  # a squared distance; rounding may dip below 0


@dataclass
class _Moments:
    """Float64 running sums of one feature set, shifted by its first batch's mean.

    With ``c`` the first batch's mean, the sums ``Σ(x − c)`` and
    ``Σ(x − c)(x − c)ᵀ`` do not cancel catastrophically when the features sit
    far from the origin; the covariance does not depend on ``c``.
    """

    total: Tensor  # (d,)
    outer: Tensor  # (d, d)
    shift: Tensor | None = None  # (d,)
    count: int = 0

    @classmethod
    def zeros(cls, d: int) -> _Moments:
        return cls(torch.zeros(d, dtype=torch.float64), torch.zeros(d, d, dtype=torch.float64))

    def add(self, x: Tensor) -> None:
        if self.shift is None:
            self.shift = x.mean(dim=0)
        x = x - self.shift
        self.total += x.sum(dim=0)
        self.outer += x.T @ x
        self.count += x.shape[0]

    def mean_cov(self, name: str) -> tuple[Tensor, Tensor]:
        """Mean and unbiased covariance (divisor ``n − 1``)."""
        if self.shift is None or self.count < 2:
            raise ValueError(
                f"{name} needs at least 2 samples for a covariance, got {self.count}"
            )
        centred_mean = self.total / self.count
        cov = (self.outer - self.count * torch.outer(centred_mean, centred_mean)) / (
            self.count - 1
        )
        return self.shift + centred_mean, cov


def _stats(x: Tensor, name: str) -> tuple[Tensor, Tensor]:
    moments = _Moments.zeros(x.shape[1])
    moments.add(x)
    return moments.mean_cov(name)


def frechet_distance_from_stats(
    mu1: Tensor | np.ndarray,
    sigma1: Tensor | np.ndarray,
    mu2: Tensor | np.ndarray,
    sigma2: Tensor | np.ndarray,
) -> float:
    r"""Fréchet (2-Wasserstein²) distance between ``N(μ₁, Σ₁)`` and ``N(μ₂, Σ₂)``.

    .. math::
        d^2 = \|\mu_1 - \mu_2\|^2 + \operatorname{Tr}\big(\Sigma_1 + \Sigma_2
              - 2 (\Sigma_1 \Sigma_2)^{1/2}\big),
        \quad \operatorname{Tr}(\Sigma_1 \Sigma_2)^{1/2}
              = \sum_i \sqrt{\lambda_i(\Sigma_1^{1/2} \Sigma_2 \Sigma_1^{1/2})}

    Eigenvalues below ``d · eps · λ_max`` are treated as 0, which keeps
    singular covariances (rank below ``d``) accurate.

    Args:
        mu1: Mean of the first Gaussian.
        sigma1: Covariance of the first Gaussian (symmetric PSD).
        mu2: Mean of the second Gaussian.
        sigma2: Covariance of the second Gaussian (symmetric PSD).

    Returns:
        The distance as a Python float, ``>= 0``.

    Raises:
        TypeError: If an input is not a tensor or array.
        ValueError: If the shapes are not ``(d,)`` and ``(d, d)`` with one ``d``.

    Shape:
        - mu1, mu2: ``(d,)``; sigma1, sigma2: ``(d, d)``.

    Example:
        >>> eye = torch.eye(2)
        >>> frechet_distance_from_stats(torch.zeros(2), eye, torch.ones(2), 4 * eye)
        4.0
    """
    tensors = []
    for name, value in (("mu1", mu1), ("sigma1", sigma1), ("mu2", mu2), ("sigma2", sigma2)):
        if isinstance(value, np.ndarray):
            value = torch.from_numpy(value)
        if not isinstance(value, Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
        tensors.append(value.detach().to(device="cpu", dtype=torch.float64))
    m1, s1, m2, s2 = tensors
    check_shape(m1, (None,), "mu1")
    d = m1.shape[0]
    check_shape(s1, (d, d), "sigma1")
    check_shape(m2, (d,), "mu2")
    check_shape(s2, (d, d), "sigma2")
    return _distance(m1, s1, m2, s2)


def frechet_distance(
    features_a: Tensor | np.ndarray, features_b: Tensor | np.ndarray
) -> float:
    r"""Fréchet distance between Gaussians fitted to two feature sets.

    Means and unbiased covariances (divisor ``n − 1``) are computed in float64,
    then :func:`frechet_distance_from_stats` is applied.

    .. math::
        d^2 = \|\mu_a - \mu_b\|^2 + \operatorname{Tr}\big(\Sigma_a + \Sigma_b
              - 2 (\Sigma_a \Sigma_b)^{1/2}\big)

    Args:
        features_a: First feature set (for example real features), ``n_a >= 2``.
        features_b: Second feature set (for example generated features), ``n_b >= 2``.

    Returns:
        The distance as a Python float, ``>= 0`` (lower is better).

    Raises:
        TypeError: If an input is not a tensor or array.
        ValueError: If an input is not 2-D, has fewer than 2 rows, or the dimensions differ.

    Shape:
        - features_a: ``(n_a, d)``; features_b: ``(n_b, d)``.

    Example:
        >>> a = torch.tensor([[0.0], [2.0]])
        >>> frechet_distance(a, a + 3.0)
        9.0
    """
    a = as_features(features_a, "features_a")
    b = as_features(features_b, "features_b")
    check_same_dim(a, b, "features_a", "features_b")
    return _distance(*_stats(a, "features_a"), *_stats(b, "features_b"))


class FrechetDistance(Metric):
    """Streaming :func:`frechet_distance`: float64 sums ``Σx``, ``Σxxᵀ``, ``n`` per side.

    Memory is ``O(d²)`` however many batches are added.

    Args:
        num_features: ``d``; if ``None`` it is taken from the first batch.

    Shape:
        - update's features: ``(B, d)``.

    Example:
        >>> metric = FrechetDistance()
        >>> metric.update(torch.tensor([[0.0], [2.0]]), real=True)
        >>> metric.update(torch.tensor([[3.0], [5.0]]), real=False)
        >>> metric.compute()
        9.0
    """

    higher_is_better: ClassVar[bool] = False
    num_features: int | None
    _moments: dict[str, _Moments]

    def __init__(self, num_features: int | None = None) -> None:
        self._declared_features = num_features
        self.reset()

    def update(self, features: Tensor | np.ndarray, real: bool) -> None:
        """Add a ``(B, d)`` batch of real (``real=True``) or generated features.

        Raises:
            TypeError: If ``real`` is not a bool.
            ValueError: If the batch is not 2-D or ``d`` differs from earlier batches.
        """
        if not isinstance(real, bool):
            raise TypeError(f"real must be a bool, got {type(real).__name__}")
        side = "real" if real else "fake"
        x = as_features(features, f"{side} features")
        if self.num_features is None:
            self.num_features = int(x.shape[1])
        d = self.num_features
        if x.shape[1] != d:
            raise ValueError(
                f"{side} features must have {self.num_features} columns like earlier "
                f"batches, got shape {tuple(x.shape)}"
            )
        self._moments.setdefault(side, _Moments.zeros(d)).add(x)

    def compute(self) -> float:
        """Return the distance between everything added as real and as fake.

        Raises:
            ValueError: If a side has fewer than 2 samples.
        """
        stats: list[Tensor] = []
        for side in ("real", "fake"):
            if side not in self._moments:
                raise ValueError(
                    f"compute() needs at least 2 {side} samples, got 0; "
                    f"call update(features, real={side == 'real'}) first"
                )
            stats.extend(self._moments[side].mean_cov(f"{side} features"))
        return _distance(*stats)

    def reset(self) -> None:
        """Zero the sums; ``num_features`` goes back to the constructor's value."""
        self.num_features = self._declared_features
        self._moments = {}
