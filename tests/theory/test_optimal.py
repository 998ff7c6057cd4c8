"""optimal_discriminator: D* = p_data / (p_data + p_g), checked against float64 numpy."""

import numpy as np
import pytest
import torch

from gankit.theory import optimal_discriminator


def test_matches_numpy_formula_on_random_densities():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.0, 3.0, size=(5, 7))
    q = rng.uniform(0.0, 3.0, size=(5, 7))
    d = optimal_discriminator(torch.from_numpy(p), torch.from_numpy(q))
    assert d.dtype == torch.float64
    np.testing.assert_allclose(d.numpy(), p / (p + q), rtol=1e-15, atol=0)


def test_hand_computed_cases_including_zero_densities():
    p = torch.tensor([3.0, 0.0, 2.0, 0.0, 1.0], dtype=torch.float64)
    q = torch.tensor([1.0, 5.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    expected = torch.tensor([0.75, 0.0, 1.0, 0.5, 0.5], dtype=torch.float64)
    assert torch.equal(optimal_discriminator(p, q), expected)


def test_broadcasts_like_torch():
    p = torch.tensor([[0.1], [0.2], [0.4]])  # (3, 1)
    q = torch.tensor([0.1, 0.3, 0.0, 0.9])  # (4,)
    d = optimal_discriminator(p, q)
    assert d.shape == (3, 4)
    pn, qn = p.double().numpy(), q.double().numpy()
    np.testing.assert_allclose(d.double().numpy(), pn / (pn + qn), rtol=1e-6)


def test_scalar_and_empty_inputs():
    assert optimal_discriminator(torch.tensor(1.0), torch.tensor(3.0)).item() == 0.25
    assert optimal_discriminator(torch.empty(0), torch.empty(0)).shape == (0,)


def test_huge_densities_do_not_overflow():
    # p + q would overflow to inf in float64; D* is still 1/2 and 1/3.
    big = torch.tensor([1e308, 1e308], dtype=torch.float64)
    d = optimal_discriminator(big, big * torch.tensor([1.0, 0.5], dtype=torch.float64))
    np.testing.assert_allclose(d.numpy(), [0.5, 2.0 / 3.0], rtol=1e-15)


def test_equal_densities_give_exactly_one_half():
    p = torch.rand(100, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    assert torch.equal(optimal_discriminator(p, p), torch.full_like(p, 0.5))


def test_dtype_promotion():
    f32, f64 = torch.ones(2, dtype=torch.float32), torch.ones(2, dtype=torch.float64)
    assert optimal_discriminator(f32, f32).dtype == torch.float32
    assert optimal_discriminator(f32, f64).dtype == torch.float64
    ints = optimal_discriminator(torch.tensor([1, 0]), torch.tensor([3, 0]))
    assert ints.dtype == torch.get_default_dtype()
    assert ints.tolist() == [0.25, 0.5]


def test_gradient_flows_to_the_densities():
    p = torch.tensor([1.0, 0.0], requires_grad=True)
    q = torch.tensor([3.0, 0.0], requires_grad=True)
    optimal_discriminator(p, q).sum().backward()
    # d/dp p/(p+q) = q/(p+q)^2 = 3/16 at the first point; the both-zero point has no gradient.
    assert p.grad is not None
    assert p.grad.tolist() == pytest.approx([3.0 / 16.0, 0.0], abs=1e-7)


@pytest.mark.parametrize(
    ("p", "q", "error", "match"),
    [
        (torch.tensor([0.5, -0.1]), torch.tensor([0.5, 0.5]), ValueError,
         r"p_data must hold non-negative densities, got a minimum of -0\.1"),
        (torch.tensor([0.5, 0.5]), torch.tensor([-2.0, 0.5]), ValueError,
         r"p_g must hold non-negative densities, got a minimum of -2"),
        (torch.tensor([0.5, float("nan")]), torch.tensor([0.5, 0.5]), ValueError,
         "p_data must hold finite densities"),
        (torch.tensor([0.5, 0.5]), torch.tensor([float("inf"), 0.5]), ValueError,
         "p_g must hold finite densities"),
        ([0.5, 0.5], torch.tensor([0.5, 0.5]), TypeError,
         "p_data must be a torch.Tensor of densities, got list"),
        (torch.tensor([0.5]), 0.5, TypeError, "p_g must be a torch.Tensor of densities, got float"),
        (torch.ones(2, dtype=torch.cfloat), torch.ones(2), TypeError,
         "p_data must be a real-valued tensor"),
        (torch.ones(3), torch.ones(2), ValueError,
         r"p_data and p_g must be broadcastable, got shapes \(3,\) and \(2,\)"),
    ],
)
def test_bad_input_is_rejected(p, q, error, match):
    with pytest.raises(error, match=match):
        optimal_discriminator(p, q)
