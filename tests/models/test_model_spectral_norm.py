"""Spectral normalisation bounds the largest singular value of every discriminator weight."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize

from gankit.models import DCGANDiscriminator, MLPDiscriminator


def top_singular_value(weight: torch.Tensor) -> float:
    return torch.linalg.matrix_norm(weight.detach().reshape(weight.shape[0], -1), ord=2).item()


@pytest.mark.parametrize("make", [
    lambda: MLPDiscriminator((3, 8, 8), hidden=(64, 32), maxout_pieces=3, num_classes=4,
                             spectral_norm=True, init="xavier"),
    lambda: DCGANDiscriminator((3, 16, 16), base_channels=8, norm_layer=None, num_classes=4,
                               spectral_norm=True),
], ids=["mlp", "dcgan"])
def test_every_weight_has_unit_spectral_norm(make) -> None:  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    d = make().train()
    layers = [m for m in d.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.Embedding))]
    assert len(layers) >= 4 and all(parametrize.is_parametrized(m, "weight") for m in layers)
    originals = [top_singular_value(m.parametrizations.weight.original) for m in layers]
    assert max(abs(s - 1) for s in originals) > 0.3  # unnormalised weights are far from 1
    # Make the raw weights large, then let the power iteration (one per forward) catch up.
    with torch.no_grad():
        for m in layers:
            m.parametrizations.weight.original.mul_(25.0)
    x, labels = torch.randn(8, *d.in_shape), torch.arange(8) % 4
    for _ in range(30):
        d(x, labels)
    d.eval()
    sigmas = [top_singular_value(m.weight) for m in layers]
    assert sigmas == pytest.approx([1.0] * len(layers), abs=0.02)


def test_logits_are_lipschitz_in_the_input_without_norm_layers() -> None:
    torch.manual_seed(0)
    d = MLPDiscriminator((6,), hidden=(32, 32), spectral_norm=True).train()
    for _ in range(30):
        d(torch.randn(16, 6))
    d.eval()
    x = torch.randn(256, 6)
    y = x + 0.1 * torch.randn(256, 6)
    # Every layer is 1-Lipschitz (LeakyReLU too), so |D(x) - D(y)| <= ||x - y||.
    ratio = (d(x) - d(y)).abs() / (x - y).norm(dim=1)
    assert ratio.max().item() <= 1.02


def test_spectral_norm_is_off_by_default() -> None:
    d = DCGANDiscriminator((1, 8, 8), base_channels=4)
    assert not any(parametrize.is_parametrized(m) for m in d.modules())
