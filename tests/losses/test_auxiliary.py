"""ACGAN's auxiliary-classifier term against a float64 cross-entropy reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from gankit.functional import auxiliary_classifier_loss
from gankit.losses import NSGAN, AuxiliaryClassifier, GANBatch, get_loss_class


def _cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """float64 numpy: mean of log-sum-exp minus the true class's logit."""
    top = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return float(np.mean(lse - logits[np.arange(len(labels)), labels]))


def test_the_loss_matches_a_float64_reference() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=4.0, size=(64, 10))
    labels = rng.integers(0, 10, size=64)
    got = auxiliary_classifier_loss(torch.from_numpy(logits), torch.from_numpy(labels))
    assert got.dtype == torch.float64
    assert got.item() == pytest.approx(_cross_entropy(logits, labels), rel=1e-12)


def test_the_loss_is_finite_for_huge_logits() -> None:
    logits = torch.tensor([[1e4, -1e4], [-1e4, 1e4]])
    assert auxiliary_classifier_loss(logits, torch.tensor([1, 1])).item() == pytest.approx(1e4)


@pytest.mark.parametrize(("logits", "labels", "match"), [
    (torch.zeros(3, 2), torch.zeros(2, dtype=torch.int64), r"\(N, K\) and labels \(N,\), got"),
    (torch.zeros(3), torch.zeros(3, dtype=torch.int64), r"got \(3,\) and \(3,\)"),
    (torch.zeros(2, 3), torch.tensor([0, 3]), r"labels must be in \[0, 3\) .* \[0, 3\]"),
])
def test_bad_shapes_and_labels_are_named(logits: Tensor, labels: Tensor, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        auxiliary_classifier_loss(logits, labels)


class HeadD(nn.Module):
    """Adversarial logit and class logits from one linear layer; counts forward passes."""

    aux_classes = 3

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 4, dtype=torch.float64)
        self.passes = 0

    def logits_and_classes(self, x: Tensor, labels: Tensor | None = None) -> tuple[Tensor, Tensor]:
        self.passes += 1
        out = self.linear(x)
        return out[:, 0], out[:, 1:]

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.logits_and_classes(x, labels)[0]


def test_the_term_is_real_plus_fake_cross_entropy_for_d_and_fake_for_g() -> None:
    torch.manual_seed(0)
    d = HeadD()
    real, fake = torch.randn(6, 2, dtype=torch.float64), torch.randn(6, 2, dtype=torch.float64)
    y_real, y_fake = torch.tensor([0, 1, 2, 0, 1, 2]), torch.tensor([2, 2, 1, 1, 0, 0])
    with torch.no_grad():
        classes_real = d.linear(real)[:, 1:].numpy()
        classes_fake = d.linear(fake)[:, 1:].numpy()
    expected_d = _cross_entropy(classes_real, y_real.numpy()) + \
        _cross_entropy(classes_fake, y_fake.numpy())
    batch = GANBatch(d, real, fake, y_real, y_fake)
    terms = (NSGAN() + 0.5 * AuxiliaryClassifier()).discriminator_terms(batch)
    assert terms["ac"].item() == pytest.approx(0.5 * expected_d, rel=1e-12)
    assert d.passes == 2  # NSGAN's logits and the class logits share each forward pass
    g_batch = GANBatch(d, real, fake, y_real, y_fake)
    g_terms = AuxiliaryClassifier().generator_terms(g_batch)
    assert g_terms["ac"].item() == pytest.approx(
        _cross_entropy(classes_fake, y_fake.numpy()), rel=1e-12)


def test_the_term_names_what_is_missing() -> None:
    d = HeadD()
    x = torch.randn(2, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="needs class labels: train a conditional generator"):
        AuxiliaryClassifier().discriminator_terms(GANBatch(d, x, x))
    class Plain(nn.Module):
        def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
            return x.sum(1)

    plain = Plain()
    y = torch.tensor([0, 1])
    with pytest.raises(ValueError, match=r"need a discriminator with a class head .* Plain"):
        AuxiliaryClassifier().discriminator_terms(GANBatch(plain, x.float(), x.float(), y, y))


def test_the_term_is_registered() -> None:
    assert get_loss_class("AuxiliaryClassifier") is AuxiliaryClassifier
    assert repr(NSGAN() + AuxiliaryClassifier()) == "NSGAN() + AuxiliaryClassifier()"
