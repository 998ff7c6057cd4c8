import json
import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from gankit.metrics import ModeCoverage, ModeCoverageResult, mode_coverage

SQUARE = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])


def _grid_means() -> torch.Tensor:
    """PacGAN's 2D-grid: 25 modes at {-4, -2, 0, 2, 4}²."""
    axis = torch.arange(-4.0, 5.0, 2.0)
    return torch.cartesian_prod(axis, axis)


def _hand_built() -> torch.Tensor:
    # σ = 0.5: three HQ samples at mode 0, one at mode 1, none at mode 2, two at mode 3,
    # one between modes (far from all) and one 4σ from mode 0 (assigned, not HQ).
    return torch.tensor([
        [0.0, 0.0], [0.5, 0.0], [0.0, -1.0],
        [10.5, 0.5],
        [9.0, 10.0], [10.0, 11.4],
        [5.0, 5.0],
        [0.0, 2.0],
    ])


def test_hand_built_sample_set() -> None:
    result = mode_coverage(_hand_built(), SQUARE, std=0.5)
    assert result.counts.tolist() == [3, 1, 0, 2]
    assert result.counts.dtype == torch.int64
    assert result.modes_covered == 3
    assert result.num_modes == 4
    assert result.high_quality_fraction == 6 / 8
    p = [3 / 6, 1 / 6, 2 / 6]  # the empty mode contributes 0·log 0 = 0
    expected_kl = sum(pk * math.log(4 * pk) for pk in p)
    assert result.reverse_kl == pytest.approx(expected_kl, rel=1e-12)
    assert result.reverse_kl == pytest.approx(math.log(4) + sum(pk * math.log(pk) for pk in p))


def test_threshold_is_strict_and_scaled_by_sigma() -> None:
    means = torch.zeros(1, 2)
    samples = torch.tensor([[1.5, 0.0], [1.4, 0.0]])  # exactly 3σ and 2.8σ for σ = 0.5
    assert mode_coverage(samples, means, std=0.5).counts.tolist() == [1]
    assert mode_coverage(samples, means, std=0.5, threshold=2.5).counts.tolist() == [0]
    assert mode_coverage(samples, means, std=1.0, threshold=1.5).counts.tolist() == [1]


def test_sample_goes_to_its_nearest_mode_only() -> None:
    means = torch.tensor([[0.0], [1.0]])
    samples = torch.tensor([[0.4], [0.45], [0.9]])  # all within 3σ of both modes for σ = 1
    result = mode_coverage(samples, means, std=1.0)
    assert result.counts.tolist() == [2, 1]
    assert result.high_quality_fraction == 1.0


def test_uniform_histogram_has_zero_reverse_kl() -> None:
    result = mode_coverage(SQUARE.repeat(3, 1), SQUARE, std=0.1)
    assert result.counts.tolist() == [3, 3, 3, 3]
    assert result.reverse_kl == 0.0
    assert result.modes_covered == 4


def test_single_mode_histogram_has_reverse_kl_log_k() -> None:
    result = mode_coverage(torch.zeros(5, 2), SQUARE, std=0.1)
    assert result.modes_covered == 1
    assert result.reverse_kl == pytest.approx(math.log(4), rel=1e-12)


def test_no_high_quality_sample_reports_log_k() -> None:
    result = mode_coverage(torch.full((4, 2), 5.0), SQUARE, std=0.1)
    assert result.modes_covered == 0
    assert result.high_quality_fraction == 0.0
    assert result.reverse_kl == math.log(4)


def test_pacgan_grid_matches_numpy_reference_on_100k_samples() -> None:
    means, std = _grid_means(), 0.05
    gen = torch.Generator().manual_seed(0)
    picks = torch.randint(0, 20, (100_000,), generator=gen)  # modes 20..24 never drawn
    samples = means[picks] + 2 * std * torch.randn(100_000, 2, generator=gen)
    result = mode_coverage(samples, means, std=std)

    dist = cdist(samples.double().numpy(), means.double().numpy()) / std
    hq = dist.min(axis=1) < 3.0
    counts = np.bincount(dist.argmin(axis=1)[hq], minlength=25)
    p = counts[counts > 0] / counts.sum()
    assert result.counts.tolist() == counts.tolist()
    assert result.modes_covered == 20
    assert result.high_quality_fraction == pytest.approx(hq.mean(), abs=0)
    assert result.reverse_kl == pytest.approx(np.log(25) + (p * np.log(p)).sum(), rel=1e-10)


def test_streaming_equals_function() -> None:
    means = _grid_means()
    gen = torch.Generator().manual_seed(1)
    samples = means[torch.randint(0, 25, (999,), generator=gen)]
    samples = samples + 0.1 * torch.randn(999, 2, generator=gen)
    expected = mode_coverage(samples, means, std=0.05)
    metric = ModeCoverage(means, std=0.05)
    for batch in samples.split(100):
        metric.update(batch)
    assert metric.compute().as_dict() == expected.as_dict()
    assert ModeCoverage.higher_is_better is True
    metric.reset()
    metric.update(samples[:10])
    assert metric.compute().as_dict() == mode_coverage(samples[:10], means, 0.05).as_dict()


def test_as_dict_is_json_safe() -> None:
    result = mode_coverage(_hand_built().numpy(), SQUARE.numpy(), std=0.5)
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["counts"] == [3, 1, 0, 2]
    assert isinstance(data["modes_covered"], int)
    assert isinstance(data["high_quality_fraction"], float)


def test_result_is_frozen() -> None:
    result = mode_coverage(_hand_built(), SQUARE, std=0.5)
    assert isinstance(result, ModeCoverageResult)
    with pytest.raises(AttributeError):
        result.modes_covered = 4  # type: ignore[misc]


def test_wrong_means_shape() -> None:
    with pytest.raises(ValueError, match=r"means must have shape .*got \(4,\)"):
        mode_coverage(torch.zeros(3, 2), torch.zeros(4), std=1.0)


def test_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="samples and means must have the same feature dimension, "
                       "got 3 and 2"):
        mode_coverage(torch.zeros(5, 3), SQUARE, std=1.0)


@pytest.mark.parametrize("std", [0.0, -1.0, math.inf])
def test_std_must_be_positive(std: float) -> None:
    with pytest.raises(ValueError, match=r"std must be a finite number > 0, got"):
        mode_coverage(torch.zeros(5, 2), SQUARE, std=std)
    with pytest.raises(ValueError, match=r"std must be a finite number > 0, got"):
        ModeCoverage(SQUARE, std=std)


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError, match="threshold must be a finite number > 0, got 0"):
        mode_coverage(torch.zeros(5, 2), SQUARE, std=1.0, threshold=0)


def test_std_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="std must be a finite number > 0, got str"):
        mode_coverage(torch.zeros(5, 2), SQUARE, std="0.1")  # type: ignore[arg-type]


def test_streaming_errors() -> None:
    metric = ModeCoverage(SQUARE, std=0.1)
    with pytest.raises(ValueError, match="needs at least one sample"):
        metric.compute()
    with pytest.raises(ValueError, match="same feature dimension, got 1 and 2"):
        metric.update(torch.zeros(3, 1))
