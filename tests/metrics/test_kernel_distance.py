import numpy as np
import pytest
import torch

from gankit.metrics import KernelDistance, KernelDistanceResult, kernel_distance


def _mmd2_reference(x: np.ndarray, y: np.ndarray, degree: int = 3, gamma: float | None = None,
                    coef: float = 1.0) -> float:
    """Unbiased MMD², written out pair by pair from the definition (float64 numpy)."""
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    m, n = len(x), len(y)

    def k(u: np.ndarray, v: np.ndarray) -> float:
        return float((gamma * u @ v + coef) ** degree)

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def _sets(seed: int, n_a: int = 40, n_b: int = 40, d: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n_a, d, generator=gen), 0.5 + torch.randn(n_b, d, generator=gen)


def test_whole_sets_match_numpy_reference() -> None:
    a, b = _sets(0)
    # subset_size is clipped to 40: the one subset is each whole set, in some order.
    result = kernel_distance(a, b, num_subsets=1, subset_size=1000)
    expected = _mmd2_reference(a.double().numpy(), b.double().numpy())
    assert result.mean == pytest.approx(expected, rel=1e-10)
    assert result.std == 0.0


@pytest.mark.parametrize(("degree", "gamma", "coef"), [(2, 0.5, 0.0), (1, None, 3.0)])
def test_kernel_options_match_numpy_reference(degree: int, gamma: float | None,
                                              coef: float) -> None:
    a, b = _sets(1, d=3)
    result = kernel_distance(a, b, num_subsets=1, subset_size=40, degree=degree, gamma=gamma,
                             coef=coef)
    expected = _mmd2_reference(a.double().numpy(), b.double().numpy(), degree, gamma, coef)
    assert result.mean == pytest.approx(expected, rel=1e-10)


def test_subsets_follow_the_documented_sampling() -> None:
    a, b = _sets(2, n_a=50, n_b=30)
    result = kernel_distance(a, b, num_subsets=4, subset_size=25,
                             generator=torch.Generator().manual_seed(7))
    gen = torch.Generator().manual_seed(7)
    scores = []
    for _ in range(4):
        index_a = torch.randperm(50, generator=gen)[:25]
        index_b = torch.randperm(30, generator=gen)[:25]
        scores.append(_mmd2_reference(a[index_a].double().numpy(), b[index_b].double().numpy()))
    assert result.mean == pytest.approx(np.mean(scores), rel=1e-10)
    assert result.std == pytest.approx(np.std(scores), rel=1e-8)
    assert result.std > 0


def test_subset_size_is_clipped_to_the_smaller_set() -> None:
    a, b = _sets(3, n_a=60, n_b=12)
    gen_seed = 11
    result = kernel_distance(a, b, num_subsets=2, subset_size=1000,
                             generator=torch.Generator().manual_seed(gen_seed))
    gen = torch.Generator().manual_seed(gen_seed)
    scores = []
    for _ in range(2):
        index_a = torch.randperm(60, generator=gen)[:12]
        index_b = torch.randperm(12, generator=gen)[:12]
        scores.append(_mmd2_reference(a[index_a].double().numpy(), b[index_b].double().numpy()))
    assert result.mean == pytest.approx(np.mean(scores), rel=1e-10)


def test_same_distribution_is_near_zero_and_shift_is_not() -> None:
    gen = torch.Generator().manual_seed(4)
    a, b = torch.randn(400, 8, generator=gen), torch.randn(400, 8, generator=gen)
    same = kernel_distance(a, b, num_subsets=8, subset_size=200, generator=gen)
    shifted = kernel_distance(a, b + 1.0, num_subsets=8, subset_size=200, generator=gen)
    assert shifted.mean > 20 * same.std  # the shift stands far out of the subset noise
    assert abs(same.mean) < 0.01 * shifted.mean  # no shift: MMD² is ~0 on that scale


def test_streaming_equals_function() -> None:
    a, b = _sets(5, n_a=70, n_b=45)
    expected = kernel_distance(a, b, num_subsets=3, subset_size=20,
                               generator=torch.Generator().manual_seed(3))
    metric = KernelDistance(num_subsets=3, subset_size=20,
                                  generator=torch.Generator().manual_seed(3))
    for batch in a.split(16):
        metric.update(batch, real=True)
    for batch in b.numpy().reshape(3, 15, 5):
        metric.update(batch, real=False)
    result = metric.compute()
    assert isinstance(result, KernelDistanceResult)
    assert result == expected
    assert KernelDistance.higher_is_better is False
    metric.reset()
    with pytest.raises(ValueError, match="needs both real and fake features, got 0 real"):
        metric.compute()


def test_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="features_a and features_b must have the same feature "
                       "dimension, got 2 and 3"):
        kernel_distance(torch.zeros(5, 2), torch.zeros(5, 3))
    metric = KernelDistance()
    metric.update(torch.zeros(5, 2), real=True)
    with pytest.raises(ValueError, match="same feature dimension, got 2 and 3"):
        metric.update(torch.zeros(5, 3), real=False)


def test_needs_two_points_per_set() -> None:
    with pytest.raises(ValueError, match="needs at least 2 points in each set, got 5 and 1"):
        kernel_distance(torch.zeros(5, 2), torch.zeros(1, 2))


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"num_subsets": 0}, ValueError, r"num_subsets must be a positive int \(>= 1\), got 0"),
    ({"subset_size": 2.5}, TypeError, "subset_size must be a positive int, got float"),
    ({"degree": -1}, ValueError, r"degree must be a positive int \(>= 1\), got -1"),
    ({"gamma": 0.0}, ValueError, "gamma must be a finite number > 0, got 0.0"),
    ({"coef": float("nan")}, ValueError, "coef must be a finite number, got nan"),
])
def test_bad_options(kwargs: dict, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        kernel_distance(torch.zeros(5, 2), torch.zeros(5, 2), **kwargs)
    with pytest.raises(error, match=message):
        KernelDistance(**kwargs)
