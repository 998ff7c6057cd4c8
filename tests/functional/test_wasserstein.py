"""Properties of the Wasserstein losses beyond the reference values."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gankit.functional import wgan_discriminator_loss, wgan_generator_loss

scores = arrays(np.float32, st.integers(1, 32),
                elements=st.floats(-1e4, 1e4, width=32, allow_nan=False))


@settings(deadline=None, max_examples=50)
@given(real=scores, fake=scores)
def test_swapping_real_and_fake_negates_the_critic_loss(real: np.ndarray, fake: np.ndarray) -> None:
    r, f = torch.from_numpy(real), torch.from_numpy(fake)
    assert torch.equal(wgan_discriminator_loss(f, r), -wgan_discriminator_loss(r, f))


@settings(deadline=None, max_examples=50)
@given(fake=scores)
def test_generator_loss_is_the_critic_loss_against_zero_scores(fake: np.ndarray) -> None:
    # wgan_d(real=f, fake=0) = 0 - E f = wgan_g(f); the generator ascends the critic on fakes.
    f = torch.from_numpy(fake)
    assert torch.equal(wgan_generator_loss(f), wgan_discriminator_loss(f, torch.zeros(1)))


def test_critic_loss_is_shift_invariant() -> None:
    # Adding a constant to the critic changes nothing: only differences of means matter.
    r, f = torch.randn(5, dtype=torch.float64), torch.randn(7, dtype=torch.float64)
    torch.testing.assert_close(wgan_discriminator_loss(r + 3.0, f + 3.0),
                               wgan_discriminator_loss(r, f))
