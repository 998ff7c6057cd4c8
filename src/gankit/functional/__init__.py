"""Pure GAN loss functions ``(tensors) -> Tensor``; :mod:`gankit.losses` wraps them.

Every loss takes the discriminator's logits (or a critic's scores) of shape
``(N,)`` and returns the batch mean as a 0-dim tensor. Log-probabilities are
computed with ``softplus`` on logits, so they stay finite for any finite logit.
The two gradient penalties take the discriminator itself, since they
differentiate it; the consistency penalty takes the logits on a batch and on
its augmentation.

Example:
    >>> import torch
    >>> from gankit.functional import nsgan_discriminator_loss, nsgan_generator_loss
    >>> real_logits, fake_logits = torch.tensor([2.0, 1.0]), torch.tensor([-1.0, 0.5])
    >>> d_loss = nsgan_discriminator_loss(real_logits, fake_logits)
    >>> g_loss = nsgan_generator_loss(fake_logits)
    >>> bool(d_loss > 0 and g_loss > 0)
    True
"""

from gankit.functional.bce import (
    mmgan_discriminator_loss,
    mmgan_generator_loss,
    nsgan_discriminator_loss,
    nsgan_generator_loss,
)
from gankit.functional.classification import auxiliary_classifier_loss
from gankit.functional.consistency import consistency_penalty
from gankit.functional.hinge import hinge_discriminator_loss, hinge_generator_loss
from gankit.functional.least_squares import lsgan_discriminator_loss, lsgan_generator_loss
from gankit.functional.penalties import gradient_penalty, interpolate, r1_penalty
from gankit.functional.wasserstein import wgan_discriminator_loss, wgan_generator_loss

__all__ = [
    "auxiliary_classifier_loss",
    "consistency_penalty",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "interpolate",
    "lsgan_discriminator_loss",
    "lsgan_generator_loss",
    "mmgan_discriminator_loss",
    "mmgan_generator_loss",
    "nsgan_discriminator_loss",
    "nsgan_generator_loss",
    "r1_penalty",
    "wgan_discriminator_loss",
    "wgan_generator_loss",
]
