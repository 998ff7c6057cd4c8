"""Balanced consistency regularization against hand-computed cases."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor

from gankit.augment import Augment, DiffAugment
from gankit.config.losses import build_loss
from gankit.functional import consistency_penalty
from gankit.losses import NSGAN, BalancedConsistency, GANBatch, get_loss_class

DT = torch.float64


class ShiftRight(Augment):
    """A deterministic T: every image moves one column right (zeros come in)."""

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([torch.zeros_like(x[..., :1]), x[..., :-1]], dim=-1)


class Recorder:
    """A linear D(x) = <w, x> (one weight per column) that records its inputs and labels."""

    def __init__(self, w: Tensor) -> None:
        self.w, self.calls = w, []

    def __call__(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        self.calls.append((x.detach().clone(), labels))
        return (x * self.w).flatten(1).sum(1)


def rows(*values: list[float]) -> Tensor:
    """Single-row images, shape (N, 1, 1, W)."""
    return torch.tensor(values, dtype=DT).unsqueeze(1).unsqueeze(1)


def test_the_term_by_hand_with_a_linear_d_and_a_deterministic_augment() -> None:
    # D(x) = x1 + 2 x2 + 3 x3; T shifts right: T([a, b, c]) = [0, a, b].
    d = Recorder(torch.tensor([1.0, 2.0, 3.0], dtype=DT))
    real = rows([1.0, 2.0, 3.0], [0.0, 1.0, 0.0])  # D = 14, 2; D(T) = 8, 3; diffs 6, -1
    fake = rows([1.0, 0.0, 0.0], [2.0, 2.0, 2.0])  # D = 1, 12; D(T) = 2, 10; diffs -1, 2
    batch = GANBatch(d, real, fake)
    loss = BalancedConsistency(lambda_real=2.0, lambda_fake=3.0, augment=ShiftRight())
    term = loss.discriminator_terms(batch)["bcr"]
    # 2 * (36 + 1) / 2 + 3 * (1 + 4) / 2 = 37 + 7.5
    assert term.item() == 44.5
    assert loss.generator_terms(batch) == {}


def test_gradient_flows_through_both_logits_into_d() -> None:
    w = torch.tensor([1.0, 2.0, 3.0], dtype=DT, requires_grad=True)
    real = rows([1.0, 2.0, 3.0])
    fake = rows([2.0, 2.0, 2.0])
    batch = GANBatch(lambda x: (x * w).flatten(1).sum(1), real, fake)
    BalancedConsistency(1.0, 1.0, augment=ShiftRight()).discriminator_terms(batch)["bcr"].backward()
    # d/dw <w, x - T(x)>^2 = 2 <w, x - T(x)> (x - T(x)), summed over the real and the fake.
    dr, df = torch.tensor([1.0, 1.0, 1.0], dtype=DT), torch.tensor([2.0, 0.0, 0.0], dtype=DT)
    expected = 2 * (w.detach() @ dr) * dr + 2 * (w.detach() @ df) * df
    torch.testing.assert_close(w.grad, expected)


def test_the_cached_logits_are_reused_and_labels_are_respected() -> None:
    W = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 5.0]], dtype=DT)  # per-class weights
    calls = []

    def d(x: Tensor, y: Tensor) -> Tensor:
        calls.append(y.tolist())
        return (x[:, 0, 0] * W[y]).sum(1)

    real, fake = rows([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]), rows([0.0, 1.0, 1.0], [1.0, 0.0, 0.0])
    labels, fake_labels = torch.tensor([1, 0]), torch.tensor([0, 1])
    batch = GANBatch(d, real, fake, labels, fake_labels)
    loss = NSGAN() + BalancedConsistency(1.0, 1.0, augment=ShiftRight())
    terms = loss.discriminator_terms(batch)
    # D runs on real, fake (for both terms, once), then T(real), T(fake): four calls.
    assert calls == [[1, 0], [0, 1], [1, 0], [0, 1]]
    # real: D = 17, 1; T(real) = [0,1,2], [0,1,1]: D = 11, 0. fake: D = 0, 0; T: D = 0, 1.
    assert terms["bcr"].item() == (36 + 1) / 2 + (0 + 1) / 2


def test_lambda_fake_0_is_cr_and_does_not_augment_the_fakes() -> None:
    d = Recorder(torch.tensor([1.0, 2.0, 3.0], dtype=DT))
    batch = GANBatch(d, rows([1.0, 2.0, 3.0]), rows([2.0, 2.0, 2.0]))
    term = BalancedConsistency(lambda_fake=0.0, augment=ShiftRight()).discriminator_terms(batch)
    assert term["bcr"].item() == 10.0 * 36.0 and len(d.calls) == 2  # D(real), D(T(real))
    both_zero = BalancedConsistency(0.0, 0.0).discriminator_terms(batch)["bcr"]
    assert both_zero.item() == 0.0


def test_the_default_augment_is_diffaugment_translation_on_the_global_rng() -> None:
    loss = BalancedConsistency()
    assert isinstance(loss.augment, DiffAugment) and loss.augment.policy == "translation"
    w = torch.randn(1, 8, 8, dtype=DT)
    real, fake = torch.randn(4, 1, 8, 8, dtype=DT), torch.randn(4, 1, 8, 8, dtype=DT)

    def d(x: Tensor) -> Tensor:
        return (x * w).flatten(1).sum(1)

    torch.manual_seed(0)
    got = loss.discriminator_terms(GANBatch(d, real, fake))["bcr"]
    torch.manual_seed(0)  # the same draws, through the functions
    augment = DiffAugment("translation")
    expected = 10.0 * consistency_penalty(d(real), d(augment(real))) \
        + 10.0 * consistency_penalty(d(fake), d(augment(fake)))
    torch.testing.assert_close(got, expected)


def test_a_packed_discriminator_is_supported() -> None:
    class Packed:
        pack = 2

        def __call__(self, x: Tensor) -> Tensor:
            return x.reshape(x.shape[0] // 2, -1).sum(1)

    batch = GANBatch(Packed(), rows([1.0, 2.0], [3.0, 4.0]), rows([0.0, 1.0], [1.0, 0.0]))
    term = BalancedConsistency(1.0, 1.0, augment=ShiftRight()).discriminator_terms(batch)
    # real: D = 10, T: [0, 1], [0, 3] -> 4, diff 6; fake: D = 2, T: [0, 0], [0, 1] -> 1.
    assert term["bcr"].item() == 36.0 + 1.0


def test_config_repr_and_registry() -> None:
    assert get_loss_class("BalancedConsistency") is BalancedConsistency
    loss, resolved = build_loss({"name": "BalancedConsistency", "lambda_real": 5,
                                 "policy": "translation,cutout"})
    assert repr(loss) == "BalancedConsistency(lambda_real=5.0, policy='translation,cutout')"
    assert resolved == {"name": "BalancedConsistency", "lambda_real": 5.0,
                        "policy": "translation,cutout"}
    assert loss.get_config() == {"lambda_real": 5.0, "lambda_fake": 10.0,
                                 "policy": "translation,cutout"}
    terms, _ = build_loss({"terms": [{"name": "NSGAN"},
                                     {"name": "BalancedConsistency", "weight": 0.5}]})
    assert repr(terms) == "NSGAN() + 0.5 * BalancedConsistency()"
    custom = BalancedConsistency(augment=ShiftRight())
    assert custom.policy is None and repr(custom) == "BalancedConsistency(augment=ShiftRight())"
    assert repr(BalancedConsistency(augment=DiffAugment("cutout"))) == \
        "BalancedConsistency(policy='cutout')"


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: BalancedConsistency(lambda_real=-1.0), ValueError,
         r"lambda_real must be a finite number >= 0, got -1\.0"),
        (lambda: BalancedConsistency(lambda_fake=float("nan")), ValueError,
         "lambda_fake must be a finite number"),
        (lambda: BalancedConsistency(lambda_fake="10"), TypeError, "lambda_fake must be a finite"),
        (lambda: BalancedConsistency(policy="flip"), ValueError,
         r"unknown DiffAugment policy name\(s\) \['flip'\].*valid names: brightness, color"),
        (lambda: BalancedConsistency(augment=torch.nn.Identity()), TypeError,
         r"augment must be a gankit\.augment\.Augment, got Identity"),
        (lambda: BalancedConsistency(policy="cutout", augment=ShiftRight()), TypeError,
         "give policy .* or augment, not both"),
    ],
)
def test_bad_arguments_are_rejected(make, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_non_image_batches_are_rejected_by_the_default_augment() -> None:
    batch = GANBatch(lambda x: x.sum(1), torch.randn(4, 2), torch.randn(4, 2))
    with pytest.raises(ValueError, match=r"x must be a batch of images of shape \(N, C, H, W\)"):
        BalancedConsistency().discriminator_terms(batch)


def test_consistency_penalty_checks_its_inputs() -> None:
    with pytest.raises(ValueError, match=r"logits and augmented_logits must have the same shape"):
        consistency_penalty(torch.zeros(3), torch.zeros(2))
    with pytest.raises(ValueError, match=r"augmented_logits must have shape \(N,\)"):
        consistency_penalty(torch.zeros(3), torch.zeros(3, 1))
