"""Input handling shared by every feature-pair metric."""

from collections.abc import Callable

import pytest
import torch

from gankit.metrics import (
    density_coverage,
    frechet_distance,
    kernel_distance,
    precision_recall,
)

PAIR_METRICS: dict[str, Callable[..., object]] = {
    "frechet": frechet_distance,
    "kernel": lambda a, b: kernel_distance(a, b, num_subsets=2,
                                           generator=torch.Generator().manual_seed(0)),
    "precision_recall": precision_recall,
    "density_coverage": density_coverage,
}


@pytest.mark.parametrize("name", sorted(PAIR_METRICS))
def test_numpy_float32_and_tensor_inputs_agree(name: str) -> None:
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(40, 3, generator=gen, dtype=torch.float64).float()
    b = torch.randn(30, 3, generator=gen, dtype=torch.float64).float()
    metric = PAIR_METRICS[name]
    assert metric(a.numpy(), b.numpy()) == metric(a, b) == metric(a.double(), b.double())


@pytest.mark.parametrize("name", sorted(PAIR_METRICS))
def test_dimension_mismatch_is_named(name: str) -> None:
    with pytest.raises(ValueError, match="must have the same feature dimension, got 3 and 4"):
        PAIR_METRICS[name](torch.randn(20, 3), torch.randn(20, 4))


@pytest.mark.parametrize("name", sorted(PAIR_METRICS))
def test_features_must_be_2d(name: str) -> None:
    with pytest.raises(ValueError, match=r"must have shape \('N', '\*'\), got \(20, 3, 1\)"):
        PAIR_METRICS[name](torch.randn(20, 3), torch.randn(20, 3, 1))


@pytest.mark.parametrize("name", sorted(PAIR_METRICS))
def test_features_must_be_tensors(name: str) -> None:
    with pytest.raises(TypeError, match=r"must be a torch\.Tensor, got list"):
        PAIR_METRICS[name]([[0.0, 1.0]] * 20, torch.randn(20, 2))


@pytest.mark.parametrize("name", sorted(PAIR_METRICS))
def test_features_must_be_non_empty_and_finite(name: str) -> None:
    with pytest.raises(ValueError, match=r"must be non-empty, got shape \(0, 3\)"):
        PAIR_METRICS[name](torch.randn(20, 3), torch.randn(0, 3))
    with pytest.raises(ValueError, match="must be finite, got NaN or infinite values"):
        PAIR_METRICS[name](torch.full((20, 3), float("inf")), torch.randn(20, 3))


@pytest.mark.parametrize("name", sorted(PAIR_METRICS))
def test_complex_features_are_refused(name: str) -> None:
    with pytest.raises(TypeError, match=r"must hold real numbers, got dtype torch\.complex64"):
        PAIR_METRICS[name](torch.randn(20, 3, dtype=torch.complex64), torch.randn(20, 3))
