import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from gankit.metrics import DensityCoverage, DensityCoverageResult, density_coverage


def _reference(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    """Naeem et al.'s prdc code, with brute-force distance matrices."""
    radii = np.sort(cdist(real, real), axis=1)[:, k]  # column 0 is self
    inside = cdist(real, fake) < radii[:, None]  # (N, M)
    return float(inside.sum(axis=0).mean() / k), float(inside.any(axis=1).mean())


def _sets(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    real = torch.randn(110, 3, generator=gen, dtype=torch.float64)
    fake = 0.6 * torch.randn(95, 3, generator=gen, dtype=torch.float64) + 0.5
    return real, fake


@pytest.mark.parametrize("batch_size", [9, 1024])
@pytest.mark.parametrize("k", [1, 5])
def test_matches_brute_force(k: int, batch_size: int) -> None:
    real, fake = _sets(0)
    density, coverage = _reference(real.numpy(), fake.numpy(), k)
    result = density_coverage(real, fake, k=k, batch_size=batch_size)
    assert 0.05 < coverage < 0.95
    assert result.density == pytest.approx(density, rel=1e-12)
    assert result.coverage == coverage


def test_same_distribution_known_values() -> None:
    gen = torch.Generator().manual_seed(1)
    real, fake = torch.randn(2000, 4, generator=gen), torch.randn(2000, 4, generator=gen)
    result = density_coverage(real, fake, k=5)
    assert result.coverage == pytest.approx(1 - 2**-5, abs=0.03)
    assert result.density == pytest.approx(1.0, abs=0.05)


def test_dropping_half_the_distribution_lowers_coverage_not_density() -> None:
    gen = torch.Generator().manual_seed(2)
    real, fake = torch.randn(2000, 4, generator=gen), torch.randn(2000, 4, generator=gen)
    fake[:, 0] = fake[:, 0].abs()  # the generator only makes the half-space x₀ > 0
    result = density_coverage(real, fake, k=5)
    assert result.density == pytest.approx(1.0, abs=0.05)  # every fake is realistic
    # Half the real balls lose their fakes; balls straddling x₀ = 0 keep some.
    assert 0.5 < result.coverage < 0.7


def test_ball_boundary_is_outside() -> None:
    real = torch.tensor([[0.0], [1.0], [2.0]])  # k = 1: every radius is 1
    fake = torch.tensor([[3.0], [1.5]])  # 3.0 lies exactly on the ball of 2.0
    result = density_coverage(real, fake, k=1)
    assert result == DensityCoverageResult(density=1.0, coverage=2 / 3)


def test_streaming_equals_function() -> None:
    real, fake = _sets(3)
    metric = DensityCoverage(k=5, batch_size=20)
    for batch in real.split(30):
        metric.update(batch, real=True)
    metric.update(fake.numpy(), real=False)
    assert metric.compute() == density_coverage(real, fake, k=5)
    assert DensityCoverage.higher_is_better is True


def test_k_must_be_below_real_set_size() -> None:
    with pytest.raises(ValueError, match="k must satisfy 1 <= k < N for the 5 points of real"):
        density_coverage(torch.randn(5, 2), torch.randn(50, 2), k=5)
    density_coverage(torch.randn(6, 2), torch.randn(2, 2), k=5)  # few fakes are fine
    with pytest.raises(ValueError, match=r"k must be a positive int \(>= 1\), got 0"):
        DensityCoverage(k=0)


def test_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="real and fake must have the same feature dimension"):
        density_coverage(torch.randn(10, 2), torch.randn(10, 3))


def test_non_finite_input() -> None:
    fake = torch.randn(10, 2)
    fake[3, 1] = float("nan")
    with pytest.raises(ValueError, match="fake must be finite, got NaN or infinite values"):
        density_coverage(torch.randn(10, 2), fake)
