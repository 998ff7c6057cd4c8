import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist
from scipy.special import logsumexp

from gankit.metrics import (
    ParzenLogLikelihood,
    ParzenResult,
    _distances,
    parzen_log_likelihood,
    select_parzen_sigma,
)


def _reference_values(samples: np.ndarray, data: np.ndarray, sigma: float) -> np.ndarray:
    """Per-point log-likelihoods, Goodfellow et al.'s parzen_ll.py in float64 numpy."""
    d2 = cdist(data, samples, "sqeuclidean")
    d = data.shape[1]
    return (logsumexp(-d2 / (2 * sigma**2), axis=1) - np.log(samples.shape[0])
            - d * np.log(sigma * np.sqrt(2 * np.pi)))


def _data(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(53, 6, generator=gen), torch.rand(37, 6, generator=gen)


@pytest.mark.parametrize("batch_size", [1, 8, 10_000])
def test_matches_numpy_reference(batch_size: int) -> None:
    samples, data = _data(0)
    values = _reference_values(samples.double().numpy(), data.double().numpy(), 0.2)
    result = parzen_log_likelihood(samples, data, 0.2, batch_size=batch_size)
    assert result.mean == pytest.approx(values.mean(), rel=1e-12)
    assert result.stderr == pytest.approx(values.std() / np.sqrt(len(values)), rel=1e-9)
    assert result.sigma == 0.2


def test_tiny_sigma_stays_finite_where_naive_exp_underflows() -> None:
    samples, data = _data(1)
    sigma = 1e-3  # exponents around -1e5: exp() is 0 for every pair
    values = _reference_values(samples.double().numpy(), data.double().numpy(), sigma)
    naive = np.exp(-cdist(data.numpy(), samples.numpy(), "sqeuclidean") / (2 * sigma**2))
    assert (naive == 0).all()
    result = parzen_log_likelihood(samples, data, sigma, batch_size=7)
    assert math.isfinite(result.mean)
    assert result.mean == pytest.approx(values.mean(), rel=1e-12)


def test_single_kernel_on_the_point_is_the_gaussian_normaliser() -> None:
    x = torch.tensor([[1.0, -2.0, 3.0]])
    result = parzen_log_likelihood(x, x, 0.5)
    assert result.mean == pytest.approx(-3 * math.log(0.5 * math.sqrt(2 * math.pi)), rel=1e-14)
    assert result.stderr == 0.0


def test_memory_stays_within_batch_size_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    largest = [0]

    def recording(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        largest[0] = max(largest[0], x.shape[0], y.shape[0])
        return torch.cdist(x, y).square()

    monkeypatch.setattr(_distances, "sq_distances", recording)
    samples, data = _data(2)
    result = parzen_log_likelihood(samples, data, 0.3, batch_size=5)
    assert largest[0] == 5
    values = _reference_values(samples.double().numpy(), data.double().numpy(), 0.3)
    assert result.mean == pytest.approx(values.mean(), rel=1e-10)


def test_sigma_selection_picks_the_best_of_the_default_grid() -> None:
    gen = torch.Generator().manual_seed(3)
    samples, validation = 0.3 * torch.randn(400, 2, generator=gen), 0.3 * torch.randn(
        100, 2, generator=gen)
    selection = select_parzen_sigma(samples, validation, batch_size=64)
    grid = np.logspace(-1, 0, 10)
    scores = np.array([
        _reference_values(samples.double().numpy(), validation.double().numpy(), s).mean()
        for s in grid
    ])
    np.testing.assert_allclose(selection.sigmas.numpy(), grid, rtol=1e-15)
    np.testing.assert_allclose(selection.scores.numpy(), scores, rtol=1e-12)
    assert selection.sigma == grid[scores.argmax()]
    assert 0 < scores.argmax() < 9  # a real interior maximum, not an edge of the grid


def test_sigma_selection_with_custom_grid() -> None:
    samples, validation = _data(4)
    selection = select_parzen_sigma(samples, validation, sigmas=[0.05, 0.2, 3.0])
    scores = [parzen_log_likelihood(samples, validation, s).mean for s in (0.05, 0.2, 3.0)]
    np.testing.assert_allclose(selection.scores.numpy(), scores, rtol=1e-12)
    assert selection.sigma == [0.05, 0.2, 3.0][int(np.argmax(scores))]


def test_streaming_equals_function() -> None:
    samples, data = _data(5)
    expected = parzen_log_likelihood(samples, data, 0.25, batch_size=16)
    metric = ParzenLogLikelihood(samples, 0.25, batch_size=16)
    for batch in data.split(10):
        metric.update(batch)
    result = metric.compute()
    assert isinstance(result, ParzenResult)
    assert result.mean == pytest.approx(expected.mean, rel=1e-13)
    assert result.stderr == pytest.approx(expected.stderr, rel=1e-10)
    assert ParzenLogLikelihood.higher_is_better is True
    metric.reset()
    with pytest.raises(ValueError, match="needs at least one data point"):
        metric.compute()


@pytest.mark.parametrize("sigma", [0.0, -0.1, math.nan])
def test_sigma_must_be_positive(sigma: float) -> None:
    samples, data = _data(6)
    with pytest.raises(ValueError, match="sigma must be finite and > 0"):
        parzen_log_likelihood(samples, data, sigma)
    with pytest.raises(ValueError, match="sigma must be finite and > 0"):
        select_parzen_sigma(samples, data, sigmas=[0.1, sigma])


def test_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="samples and data must have the same feature dimension"):
        parzen_log_likelihood(torch.zeros(4, 3), torch.zeros(4, 2), 0.1)
    with pytest.raises(ValueError, match="samples and validation must have the same feature"):
        select_parzen_sigma(torch.zeros(4, 3), torch.zeros(4, 2))


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"batch_size must be a positive int \(>= 1\), got 0"):
        parzen_log_likelihood(torch.zeros(4, 2), torch.zeros(4, 2), 0.1, batch_size=0)


def test_images_must_be_flattened() -> None:
    with pytest.raises(ValueError, match=r"data must have shape .*got \(4, 1, 2, 2\)"):
        parzen_log_likelihood(torch.zeros(4, 4), torch.zeros(4, 1, 2, 2), 0.1)
