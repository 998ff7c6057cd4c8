"""ACGAN's auxiliary-classifier term (Odena et al. 2017)."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor

from gankit.functional import auxiliary_classifier_loss
from gankit.losses.base import GANBatch, LossTerm

__all__ = ["AuxiliaryClassifier"]


class AuxiliaryClassifier(LossTerm):
    r"""The auxiliary-classifier term of ACGAN (Odena et al. 2017), named ``"ac"``.

    The discriminator has a class head beside its real/fake logit. With the
    log-likelihood of the correct class

    .. math::

        L_C = \mathbb{E}[\log P(C = c \mid X_{real})]
            + \mathbb{E}[\log P(C = c \mid X_{fake})],

    Odena et al.'s discriminator maximises :math:`L_S + L_C` and their
    generator :math:`L_C - L_S`, where :math:`L_S` is the adversarial
    log-likelihood. As minimised terms beside an adversarial loss
    (``NSGAN() + AuxiliaryClassifier()``):

    .. math::

        L_D^{ac} = \mathrm{CE}(\ell(x), c) + \mathrm{CE}(\ell(G(z, c')), c'),
        \qquad L_G^{ac} = \mathrm{CE}(\ell(G(z, c')), c'),

    with :math:`\ell` the class head's logits and CE the cross-entropy
    (:func:`~gankit.functional.auxiliary_classifier_loss`). The class logits
    come from the same forward pass as the adversarial logits
    (:attr:`GANBatch.real_class_logits`), so the term costs no extra pass.

    The generator is conditional (``num_classes=K``) so that the trainer feeds
    labels; the discriminator needs a class head (``aux_classes=K``), and
    ignores the labels for its real/fake logit unless it is a projection
    discriminator too. A weight scales both halves: ``NSGAN() + 0.5 * AuxiliaryClassifier()``.

    Raises:
        ValueError: If the batch has no labels or the discriminator no class head.

    Shape:
        - batch.real_class_logits: ``(N, K)``; batch.labels: ``(N,)``.
        - The term: ``()``.

    Example:
        >>> import torch
        >>> from gankit.losses import NSGAN
        >>> class D(torch.nn.Module):
        ...     aux_classes = 2
        ...     def logits_and_classes(self, x, labels=None):
        ...         return x[:, 0], x  # logit: first feature; class logits: both
        >>> real, fake = torch.tensor([[0.0, 0.0]]), torch.tensor([[2.0, 0.0]])
        >>> y = torch.tensor([1])
        >>> batch = GANBatch(D(), real, fake, labels=y, fake_labels=y)
        >>> terms = (NSGAN() + AuxiliaryClassifier()).generator_terms(batch)
        >>> round(float(terms["ac"]), 4)  # -log softmax([2, 0])[1]
        2.1269
    """

    name = "ac"
    config_keys: ClassVar[tuple[str, ...]] = ()

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``CE(class logits(real), labels) + CE(class logits(fake), fake labels)``."""
        real_labels, fake_labels = _labels(batch)
        return auxiliary_classifier_loss(batch.real_class_logits, real_labels) + \
            auxiliary_classifier_loss(batch.fake_class_logits, fake_labels)

    def generator(self, batch: GANBatch) -> Tensor:
        """``CE(class logits(fake), fake labels)``."""
        return auxiliary_classifier_loss(batch.fake_class_logits, _labels(batch, real=False)[1])


def _labels(batch: GANBatch, *, real: bool = True) -> tuple[Tensor, Tensor]:
    if (real and batch.labels is None) or batch.fake_labels is None:
        raise ValueError(
            "AuxiliaryClassifier needs class labels: train a conditional generator "
            "(num_classes=K) on labelled data (x, labels)"
        )
    return batch.labels, batch.fake_labels  # type: ignore[return-value]
