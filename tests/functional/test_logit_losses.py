"""Every loss on logits against an independent float64 numpy reference.

The table below is the registry of loss functions on logits: a new loss added
to it gets the reference, gradcheck, stability and input-error tests for free.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gankit.functional as F


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """The naive textbook formula; accurate in float64 for moderate logits."""
    return np.log(1.0 / (1.0 + np.exp(-x)))


def log_one_minus_sigmoid(x: np.ndarray) -> np.ndarray:
    return np.log(1.0 - 1.0 / (1.0 + np.exp(-x)))


def ref_bce_d(r: np.ndarray, f: np.ndarray) -> float:
    return -(log_sigmoid(r).mean() + log_one_minus_sigmoid(f).mean())


# name -> (function, number of logit arguments, float64 numpy reference)
CASES: dict[str, tuple[Callable[..., torch.Tensor], int, Callable[..., float]]] = {
    "mmgan_d": (F.mmgan_discriminator_loss, 2, ref_bce_d),
    "nsgan_d": (F.nsgan_discriminator_loss, 2, ref_bce_d),
    "mmgan_g": (F.mmgan_generator_loss, 1, lambda f: log_one_minus_sigmoid(f).mean()),
    "nsgan_g": (F.nsgan_generator_loss, 1, lambda f: -log_sigmoid(f).mean()),
    "wgan_d": (F.wgan_discriminator_loss, 2, lambda r, f: f.mean() - r.mean()),
    "wgan_g": (F.wgan_generator_loss, 1, lambda f: -f.mean()),
    "hinge_d": (
        F.hinge_discriminator_loss, 2,
        lambda r, f: np.maximum(0.0, 1.0 - r).mean() + np.maximum(0.0, 1.0 + f).mean(),
    ),
    "hinge_g": (F.hinge_generator_loss, 1, lambda f: -f.mean()),
    "lsgan_d": (
        F.lsgan_discriminator_loss, 2,
        lambda r, f: 0.5 * ((r - 1.0) ** 2).mean() + 0.5 * (f**2).mean(),
    ),
    "lsgan_g": (F.lsgan_generator_loss, 1, lambda f: 0.5 * ((f - 1.0) ** 2).mean()),
}
NAMES = sorted(CASES)


def logit_args(arity: int, seed: int, dtype: torch.dtype = torch.float64) -> list[torch.Tensor]:
    """Real logits (N = 7) and fake logits (M = 5) on a moderate range."""
    gen = torch.Generator().manual_seed(seed)
    sizes = [7, 5] if arity == 2 else [5]
    return [(6.0 * torch.randn(n, generator=gen, dtype=torch.float64)).to(dtype) for n in sizes]


def test_the_registry_covers_every_loss_on_logits() -> None:
    on_logits = {n for n in F.__all__ if n.endswith(("_discriminator_loss", "_generator_loss"))}
    assert {fn.__name__ for fn, _, _ in CASES.values()} == on_logits


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_the_float64_numpy_reference(name: str, seed: int) -> None:
    fn, arity, ref = CASES[name]
    args = logit_args(arity, seed)
    out = fn(*args)
    assert out.shape == () and out.dtype == torch.float64
    expected = ref(*(a.numpy() for a in args))
    np.testing.assert_allclose(out.item(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_float32_matches_the_reference(name: str) -> None:
    fn, arity, ref = CASES[name]
    args = logit_args(arity, seed=3, dtype=torch.float32)
    expected = ref(*(a.double().numpy() for a in args))
    np.testing.assert_allclose(fn(*args).item(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck(name: str) -> None:
    fn, arity, _ = CASES[name]
    args = [a.requires_grad_(True) for a in logit_args(arity, seed=4)]
    assert torch.autograd.gradcheck(fn, args)


# Stability: float32 logits anywhere in [-1e4, 1e4] ------------------------
def logit_batches(max_size: int = 16) -> st.SearchStrategy[np.ndarray]:
    return arrays(
        np.float32,
        st.integers(1, max_size),
        elements=st.floats(-1e4, 1e4, width=32, allow_nan=False, allow_infinity=False),
    )


@pytest.mark.parametrize("name", NAMES)
@settings(deadline=None, max_examples=40)
@given(real=logit_batches(), fake=logit_batches())
def test_values_and_gradients_are_finite_for_any_float32_logit(
    name: str, real: np.ndarray, fake: np.ndarray
) -> None:
    fn, arity, _ = CASES[name]
    args = [torch.from_numpy(a).requires_grad_(True) for a in (real, fake)[-arity:]]
    out = fn(*args)
    out.backward()
    assert torch.isfinite(out)
    for a in args:
        assert a.grad is not None and torch.isfinite(a.grad).all()


@pytest.mark.parametrize("name", ["hinge_d", "hinge_g", "lsgan_d", "lsgan_g", "wgan_d", "wgan_g"])
@settings(deadline=None, max_examples=40)
@given(real=logit_batches(32), fake=logit_batches(32))
def test_score_losses_match_the_reference_on_any_float32_scores(
    name: str, real: np.ndarray, fake: np.ndarray
) -> None:
    fn, arity, ref = CASES[name]
    args = (real, fake)[-arity:]
    expected = ref(*(a.astype(np.float64) for a in args))
    got = fn(*(torch.from_numpy(a) for a in args)).item()
    # float32 rounding error of a mean is relative to the mean of the terms' magnitudes:
    # |x| + 1 for the linear losses, (|x| + 1)^2 for the squares of LSGAN.
    power = 2 if name.startswith("lsgan") else 1
    scale = sum(float(np.mean((np.abs(a.astype(np.float64)) + 1.0) ** power)) for a in args)
    assert abs(got - expected) <= 1e-5 * scale


# Bad input --------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_rejects_logits_that_are_not_one_per_sample(name: str) -> None:
    fn, arity, _ = CASES[name]
    args = [torch.zeros(4) for _ in range(arity)]
    args[-1] = torch.zeros(4, 1)
    with pytest.raises(ValueError, match=r"must have shape \(N,\) .*got \(4, 1\)"):
        fn(*args)


@pytest.mark.parametrize("name", NAMES)
def test_rejects_integer_and_empty_logits(name: str) -> None:
    fn, arity, _ = CASES[name]
    args = [torch.zeros(4) for _ in range(arity)]
    args[0] = torch.zeros(4, dtype=torch.long)
    with pytest.raises(TypeError, match=r"must be a floating-point tensor, got dtype torch\.int64"):
        fn(*args)
    args[0] = torch.zeros(0)
    with pytest.raises(ValueError, match="must hold at least one sample"):
        fn(*args)


def test_error_names_the_argument() -> None:
    with pytest.raises(ValueError, match="fake_logits must have shape"):
        F.nsgan_discriminator_loss(torch.zeros(3), torch.zeros(3, 1))
    with pytest.raises(ValueError, match="real_scores must have shape"):
        F.wgan_discriminator_loss(torch.zeros(3, 2), torch.zeros(3))
