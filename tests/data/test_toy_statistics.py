"""Empirical checks of the toy distributions against their closed forms.

Every tolerance is a multiple of the statistic's standard error (or a
p-value floor); the seeds are fixed, so each check is deterministic.
"""

import math

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.datasets import make_swiss_roll

from gankit.data import gaussian_2d, grid, ring, swiss_roll

Z = 5.0  # standard errors allowed: a 5σ miss has probability ~6e-7
P_FLOOR = 1e-3  # smallest acceptable p-value of a goodness-of-fit test


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_gaussian_mean_and_covariance_over_200k_samples() -> None:
    n = 200_000
    x = gaussian_2d().sample(n, generator=_gen(0)).double().numpy()
    b = np.array([1.0, 2.0])
    sigma = np.array([[1.01, 1.95], [1.95, 4.25]])  # AᵀA, d2l
    mean_se = np.sqrt(np.diag(sigma) / n)
    assert np.all(np.abs(x.mean(axis=0) - b) < Z * mean_se)
    # For Gaussian data Var(S_ij) ≈ (Σ_ii Σ_jj + Σ_ij²) / n.
    cov_se = np.sqrt((np.outer(np.diag(sigma), np.diag(sigma)) + sigma**2) / n)
    assert np.all(np.abs(np.cov(x, rowvar=False) - sigma) < Z * cov_se)


def _nearest(x: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d2 = ((x[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)  # (n, K), float64
    mode = d2.argmin(axis=1)
    return mode, np.sqrt(d2[np.arange(x.shape[0]), mode])


@pytest.mark.parametrize(
    ("dist", "n"),
    [(ring(), 80_000), (ring(num_modes=3, radius=5.0, std=0.5), 30_000), (grid(), 100_000)],
    ids=["pacgan-ring", "wide-ring", "pacgan-grid"],
)
def test_mixture_samples_sit_near_uniformly_chosen_modes(dist, n: int) -> None:
    x = dist.sample(n, generator=_gen(1)).double().numpy()
    means = dist.means.double().numpy()
    k = means.shape[0]
    mode, distance = _nearest(x, means)
    scaled = distance / dist.std
    # ‖ε‖ is Rayleigh: P(‖ε‖ > 6) = e^{-18} ≈ 1.5e-8 per sample.
    assert scaled.max() < 6.0
    # ‖ε‖² ~ χ²₂: mean 2, standard deviation 2; this checks σ itself.
    assert abs((scaled**2).mean() - 2.0) < Z * 2.0 / math.sqrt(n)
    counts = np.bincount(mode, minlength=k)
    chi2 = ((counts - n / k) ** 2 / (n / k)).sum()
    assert stats.chi2.sf(chi2, df=k - 1) > P_FLOOR, counts


def test_swiss_roll_without_noise_lies_on_the_spiral() -> None:
    scale = 0.5
    x = swiss_roll(noise=0.0, scale=scale).sample(20_000, generator=_gen(2)).double() / scale
    t = x.norm(dim=1)  # on the spiral t (cos t, sin t) the radius is t
    spiral = torch.stack((t * torch.cos(t), t * torch.sin(t)), dim=1)
    torch.testing.assert_close(x, spiral, rtol=0, atol=1e-4)
    # t = 3π/2 (1 + 2u), u ~ U[0, 1): uniform on [3π/2, 9π/2)
    ks = stats.kstest(t.numpy(), "uniform", args=(1.5 * math.pi, 3 * math.pi))
    assert ks.pvalue > P_FLOOR


def test_swiss_roll_matches_sklearn_in_distribution() -> None:
    n = 20_000
    ours = swiss_roll(noise=0.25, scale=1.0).sample(n, generator=_gen(3)).numpy()
    theirs = make_swiss_roll(n_samples=n, noise=0.25, random_state=0)[0][:, [0, 2]]
    for axis in range(2):
        assert stats.ks_2samp(ours[:, axis], theirs[:, axis]).pvalue > P_FLOOR


def test_swiss_roll_is_the_documented_draw_order() -> None:
    gen = _gen(4)
    u = torch.rand(50, generator=gen).double().numpy()
    eps = torch.randn(50, 2, generator=gen).double().numpy()
    t = 1.5 * np.pi * (1 + 2 * u)
    expected = 2.0 * (np.stack([t * np.cos(t), t * np.sin(t)], axis=1) + 0.3 * eps)
    got = swiss_roll(noise=0.3, scale=2.0).sample(50, generator=_gen(4)).double().numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)
