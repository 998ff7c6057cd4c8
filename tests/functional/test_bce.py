"""The minimax and non-saturating GAN losses: closed forms, label smoothing, saturation."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gankit.functional import (
    mmgan_discriminator_loss,
    mmgan_generator_loss,
    nsgan_discriminator_loss,
    nsgan_generator_loss,
)

D_LOSSES = [mmgan_discriminator_loss, nsgan_discriminator_loss]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("loss", D_LOSSES)
@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 64), m=st.integers(1, 64), s=st.floats(0.0, 0.99))
def test_discriminator_loss_is_log_4_when_d_is_one_half(loss, n: int, m: int, s: float) -> None:
    # D = σ(0) = 1/2 on both batches: -(log 1/2 + log 1/2) = log 4, whatever the smoothing.
    out = loss(torch.zeros(n, dtype=torch.float64), torch.zeros(m, dtype=torch.float64),
               label_smoothing=s)
    assert math.isclose(out.item(), math.log(4.0), rel_tol=1e-12)


@pytest.mark.parametrize("loss", D_LOSSES)
@pytest.mark.parametrize("s", [0.1, 0.2, 0.5])
def test_label_smoothing_matches_cross_entropy_with_target_one_minus_s(loss, s: float) -> None:
    gen = torch.Generator().manual_seed(0)
    r = 4.0 * torch.randn(9, generator=gen, dtype=torch.float64)
    f = 4.0 * torch.randn(6, generator=gen, dtype=torch.float64)
    rn, fn = r.numpy(), f.numpy()
    t = 1.0 - s
    expected = (-(t * np.log(sigmoid(rn)) + (1 - t) * np.log(1 - sigmoid(rn))).mean()
                - np.log(1 - sigmoid(fn)).mean())
    np.testing.assert_allclose(loss(r, f, label_smoothing=s).item(), expected, rtol=1e-10)
    # The smoothing touches only the real term.
    shift = loss(r, f, label_smoothing=s) - loss(r, f)
    np.testing.assert_allclose(shift.item(), s * (np.log(sigmoid(rn)) - np.log(1 - sigmoid(rn)))
                               .mean(), rtol=1e-10)


def test_label_smoothing_gradcheck() -> None:
    gen = torch.Generator().manual_seed(1)
    r = torch.randn(5, generator=gen, dtype=torch.float64, requires_grad=True)
    f = torch.randn(4, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, b: nsgan_discriminator_loss(a, b, label_smoothing=0.2), (r, f)
    )


def test_mmgan_and_nsgan_discriminator_losses_are_identical() -> None:
    r, f = torch.randn(8), torch.randn(8)
    for s in (0.0, 0.3):
        assert torch.equal(mmgan_discriminator_loss(r, f, label_smoothing=s),
                           nsgan_discriminator_loss(r, f, label_smoothing=s))


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, float("nan")])
def test_label_smoothing_outside_0_1_is_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0, 1\)"):
        nsgan_discriminator_loss(torch.zeros(2), torch.zeros(2), label_smoothing=bad)


@pytest.mark.parametrize("bad", [True, "0.1", None])
def test_label_smoothing_must_be_a_number(bad: object) -> None:
    with pytest.raises(TypeError, match="label_smoothing must be a number"):
        mmgan_discriminator_loss(torch.zeros(2), torch.zeros(2), label_smoothing=bad)  # type: ignore[arg-type]


def test_minimax_generator_loss_is_minus_the_value_functions_fake_term() -> None:
    # V(D, G) = E log σ(r) + E log(1 - σ(f)): the generator minimises the second term,
    # so mmgan_generator_loss = -(discriminator loss) - E log σ(r) for the same logits.
    r, f = torch.randn(6, dtype=torch.float64), torch.randn(6, dtype=torch.float64)
    value = -mmgan_discriminator_loss(r, f)
    real_term = torch.log(torch.sigmoid(r)).mean()
    torch.testing.assert_close(mmgan_generator_loss(f), value - real_term)


def fake_logit_gradient(loss, value: float, n: int = 4) -> torch.Tensor:
    """d loss / d f_i at f_i = value for every sample, times n (the per-sample slope)."""
    f = torch.full((n,), value, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(loss(f), f)
    assert torch.allclose(grad, grad[0].expand(n))
    return n * grad[0]


def test_minimax_generator_saturates_and_non_saturating_does_not() -> None:
    """Goodfellow et al., Section 3: log(1 - D(G(z))) saturates when D rejects the fakes."""
    values = [-5.0, -10.0, -20.0, -50.0]
    mm = [fake_logit_gradient(mmgan_generator_loss, v).item() for v in values]
    ns = [fake_logit_gradient(nsgan_generator_loss, v).item() for v in values]
    for v, g_mm, g_ns in zip(values, mm, ns, strict=True):
        assert math.isclose(g_mm, -1.0 / (1.0 + math.exp(-v)), rel_tol=1e-9)  # -σ(f)
        assert math.isclose(g_ns, -1.0 / (1.0 + math.exp(v)), rel_tol=1e-9)  # -σ(-f)
    # MMGAN: the slope shrinks towards 0 (by orders of magnitude) ...
    assert all(abs(a) > 100 * abs(b) for a, b in pairwise(mm))
    assert abs(mm[-1]) < 1e-20
    # ... while NSGAN's tends to -1.
    assert all(abs(b + 1.0) < abs(a + 1.0) for a, b in pairwise(ns))
    assert abs(ns[-1] + 1.0) < 1e-20


def test_confident_discriminator_gives_exact_losses_not_epsilon_clamped_ones() -> None:
    # log(1 - σ(x) + 1e-6) would pin these at -log(1e-6) = 13.8.
    f = torch.tensor([60.0])
    assert math.isclose(mmgan_discriminator_loss(torch.tensor([60.0]), f).item(), 60.0,
                        rel_tol=1e-6)
    assert math.isclose(nsgan_generator_loss(-f).item(), 60.0, rel_tol=1e-6)


# ----------------------------------------------------------------------------- label noise
def noisy_reference(r: np.ndarray, f: np.ndarray, u_r: np.ndarray, u_f: np.ndarray,
                    s: float) -> float:
    """Binary cross-entropy in float64 against the targets 1 - s - u (reals) and -u (fakes)."""
    t_r, t_f = 1.0 - s - u_r, -u_f
    real = -(t_r * np.log(sigmoid(r)) + (1 - t_r) * np.log(1 - sigmoid(r)))
    fake = -(t_f * np.log(sigmoid(f)) + (1 - t_f) * np.log(1 - sigmoid(f)))
    return float(real.mean() + fake.mean())


@pytest.mark.parametrize("loss", D_LOSSES)
@pytest.mark.parametrize(("a", "s"), [(0.05, 0.0), (0.3, 0.0), (0.05, 0.1), (0.5, 0.5)])
def test_label_noise_matches_a_numpy_reference_with_the_same_draws(loss, a: float,
                                                                   s: float) -> None:
    gen = torch.Generator().manual_seed(3)
    r = 3.0 * torch.randn(7, generator=gen, dtype=torch.float64)
    f = 3.0 * torch.randn(5, generator=gen, dtype=torch.float64)
    torch.manual_seed(11)  # the global RNG: the reals' 7 uniforms first, then the fakes' 5
    got = loss(r, f, label_smoothing=s, label_noise=a).item()
    torch.manual_seed(11)
    u_r = a * torch.rand(7, dtype=torch.float64).numpy()
    u_f = a * torch.rand(5, dtype=torch.float64).numpy()
    np.testing.assert_allclose(got, noisy_reference(r.numpy(), f.numpy(), u_r, u_f, s),
                               rtol=1e-10)
    # An explicit generator draws the same numbers as the global RNG in the same state.
    from_gen = loss(r, f, label_smoothing=s, label_noise=a,
                    generator=torch.Generator().manual_seed(11))
    assert from_gen.item() == got


@pytest.mark.parametrize("loss", D_LOSSES)
def test_zero_label_noise_is_the_noiseless_loss_exactly_and_draws_nothing(loss) -> None:
    r, f = torch.randn(6), torch.randn(4)
    for s in (0.0, 0.2):
        state = torch.get_rng_state()
        out = loss(r, f, label_smoothing=s, label_noise=0.0)
        assert torch.equal(torch.get_rng_state(), state)  # no draw: seeded runs are unchanged
        assert torch.equal(out, loss(r, f, label_smoothing=s))


def test_label_noise_draws_fresh_noise_each_call() -> None:
    r, f = torch.randn(8), torch.randn(8)
    a, b = (nsgan_discriminator_loss(r, f, label_noise=0.1) for _ in range(2))
    assert not torch.equal(a, b)


@pytest.mark.parametrize("s", [0.0, 0.1])
def test_label_noise_mean_over_many_draws_matches_the_closed_form(s: float) -> None:
    # E[u] = a/2 and the loss is linear in u, so E L = L(s) + a/2 (mean r + mean f).
    a, draws, n, m = 0.2, 4000, 10, 6
    gen = torch.Generator().manual_seed(5)
    r = 2.0 * torch.randn(n, generator=gen, dtype=torch.float64)
    f = 2.0 * torch.randn(m, generator=gen, dtype=torch.float64)
    noisy = torch.stack([nsgan_discriminator_loss(r, f, label_smoothing=s, label_noise=a,
                                                  generator=gen) for _ in range(draws)])
    clean = nsgan_discriminator_loss(r, f, label_smoothing=s)
    closed = clean + a / 2 * (r.mean() + f.mean())
    # The standard error of the mean of the draws: sd(u) = a / sqrt(12) per uniform.
    sd = a / math.sqrt(12) * math.sqrt((r**2).sum().item() / n**2 + (f**2).sum().item() / m**2)
    assert abs(noisy.mean().item() - closed.item()) < 5 * sd / math.sqrt(draws)
    # Every draw lies between the extremes u = 0 and u = a chosen per sign of the logit.
    slopes = torch.cat([r / n, f / m])
    up, down = a * slopes.clamp(min=0).sum(), a * slopes.clamp(max=0).sum()
    assert bool(((noisy - clean <= up + 1e-12) & (noisy - clean >= down - 1e-12)).all())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_label_noise_gradients_are_finite_and_exact_at_extreme_logits(dtype) -> None:
    r = torch.tensor([100.0, -100.0, 0.0], dtype=dtype, requires_grad=True)
    f = torch.tensor([-100.0, 100.0], dtype=dtype, requires_grad=True)
    torch.manual_seed(0)
    loss = nsgan_discriminator_loss(r, f, label_smoothing=0.1, label_noise=0.05)
    loss.backward()
    assert r.grad is not None and f.grad is not None
    assert torch.isfinite(loss) and torch.isfinite(r.grad).all() and torch.isfinite(f.grad).all()
    # The cross-entropy's slope is (σ(ℓ) - t) / batch size, t the noisy target.
    torch.manual_seed(0)
    u_r, u_f = 0.05 * torch.rand(3, dtype=dtype), 0.05 * torch.rand(2, dtype=dtype)
    torch.testing.assert_close(r.grad, (torch.sigmoid(r.detach()) - (0.9 - u_r)) / 3)
    torch.testing.assert_close(f.grad, (torch.sigmoid(f.detach()) + u_f) / 2)


def test_label_noise_gradcheck() -> None:
    gen = torch.Generator().manual_seed(2)
    r = torch.randn(5, generator=gen, dtype=torch.float64, requires_grad=True)
    f = torch.randn(4, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, b: mmgan_discriminator_loss(
            a, b, label_noise=0.1, generator=torch.Generator().manual_seed(0)), (r, f)
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"label_noise": 1.0}, ValueError, r"label_noise must lie in \[0, 1\), got 1\.0"),
        ({"label_noise": -0.05}, ValueError, r"label_noise must lie in \[0, 1\)"),
        ({"label_noise": float("nan")}, ValueError, r"label_noise must lie in \[0, 1\)"),
        ({"label_noise": "0.05"}, TypeError, "label_noise must be a number, got str"),
        ({"label_noise": True}, TypeError, "label_noise must be a number, got bool"),
        ({"label_noise": 0.5, "label_smoothing": 0.6}, ValueError,
         r"label_smoothing \+ label_noise must be at most 1 .*got 0\.6 \+ 0\.5 = 1\.1"),
        ({"label_noise": 0.1, "generator": 3}, TypeError,
         "generator must be a torch.Generator or None, got int"),
    ],
)
def test_bad_label_noise_arguments_are_rejected(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        nsgan_discriminator_loss(torch.zeros(2), torch.zeros(2), **kwargs)
