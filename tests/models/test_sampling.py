"""Sampling a generator: eval mode, no gradients, batches, cycled labels; and the fixed noise."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gankit.callbacks import FixedNoise
from gankit.models.sampling import cycled_labels, generate


class LabelledNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(2)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        out = self.bn(z)
        return out if labels is None else out + labels[:, None].float()


def test_batches_equal_one_call_in_eval_mode_and_the_mode_is_restored() -> None:
    net = LabelledNet()
    with torch.no_grad():
        net.bn.running_mean.fill_(1.0)  # eval mode uses it; train mode would not
    z = torch.randn(7, 2, generator=torch.Generator().manual_seed(0))
    out = generate(net, z, batch_size=3)
    # Eval mode: (z - running_mean) / sqrt(running_var + eps), with running_var = 1.
    assert torch.allclose(out, (z - 1.0) / (1.0 + net.bn.eps) ** 0.5, atol=1e-6)
    assert net.training and not out.requires_grad
    labelled = generate(net, z, num_classes=3)
    assert torch.allclose(labelled - out, torch.tensor([0, 1, 2, 0, 1, 2, 0.0])[:, None])
    assert cycled_labels(4, None) is None and cycled_labels(4, 3).tolist() == [0, 1, 2, 0]


def test_fixed_noise_is_drawn_once_from_the_trainers_prior() -> None:
    from types import SimpleNamespace

    draws: list[int] = []

    def sample_noise(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        draws.append(n)
        return torch.randn(n, 2, generator=generator)

    trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=None,
                              sample_noise=sample_noise,
                              sample=lambda n, labels=None, *, noise: noise * 2)
    fixed = FixedNoise(5, seed=3, batch_size=2)
    first, again = fixed.samples(trainer), fixed.samples(trainer)
    expected = torch.randn(5, 2, generator=torch.Generator().manual_seed(3)) * 2
    assert torch.equal(first, expected) and torch.equal(again, expected) and draws == [5]
    with pytest.raises(TypeError, match="seed must be an int, got str"):
        FixedNoise(4, seed="0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be a positive int"):
        FixedNoise(0)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        FixedNoise(4, batch_size=0)
