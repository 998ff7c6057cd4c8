"""Composed losses: term names and values, one forward per batch, custom terms."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn

import gankit.functional as F
from gankit.losses import (
    LSGAN,
    NSGAN,
    WGAN,
    WGANGP,
    CompositeLoss,
    GANBatch,
    GradientPenalty,
    Hinge,
    LossTerm,
    R1Penalty,
)


class CountingD(nn.Module):
    """A small tanh critic that records every input it is called on."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).double()
        self.inputs: list[Tensor] = []

    def forward(self, x: Tensor) -> Tensor:
        self.inputs.append(x)
        return self.net(x).squeeze(1)


def data(seed: int = 1) -> tuple[Tensor, Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(6, 2, generator=gen, dtype=torch.float64),
            torch.randn(6, 2, generator=gen, dtype=torch.float64))


def test_nsgan_plus_weighted_r1_names_values_and_forward_count() -> None:
    D, (real, fake) = CountingD(), data()
    loss = NSGAN() + 10.0 * R1Penalty()
    terms = loss.discriminator_terms(GANBatch(D, real, fake))
    assert list(terms) == ["nsgan", "r1"]
    # D(real), D(fake) once each for NSGAN, and R1's own forward on a copy of real.
    assert len(D.inputs) == 3
    assert D.inputs[0] is real and D.inputs[1] is fake
    assert torch.equal(D.inputs[2], real) and D.inputs[2] is not real
    assert D.inputs[2].requires_grad

    d = lambda x: D.net(x).squeeze(1)  # noqa: E731  (uncounted, for the references)
    torch.testing.assert_close(terms["nsgan"], F.nsgan_discriminator_loss(d(real), d(fake)),
                               rtol=0, atol=0)
    torch.testing.assert_close(terms["r1"], 10.0 * 5.0 * F.r1_penalty(d, real))


def test_wgan_plus_gradient_penalty_names_values_and_forward_count() -> None:
    D, (real, fake) = CountingD(), data()
    loss = WGAN() + GradientPenalty(10.0)
    torch.manual_seed(7)
    terms = loss.discriminator_terms(GANBatch(D, real, fake))
    assert list(terms) == ["wgan", "gp"]
    assert len(D.inputs) == 3  # real, fake, and the interpolates

    d = lambda x: D.net(x).squeeze(1)  # noqa: E731
    torch.manual_seed(7)
    expected_gp = 10.0 * F.gradient_penalty(d, real, fake)
    assert torch.equal(terms["wgan"], F.wgan_discriminator_loss(d(real), d(fake)))
    torch.testing.assert_close(terms["gp"], expected_gp)


def test_adversarial_terms_share_one_forward_per_batch() -> None:
    D, (real, fake) = CountingD(), data()
    loss = NSGAN() + Hinge() + LSGAN() + 0.5 * WGAN()
    batch = GANBatch(D, real, fake)
    terms = loss.discriminator_terms(batch)
    assert list(terms) == ["nsgan", "hinge", "lsgan", "wgan"]
    assert len(D.inputs) == 2
    g_terms = loss.generator_terms(GANBatch(D, real, fake))
    assert list(g_terms) == ["nsgan", "hinge", "lsgan", "wgan"]
    assert len(D.inputs) == 3  # the generator half looks at the fake batch only
    assert torch.equal(terms["wgan"], 0.5 * F.wgan_discriminator_loss(
        batch.real_logits, batch.fake_logits))


def test_generator_half_of_a_penalised_loss_costs_one_forward() -> None:
    D, (real, fake) = CountingD(), data()
    for loss in (NSGAN() + 10.0 * R1Penalty(), WGANGP()):
        D.inputs.clear()
        assert list(loss.generator_terms(GANBatch(D, real, fake))) == [loss_name(loss)]
        assert len(D.inputs) == 1 and D.inputs[0] is fake


def loss_name(loss: CompositeLoss) -> str:
    return next(term.name for _, term in loss.terms())


def test_repeated_term_names_get_suffixes() -> None:
    D, (real, fake) = CountingD(), data()
    loss = NSGAN() + NSGAN(label_smoothing=0.2) + 2.0 * NSGAN()
    terms = loss.discriminator_terms(GANBatch(D, real, fake))
    assert list(terms) == ["nsgan", "nsgan_2", "nsgan_3"]
    torch.testing.assert_close(terms["nsgan_3"], 2.0 * terms["nsgan"])
    assert terms["nsgan_2"] != terms["nsgan"]


def test_wgangp_equals_wgan_plus_gradient_penalty() -> None:
    D, (real, fake) = CountingD(), data()
    loss = WGANGP()
    assert isinstance(loss, CompositeLoss)
    assert [(w, t.name) for w, t in loss.terms()] == [(1.0, "wgan"), (1.0, "gp")]
    torch.manual_seed(3)
    a = loss.discriminator_terms(GANBatch(D, real, fake))
    torch.manual_seed(3)
    b = (WGAN() + GradientPenalty(10.0)).discriminator_terms(GANBatch(D, real, fake))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    torch.manual_seed(3)
    c = WGANGP(weight=1.0).discriminator_terms(GANBatch(D, real, fake))
    torch.testing.assert_close(10.0 * c["gp"], a["gp"])


def test_total_loss_is_the_sum_of_the_terms() -> None:
    D, (real, fake) = CountingD(), data()
    loss = NSGAN() + 10.0 * R1Penalty()
    terms = loss.discriminator_terms(GANBatch(D, real, fake))
    total = loss.discriminator_loss(D, real, fake)
    torch.testing.assert_close(total, terms["nsgan"] + terms["r1"])


def test_a_user_defined_term_composes_in_a_few_lines() -> None:
    class LogitPenalty(LossTerm):
        """Keeps real logits near zero (a drift penalty, as in ProGAN)."""

        name = "drift"

        def discriminator(self, batch: GANBatch) -> Tensor:
            return batch.real_logits.square().mean()

    D, (real, fake) = CountingD(), data()
    loss = WGAN() + 1e-3 * LogitPenalty()
    batch = GANBatch(D, real, fake)
    terms = loss.discriminator_terms(batch)
    assert list(terms) == ["wgan", "drift"]
    assert len(D.inputs) == 2  # shares D(real) with WGAN
    torch.testing.assert_close(terms["drift"], 1e-3 * batch.real_logits.square().mean())
    assert list(loss.generator_terms(batch)) == ["wgan"]


def test_composed_terms_do_not_call_backward() -> None:
    D, (real, fake) = CountingD(), data()
    for loss in (NSGAN() + 10.0 * R1Penalty(), WGANGP(), WGAN() + GradientPenalty()):
        loss.discriminator_terms(GANBatch(D, real, fake))
        loss.generator_terms(GANBatch(D, real, fake))
    assert all(p.grad is None for p in D.parameters())


def test_penalty_terms_backpropagate_into_the_discriminator() -> None:
    D, (real, fake) = CountingD(), data()
    for penalty in (R1Penalty(), GradientPenalty()):
        D.zero_grad(set_to_none=True)
        penalty.discriminator_loss(D, real, fake).backward()
        # Every parameter that shapes the input gradient gets one (the output bias does not).
        for p in (D.net[0].weight, D.net[0].bias, D.net[2].weight):
            assert p.grad is not None and p.grad.abs().sum() > 0


@pytest.mark.parametrize("loss", [GradientPenalty(), WGANGP()])
def test_gradient_penalty_needs_paired_batches(loss) -> None:
    D, (real, fake) = CountingD(), data()
    with pytest.raises(ValueError, match=r"real and fake must have the same shape"):
        loss.discriminator_terms(GANBatch(D, real, fake[:4]))
