"""Weight initialisation schemes: statistics of the weights they draw."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from gankit.models import (
    INIT_SCHEMES,
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    init_weights,
)
from gankit.models._layers import apply_spectral_norm


def test_dcgan_init_draws_n_0_002_and_zero_biases() -> None:
    torch.manual_seed(0)
    g = DCGANGenerator(100, (3, 32, 32), base_channels=32, init="dcgan")
    convs = [m for m in g.modules() if isinstance(m, nn.ConvTranspose2d)]
    for conv in convs:
        w = conv.weight.detach()
        assert abs(w.mean().item()) < 0.002
        assert w.std().item() == pytest.approx(0.02, rel=0.05)
        if conv.bias is not None:
            assert torch.count_nonzero(conv.bias) == 0
    scales = torch.cat([m.weight.detach() for m in g.modules() if isinstance(m, nn.BatchNorm2d)])
    shifts = torch.cat([m.bias.detach() for m in g.modules() if isinstance(m, nn.BatchNorm2d)])
    assert scales.numel() == 128 + 64 + 32
    assert scales.mean().item() == pytest.approx(1.0, abs=0.005)
    assert scales.std().item() == pytest.approx(0.02, rel=0.15)
    assert torch.count_nonzero(shifts) == 0


def test_xavier_init_matches_glorot_bound() -> None:
    torch.manual_seed(0)
    d = MLPDiscriminator((300,), hidden=(200,), init="xavier")
    layer = d.features[0]
    bound = math.sqrt(6 / (300 + 200))
    w = layer.weight.detach()
    assert w.abs().max().item() <= bound
    assert w.abs().max().item() > 0.99 * bound
    assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.03)  # U(-a, a)
    assert torch.count_nonzero(layer.bias) == 0


@pytest.mark.parametrize("init", [None, "default"])
def test_default_init_leaves_pytorch_initialisation(init: str | None) -> None:
    torch.manual_seed(0)
    reference = DCGANDiscriminator((1, 16, 16), base_channels=4, init=None)
    torch.manual_seed(0)
    model = DCGANDiscriminator((1, 16, 16), base_channels=4, init=init)
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p, q, msg=name)
    first = model.features[0].weight.detach()
    bound = 1 / math.sqrt(1 * 4 * 4)  # PyTorch's kaiming_uniform(a=sqrt(5)) bound for Conv2d
    assert first.abs().max().item() <= bound and first.std().item() > 0.1


def test_init_reaches_the_original_weight_under_spectral_norm() -> None:
    torch.manual_seed(0)
    layer = apply_spectral_norm(nn.Linear(400, 300))
    init_weights(layer, "dcgan")
    original = layer.parametrizations.weight.original.detach()
    assert original.std().item() == pytest.approx(0.02, rel=0.05)


def test_unknown_init_lists_the_allowed_ones() -> None:
    assert INIT_SCHEMES == ("dcgan", "default", "xavier")
    with pytest.raises(ValueError, match=r"unknown init 'normal'; allowed: None or one of "
                                         r"\['dcgan', 'default', 'xavier'\]"):
        DCGANGenerator(8, (1, 8, 8), init="normal")
    with pytest.raises(ValueError, match=r"unknown init 'he'"):
        init_weights(nn.Linear(2, 2), "he")
