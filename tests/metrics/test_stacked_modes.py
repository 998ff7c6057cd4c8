"""Stacked MNIST's mode count and KL against hand counts and a float64 NumPy reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from gankit.metrics import stacked_mnist_modes, stacked_modes_from_labels


def test_one_mode_and_uniform_modes() -> None:
    one = stacked_modes_from_labels(torch.tensor([[4, 2, 7]] * 50))
    assert one.modes_covered == 1 and one.kl == pytest.approx(math.log(1000))
    assert int(one.counts[427]) == 50
    digits = torch.arange(1000)
    every = torch.stack([digits // 100, digits // 10 % 10, digits % 10], dim=1).repeat(3, 1)
    uniform = stacked_modes_from_labels(every)
    assert uniform.modes_covered == 1000 and uniform.kl == pytest.approx(0.0, abs=1e-12)


def test_kl_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=(5000, 3))
    labels[:2000, 0] = 3  # skew the first channel
    result = stacked_modes_from_labels(torch.from_numpy(labels))
    modes = labels[:, 0] * 100 + labels[:, 1] * 10 + labels[:, 2]
    p = np.bincount(modes, minlength=1000) / len(modes)
    expected = float(np.sum(p[p > 0] * np.log(p[p > 0] * 1000)))
    assert result.kl == pytest.approx(expected, rel=1e-12)
    assert result.modes_covered == int((p > 0).sum()) and result.num_samples == 5000


def test_each_channel_is_classified_in_order() -> None:
    class FirstPixel(nn.Module):  # class = the digit written in the first pixel
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return nn.functional.one_hot(x[:, 0, 0, 0].long(), 10).float()

    samples = torch.zeros(2, 3, 4, 4)
    samples[0, :, 0, 0] = torch.tensor([1.0, 2.0, 3.0])
    samples[1, :, 0, 0] = torch.tensor([9.0, 0.0, 5.0])
    result = stacked_mnist_modes(samples, FirstPixel())
    assert torch.nonzero(result.counts).flatten().tolist() == [123, 905]


def test_bad_input() -> None:
    with pytest.raises(ValueError, match=r"labels must have shape \(N, 3\) with N >= 1"):
        stacked_modes_from_labels(torch.zeros(4, 2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"integer classes in 0\.\.9"):
        stacked_modes_from_labels(torch.full((2, 3), 10))
    with pytest.raises(ValueError, match=r"shape \(N, 3, H, W\), got \(2, 1, 8, 8\)"):
        stacked_mnist_modes(torch.zeros(2, 1, 8, 8), nn.Identity())
