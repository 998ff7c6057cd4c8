import math

import numpy as np
import pytest
import torch
from scipy.linalg import orth, sqrtm

from gankit.metrics import FrechetDistance, frechet_distance, frechet_distance_from_stats


def _scipy_reference(a: np.ndarray, b: np.ndarray) -> float:
    """The pytorch-fid formula: sqrtm of the non-symmetric product, real part."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = sqrtm(cov_a @ cov_b).real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * covmean))


def _reduced_reference(a: np.ndarray, b: np.ndarray) -> float:
    """Exact answer when cov_a is singular: work in its r-dimensional column space Q.

    With cov_a = Q C Qᵀ, the non-zero eigenvalues of cov_a^½ cov_b cov_a^½ are those of
    C^½ (Qᵀ cov_b Q) C^½, so Tr((cov_a cov_b)^½) = Tr(sqrtm(C Qᵀ cov_b Q)), where C is
    r × r and non-singular: no singular matrix reaches sqrtm.
    """
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    q = orth(cov_a, rcond=1e-10)  # (d, r)
    c = q.T @ cov_a @ q
    trace_sqrt = np.trace(sqrtm(c @ (q.T @ cov_b @ q))).real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt)


def _gaussian(n: int, d: int, seed: int, scale: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = scale * (np.eye(d) + 0.3 * rng.standard_normal((d, d)))
    return rng.standard_normal((n, d)) @ mixing + rng.standard_normal(d)


def test_matches_scipy_on_well_conditioned_data() -> None:
    a, b = _gaussian(500, 8, 0), _gaussian(400, 8, 1, scale=1.5)
    expected = _scipy_reference(a, b)
    assert frechet_distance(torch.from_numpy(a), torch.from_numpy(b)) == pytest.approx(
        expected, rel=1e-6)
    assert frechet_distance(a.astype(np.float32), b.astype(np.float32)) == pytest.approx(
        expected, rel=1e-5)


def test_both_sets_in_one_low_rank_subspace() -> None:
    rng = np.random.default_rng(2)
    basis = rng.standard_normal((3, 10))  # features of rank 3 in 10 dimensions
    a = rng.standard_normal((200, 3)) @ basis
    b = 1.5 * rng.standard_normal((300, 3)) @ basis + 0.5
    assert np.linalg.matrix_rank(np.cov(a, rowvar=False)) == 3
    got = frechet_distance(a, b)
    assert math.isfinite(got)
    assert got == pytest.approx(_reduced_reference(a, b), rel=1e-10)


def test_low_rank_set_against_full_rank_set() -> None:
    rng = np.random.default_rng(3)
    a = rng.standard_normal((200, 2)) @ rng.standard_normal((2, 6))
    b = _gaussian(300, 6, 4)
    got = frechet_distance(a, b)
    assert got == pytest.approx(_reduced_reference(a, b), rel=1e-10)
    assert frechet_distance(b, a) == pytest.approx(got, rel=1e-7)  # symmetric


def test_fewer_samples_than_dimensions() -> None:
    a, b = _gaussian(6, 32, 5), _gaussian(9, 32, 6)  # covariances of rank 5 and 8
    got = frechet_distance(a, b)
    assert math.isfinite(got)
    assert got == pytest.approx(_reduced_reference(a, b), rel=1e-10)


def test_identical_sets_give_zero() -> None:
    a = _gaussian(300, 16, 7, scale=10.0)
    scale = np.trace(np.cov(a, rowvar=False))
    assert 0.0 <= frechet_distance(a, a) < 1e-6 * scale


def test_commuting_covariances_closed_form() -> None:
    # For diagonal covariances (Σ₁Σ₂)^½ = diag(√(a_i b_i)): d² = ‖Δμ‖² + Σ (√a_i − √b_i)².
    var_a, var_b = torch.tensor([1.0, 4.0, 0.0]), torch.tensor([9.0, 1.0, 2.0])
    mu_a, mu_b = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0, 0.0])
    expected = 1.0 + 4.0 + (1 - 3) ** 2 + (2 - 1) ** 2 + (0 - math.sqrt(2)) ** 2
    got = frechet_distance_from_stats(mu_a, torch.diag(var_a), mu_b, torch.diag(var_b))
    assert got == pytest.approx(expected, rel=1e-12)


def test_streaming_equals_function() -> None:
    a, b = torch.from_numpy(_gaussian(250, 5, 8)), torch.from_numpy(_gaussian(180, 5, 9))
    metric = FrechetDistance()
    for batch in a.split(64):
        metric.update(batch, real=True)
    for batch in b.split(50):
        metric.update(batch, real=False)
    assert metric.compute() == pytest.approx(frechet_distance(a, b), rel=1e-9)
    assert FrechetDistance.higher_is_better is False
    metric.reset()
    metric.update(a[:2, :3], real=True)  # the width is learnt again after reset
    metric.update(a[2:4, :3], real=False)
    assert metric.compute() == pytest.approx(frechet_distance(a[:2, :3], a[2:4, :3]), rel=1e-9)


def test_streaming_errors() -> None:
    metric = FrechetDistance(num_features=4)
    with pytest.raises(ValueError, match=r"real features must have 4 columns like earlier"):
        metric.update(torch.zeros(3, 5), real=True)
    metric.update(torch.randn(3, 4), real=True)
    with pytest.raises(ValueError, match="compute\\(\\) needs at least 2 fake samples, got 0"):
        metric.compute()
    metric.update(torch.randn(1, 4), real=False)
    with pytest.raises(ValueError, match="fake features needs at least 2 samples"):
        metric.compute()
    with pytest.raises(TypeError, match="real must be a bool, got int"):
        metric.update(torch.zeros(3, 4), real=1)  # type: ignore[arg-type]


def test_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="features_a and features_b must have the same feature "
                       "dimension, got 3 and 4"):
        frechet_distance(torch.zeros(5, 3), torch.zeros(5, 4))


def test_non_2d_features() -> None:
    with pytest.raises(ValueError, match=r"features_a must have shape .*got \(5,\)"):
        frechet_distance(torch.zeros(5), torch.zeros(5, 4))


def test_needs_two_samples() -> None:
    with pytest.raises(ValueError, match="features_b needs at least 2 samples for a covariance"):
        frechet_distance(torch.randn(5, 2), torch.randn(1, 2))


def test_stats_shapes_are_checked() -> None:
    mu, cov = torch.zeros(3), torch.eye(3)
    with pytest.raises(ValueError, match=r"sigma1 must have shape \(3, 3\), got \(2, 2\)"):
        frechet_distance_from_stats(mu, torch.eye(2), mu, cov)
    with pytest.raises(ValueError, match=r"mu2 must have shape \(3,\), got \(4,\)"):
        frechet_distance_from_stats(mu, cov, torch.zeros(4), cov)
    with pytest.raises(TypeError, match=r"sigma2 must be a torch\.Tensor, got list"):
        frechet_distance_from_stats(mu, cov, mu, [[1.0]])  # type: ignore[arg-type]


def test_features_far_from_the_origin_lose_no_accuracy() -> None:
    a, b = _gaussian(300, 4, 10), _gaussian(200, 4, 11)
    expected = frechet_distance(a, b)
    assert frechet_distance(a + 1e6, b + 1e6) == pytest.approx(expected, rel=1e-7)
    metric = FrechetDistance()
    for batch in np.split(a + 1e6, 3):
        metric.update(batch, real=True)
    metric.update(b + 1e6, real=False)
    assert metric.compute() == pytest.approx(expected, rel=1e-7)
