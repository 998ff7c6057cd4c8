"""Penalties for a packed (PacGAN) discriminator take norms over each packed group."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gankit import NSGAN, MLPDiscriminator, MLPGenerator, R1Penalty, Trainer
from gankit.functional import gradient_penalty, r1_penalty


class PackedLinear(nn.Module):
    """D(x_1, x_2) = w · concat(x_1, x_2): pack = 2 consecutive samples."""

    pack = 2

    def __init__(self, w: Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0] // 2, -1) @ self.w


def test_gradient_penalty_of_packed_linear_critic() -> None:
    w = torch.tensor([0.3, -1.2, 2.0, 0.5], dtype=torch.float64)
    real, fake = torch.randn(6, 2, dtype=torch.float64), torch.randn(6, 2, dtype=torch.float64)
    gp = gradient_penalty(PackedLinear(w), real, fake)
    expected = (torch.linalg.vector_norm(w) - 1) ** 2  # the group's gradient is all of w
    torch.testing.assert_close(gp, expected)
    torch.testing.assert_close(r1_penalty(PackedLinear(w), real), w.square().sum())


def test_trainer_trains_a_packed_discriminator() -> None:
    torch.manual_seed(0)
    G = MLPGenerator(2, (2,), hidden=(16,))
    D = MLPDiscriminator((2,), hidden=(16,), pack=2)
    trainer = Trainer(G, D, NSGAN() + R1Penalty(0.1), progress_bar=False)
    trainer.fit(torch.randn(64, 2), steps=3, batch_size=16)
    assert trainer.step == 3
