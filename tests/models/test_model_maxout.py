"""Maxout against a hand-computed case and a float64 numpy reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gankit.models import Maxout


def test_hand_computed_case() -> None:
    layer = Maxout(2, 2, pieces=3)
    with torch.no_grad():
        # Unit 0's pieces: x1, x2, -x1 - x2 + 0.5; unit 1's: 2 x1, -x2, 1.
        layer.linear.weight.copy_(torch.tensor(
            [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0], [2.0, 0.0], [0.0, -1.0], [0.0, 0.0]]
        ))
        layer.linear.bias.copy_(torch.tensor([0.0, 0.0, 0.5, 0.0, 0.0, 1.0]))
    x = torch.tensor([[1.0, 2.0], [-1.0, -3.0]])
    # Row 0: unit 0 = max(1, 2, -2.5) = 2; unit 1 = max(2, -2, 1) = 2.
    # Row 1: unit 0 = max(-1, -3, 4.5) = 4.5; unit 1 = max(-2, 3, 1) = 3.
    torch.testing.assert_close(layer(x), torch.tensor([[2.0, 2.0], [4.5, 3.0]]))


@settings(deadline=None, max_examples=25)
@given(n=st.integers(1, 5), d_in=st.integers(1, 6), units=st.integers(1, 4),
       pieces=st.integers(2, 5), seed=st.integers(0, 2**16))
def test_matches_numpy_reference(n: int, d_in: int, units: int, pieces: int, seed: int) -> None:
    torch.manual_seed(seed)
    layer = Maxout(d_in, units, pieces).double()
    x = torch.randn(n, d_in, dtype=torch.float64)
    w = layer.linear.weight.detach().numpy().reshape(units, pieces, d_in)
    b = layer.linear.bias.detach().numpy().reshape(units, pieces)
    expected = (np.einsum("nd,upd->nup", x.numpy(), w) + b).max(axis=2)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-12, atol=1e-12)


def test_gradient_flows_only_to_the_winning_piece() -> None:
    layer = Maxout(1, 1, pieces=2)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0], [-1.0]]))
        layer.linear.bias.zero_()
    layer(torch.tensor([[3.0]])).sum().backward()
    torch.testing.assert_close(layer.linear.weight.grad, torch.tensor([[3.0], [0.0]]))


def test_input_gradient_of_the_input_gradient_matches_finite_differences() -> None:
    # R1 and the gradient penalty differentiate D's input gradient again (double backward).
    torch.manual_seed(0)
    layer = Maxout(3, 4, pieces=3).double()
    x = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))
    assert torch.autograd.gradgradcheck(layer, (x,))

    def r1(weight: torch.Tensor) -> torch.Tensor:
        out = torch.nn.functional.linear(x, weight, layer.linear.bias).view(5, 4, 3).amax(dim=2)
        (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
        return grad.square().sum()

    weight = layer.linear.weight.detach().clone().requires_grad_(True)
    layer.zero_grad()
    (grad,) = torch.autograd.grad(layer(x).sum(), x, create_graph=True)
    grad.square().sum().backward()
    torch.testing.assert_close(layer.linear.weight.grad, torch.autograd.grad(r1(weight), weight)[0])


def test_bad_arguments_and_inputs() -> None:
    with pytest.raises(ValueError, match=r"pieces must be at least 2 .*got 1"):
        Maxout(3, 2, pieces=1)
    with pytest.raises(TypeError, match=r"out_features must be a positive int, got float"):
        Maxout(3, 2.5, pieces=2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"x must have shape \('N', 3\), got \(4, 2\)"):
        Maxout(3, 2, pieces=2)(torch.randn(4, 2))
