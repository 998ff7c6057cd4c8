"""The R1 penalty against closed forms."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor, nn

from gankit.functional import r1_penalty

DT = torch.float64


def test_linear_discriminator_gives_squared_norm_of_w() -> None:
    w = torch.tensor([1.0, -2.0, 2.0], dtype=DT)  # ||w||^2 = 9
    real = torch.randn(7, 3, dtype=DT)
    assert math.isclose(r1_penalty(lambda x: x @ w - 0.5, real).item(), 9.0, rel_tol=1e-12)


def test_quadratic_discriminator_by_hand() -> None:
    # D(x) = x1^2 + x1 x2, so grad D = (2 x1 + x2, x1).
    # At (1, 2): (4, 1), squared norm 17. At (0, -1): (-1, 0), squared norm 1. Mean 9.
    real = torch.tensor([[1.0, 2.0], [0.0, -1.0]], dtype=DT)
    out = r1_penalty(lambda x: x[:, 0] ** 2 + x[:, 0] * x[:, 1], real)
    assert math.isclose(out.item(), 9.0, rel_tol=1e-12)


def test_images_sum_squares_over_all_sample_dimensions() -> None:
    W = torch.randn(3, 4, 4, dtype=DT)
    real = torch.randn(2, 3, 4, 4, dtype=DT)
    out = r1_penalty(lambda x: (x * W).flatten(1).sum(1), real)
    assert math.isclose(out.item(), W.square().sum().item(), rel_tol=1e-12)


def test_conditional_discriminator_gets_the_labels() -> None:
    W = torch.tensor([[3.0, 4.0], [0.0, 2.0]], dtype=DT)  # squared norms 25, 4
    labels = torch.tensor([0, 1, 1])
    out = r1_penalty(lambda x, y: (x * W[y]).sum(1), torch.randn(3, 2, dtype=DT), labels=labels)
    assert math.isclose(out.item(), (25.0 + 4.0 + 4.0) / 3, rel_tol=1e-12)


def test_backpropagates_into_the_discriminator_not_into_real() -> None:
    w = torch.tensor([3.0, 4.0], dtype=DT, requires_grad=True)
    real = torch.randn(4, 2, dtype=DT, requires_grad=True)
    r1_penalty(lambda x: x @ w, real).backward()
    torch.testing.assert_close(w.grad, 2.0 * w.detach())  # d ||w||^2 / dw
    assert real.grad is None


def test_gradcheck_with_respect_to_the_discriminators_parameters() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 1)).to(DT)
    real = torch.randn(5, 3, dtype=DT)

    def penalty(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
        return r1_penalty(lambda x: (torch.tanh(x @ w1.T + b1) @ w2.T + b2).squeeze(1), real)

    inputs = [p.detach().clone().requires_grad_(True) for p in net.parameters()]
    assert torch.autograd.gradcheck(penalty, inputs)


def test_real_is_left_untouched_and_works_under_no_grad() -> None:
    real = torch.randn(3, 2, dtype=DT)
    before = real.clone()
    w = torch.tensor([3.0, 4.0], dtype=DT)
    with torch.no_grad():
        assert r1_penalty(lambda x: x @ w, real).item() == 25.0
    assert torch.equal(real, before) and not real.requires_grad


def test_bad_inputs_get_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"real must have shape \(N, \*S\) .*got \(0, 2\)"):
        r1_penalty(lambda x: x.sum(1), torch.zeros(0, 2))
    with pytest.raises(TypeError, match=r"floating-point tensor, got dtype torch\.uint8"):
        r1_penalty(lambda x: x.sum(1), torch.zeros(2, 3, dtype=torch.uint8))
    with pytest.raises(ValueError, match=r"logits of shape \(2,\) on the real batch, got \(2, 1\)"):
        r1_penalty(lambda x: x[:, :1], torch.zeros(2, 3))
