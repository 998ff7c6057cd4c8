"""nearest_training_neighbours against hand-computed cases and a brute-force float64 reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gankit.data import digits
from gankit.metrics import MemorizationResult, nearest_training_neighbours


def brute_force(x: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair's distance with np.linalg.norm, then the argmin of each row."""
    d = np.linalg.norm(x[:, None, :].astype(np.float64) - train[None, :, :], axis=2)  # (N, T)
    idx = d.argmin(axis=1)
    return idx, d[np.arange(len(x)), idx]


def hypergeometric_tail(count: int, m: int, h: int, draws: int) -> float:
    """P(X >= count) for X ~ Hypergeometric(m + h, m, draws), with exact integers."""
    total = math.comb(m + h, draws)
    return sum(math.comb(m, x) * math.comb(h, draws - x)
               for x in range(count, min(m, draws) + 1)) / total


def test_hand_computed_case() -> None:
    train = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    generated = torch.tensor([[0.0, 1.0], [3.0, 4.0], [6.0, 8.0]])  # 1 from t0; copy of t1; 5
    heldout = torch.tensor([[0.0, 2.0], [3.0, 1.0], [1.0, 0.0], [3.0, 6.0]])  # 2, 3, 1, 2
    r = nearest_training_neighbours(generated, train, heldout, quantile=0.25)
    assert r.generated_indices.tolist() == [0, 1, 1]
    assert r.generated_distances.tolist() == [1.0, 0.0, 5.0]
    assert r.heldout_indices.tolist() == [0, 1, 0, 1]
    assert r.heldout_distances.tolist() == [2.0, 3.0, 1.0, 2.0]
    assert (r.generated_median, r.heldout_median, r.median_ratio) == (1.0, 2.0, 0.5)
    # Sorted held-out [1, 2, 2, 3]: the 0.25 quantile at position 0.75 is 1 + 0.75 (2 - 1).
    assert r.threshold == 1.75
    assert r.fraction_closer == 2 / 3  # 1 and 0 lie below 1.75, 5 does not
    # Pooled, held-out first on ties: [0 g, 1 h, 1 g, 2, 2, 3, 5]; K = ceil(0.25 * 7) = 2
    # smallest hold one generated: P(X >= 1), X ~ Hypergeometric(7, 3, 2) = 1 - C(4,2)/C(7,2).
    assert r.p_value == pytest.approx(1 - 6 / 21, abs=1e-12)
    assert r.memorizing is False and (r.quantile, r.alpha) == (0.25, 0.01)


def test_without_heldout_only_the_generated_side() -> None:
    r = nearest_training_neighbours(np.array([[2.0], [-1.0]]), np.array([[0.0], [1.0]]))
    assert isinstance(r, MemorizationResult)
    assert r.generated_indices.tolist() == [1, 0] and r.generated_distances.tolist() == [1.0, 1.0]
    assert r.generated_median == 1.0
    assert (r.heldout_indices, r.heldout_distances, r.heldout_median, r.median_ratio,
            r.threshold, r.fraction_closer, r.p_value, r.memorizing) == (None,) * 8


@pytest.mark.parametrize("batch_size", [1, 7, 1024])
def test_matches_a_brute_force_float64_reference(batch_size: int) -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(size=(53, 5))
    generated = rng.normal(size=(37, 5)).astype(np.float32)
    heldout = rng.normal(size=(41, 5))
    r = nearest_training_neighbours(torch.from_numpy(generated), train, heldout,
                                    batch_size=batch_size)
    gen_idx, gen_d = brute_force(generated.astype(np.float64), train)
    held_idx, held_d = brute_force(heldout, train)
    np.testing.assert_array_equal(r.generated_indices.numpy(), gen_idx)
    np.testing.assert_allclose(r.generated_distances.numpy(), gen_d, rtol=1e-12)
    np.testing.assert_array_equal(r.heldout_indices.numpy(), held_idx)
    np.testing.assert_allclose(r.heldout_distances.numpy(), held_d, rtol=1e-12)
    assert r.generated_distances.dtype == torch.float64
    assert r.generated_median == pytest.approx(np.median(gen_d), rel=1e-12)
    assert r.heldout_median == pytest.approx(np.median(held_d), rel=1e-12)
    assert r.median_ratio == pytest.approx(np.median(gen_d) / np.median(held_d), rel=1e-12)
    threshold = np.quantile(held_d, 0.05)  # linear interpolation, as torch.quantile
    assert r.threshold == pytest.approx(threshold, rel=1e-12)
    assert r.fraction_closer == np.mean(gen_d < threshold)
    pooled = np.concatenate([held_d, gen_d])
    draws = math.ceil(0.05 * len(pooled))
    count = int((np.argsort(pooled, kind="stable")[:draws] >= len(held_d)).sum())
    assert r.p_value == pytest.approx(hypergeometric_tail(count, 37, 41, draws), rel=1e-9)


def test_a_generator_that_copies_training_images_is_flagged() -> None:
    train, test = digits("train").images.flatten(1), digits("test").images.flatten(1)
    chosen = torch.randperm(len(train), generator=torch.Generator().manual_seed(0))[:200]
    r = nearest_training_neighbours(train[chosen], train, test)
    assert torch.equal(r.generated_distances, torch.zeros(200, dtype=torch.float64))
    assert torch.equal(train[r.generated_indices], train[chosen])  # a copy (maybe a duplicate)
    assert r.generated_median == 0.0 and r.median_ratio == 0.0
    assert r.threshold > 0 and r.fraction_closer == 1.0
    # All K = ceil(0.05 * 500) = 25 smallest distances are generated: C(200, 25) / C(500, 25).
    assert r.p_value == pytest.approx(hypergeometric_tail(25, 200, 300, 25), rel=1e-9)
    assert r.memorizing is True and r.p_value < 1e-10


def test_held_out_real_data_looks_like_held_out_data() -> None:
    # Fresh draws of the training distribution: generated and held-out distances agree.
    g = torch.Generator().manual_seed(0)
    train, heldout, fresh = (torch.randn(n, 8, generator=g) for n in (3000, 1000, 1000))
    r = nearest_training_neighbours(fresh, train, heldout)
    assert r.median_ratio == pytest.approx(1.0, abs=0.05)  # medians of 1000 draws: ~2% apart
    assert abs(r.fraction_closer - 0.05) < 0.03 and r.memorizing is False
    # Real digits never trained on: the two halves of the test split.
    train, test = digits("train").images.flatten(1), digits("test").images.flatten(1)
    half = torch.randperm(300, generator=torch.Generator().manual_seed(0))
    r = nearest_training_neighbours(test[half[:150]], train, test[half[150:]])
    assert r.median_ratio == pytest.approx(1.0, abs=0.1) and r.memorizing is False


def test_ties_zero_medians_and_chunk_boundaries() -> None:
    train = torch.tensor([[1.0], [1.0], [5.0]])  # a duplicate: the first index wins
    r = nearest_training_neighbours(torch.tensor([[1.0], [5.0]]), train, torch.tensor([[1.0]]),
                                    batch_size=1)
    assert r.generated_indices.tolist() == [0, 2]
    assert r.heldout_median == 0.0 and math.isnan(r.median_ratio)  # 0 / 0
    r = nearest_training_neighbours(torch.tensor([[2.0]]), train, torch.tensor([[1.0]]))
    assert r.median_ratio == math.inf


def test_bad_inputs_name_expected_and_given() -> None:
    x = torch.zeros(4, 3)
    with pytest.raises(ValueError, match="train_features and generated_features must have the "
                                         "same feature dimension, got 3 and 2"):
        nearest_training_neighbours(torch.zeros(4, 2), x)
    with pytest.raises(ValueError, match=r"train_features and heldout_features .* got 3 and 5"):
        nearest_training_neighbours(x, x, torch.zeros(2, 5))
    with pytest.raises(ValueError, match="generated_features"):
        nearest_training_neighbours(torch.zeros(4, 3, 2), x)
    with pytest.raises(ValueError, match=r"train_features must be non-empty, got shape \(0, 3\)"):
        nearest_training_neighbours(x, torch.zeros(0, 3))
    with pytest.raises(ValueError, match="heldout_features must be finite"):
        nearest_training_neighbours(x, x, torch.full((2, 3), float("nan")))
    with pytest.raises(TypeError, match="generated_features"):
        nearest_training_neighbours([[0.0, 1.0]], x)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"quantile must lie in \(0, 1\), got 1.5"):
        nearest_training_neighbours(x, x, x, quantile=1.5)
    with pytest.raises(ValueError, match=r"alpha must lie in \(0, 1\), got 0"):
        nearest_training_neighbours(x, x, x, alpha=0)
    with pytest.raises(ValueError, match=r"batch_size must be a positive int \(>= 1\), got 0"):
        nearest_training_neighbours(x, x, batch_size=0)
