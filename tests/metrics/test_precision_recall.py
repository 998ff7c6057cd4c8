import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from gankit.metrics import PrecisionRecall, PrecisionRecallResult, precision_recall


def _reference(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    """Brute force: full distance matrices, radii from np.sort (column 0 is self)."""
    def share(points: np.ndarray, reference: np.ndarray) -> float:
        radii = np.sort(cdist(reference, reference), axis=1)[:, k]
        inside = cdist(points, reference) <= radii[None, :]
        return float(inside.any(axis=1).mean())

    return share(fake, real), share(real, fake)


def _sets(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    real = torch.randn(120, 4, generator=gen, dtype=torch.float64)
    fake = 0.7 * torch.randn(90, 4, generator=gen, dtype=torch.float64) + 0.8
    return real, fake


@pytest.mark.parametrize("batch_size", [16, 1024])
@pytest.mark.parametrize("k", [1, 3, 10])
def test_matches_brute_force(k: int, batch_size: int) -> None:
    real, fake = _sets(0)
    precision, recall = _reference(real.numpy(), fake.numpy(), k)
    result = precision_recall(real, fake, k=k, batch_size=batch_size)
    assert min(precision, recall) > 0.05 and max(precision, recall) < 0.999  # not saturated
    assert result == PrecisionRecallResult(precision=precision, recall=recall)


def test_identical_sets_are_perfect() -> None:
    real, _ = _sets(1)
    assert precision_recall(real, real.clone()) == PrecisionRecallResult(precision=1.0, recall=1.0)


def test_far_apart_sets_score_zero() -> None:
    real, fake = _sets(2)
    assert precision_recall(real, fake + 100.0) == PrecisionRecallResult(precision=0.0, recall=0.0)


def test_ball_boundary_counts_as_inside() -> None:
    real = torch.tensor([[0.0], [1.0], [2.0]])  # k = 1: every radius is 1
    fake = torch.tensor([[3.0], [3.5], [4.0]])  # 3.0 lies on the ball of 2.0
    assert precision_recall(real, fake, k=1).precision == pytest.approx(1 / 3)


def test_streaming_equals_function() -> None:
    real, fake = _sets(3)
    metric = PrecisionRecall(k=3, batch_size=32)
    for batch in real.split(50):
        metric.update(batch, real=True)
    for batch in fake.split(40):
        metric.update(batch, real=False)
    assert metric.compute() == precision_recall(real, fake, k=3)
    assert PrecisionRecall.higher_is_better is True
    metric.reset()
    with pytest.raises(ValueError, match="needs both real and fake features"):
        metric.compute()


@pytest.mark.parametrize(("n_real", "n_fake", "name", "n"),
                         [(3, 10, "real", 3), (10, 2, "fake", 2)])
def test_k_must_be_below_each_set_size(n_real: int, n_fake: int, name: str, n: int) -> None:
    with pytest.raises(ValueError, match=rf"k must satisfy 1 <= k < N for the {n} points of "
                       rf"{name} \(self is excluded from the neighbours\), got k=3"):
        precision_recall(torch.randn(n_real, 2), torch.randn(n_fake, 2), k=3)


def test_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="real and fake must have the same feature dimension, "
                       "got 2 and 3"):
        precision_recall(torch.randn(10, 2), torch.randn(10, 3))


def test_non_2d_input() -> None:
    with pytest.raises(ValueError, match=r"fake must have shape .*got \(10, 1, 2\)"):
        precision_recall(torch.randn(10, 2), torch.randn(10, 1, 2))
