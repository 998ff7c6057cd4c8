"""GAN losses as objects that compose: ``NSGAN() + 10.0 * R1Penalty()``.

Each class is a thin :class:`LossTerm` over a function of
:mod:`gankit.functional`; the protocol (:class:`GANBatch`, :class:`Loss`,
composition with ``+`` and ``*``) lives in :mod:`gankit.losses.base`.

Example:
    >>> import torch
    >>> from gankit.losses import GANBatch, GradientPenalty, WGAN
    >>> d = torch.nn.Linear(2, 1)
    >>> loss = WGAN() + GradientPenalty(10.0)
    >>> batch = GANBatch(lambda x: d(x).squeeze(1), torch.randn(8, 2), torch.randn(8, 2))
    >>> sorted(loss.discriminator_terms(batch))
    ['gp', 'wgan']
"""

from gankit.losses._registry import get_loss_class, list_losses, register_loss
from gankit.losses.auxiliary import AuxiliaryClassifier
from gankit.losses.base import CompositeLoss, GANBatch, Loss, LossTerm, ScaledLoss
from gankit.losses.bce import MMGAN, NSGAN
from gankit.losses.consistency import BalancedConsistency
from gankit.losses.hinge import Hinge
from gankit.losses.least_squares import LSGAN
from gankit.losses.penalties import GradientPenalty, R1Penalty
from gankit.losses.wasserstein import WGAN, WGANGP

__all__ = [
    "LSGAN",
    "MMGAN",
    "NSGAN",
    "WGAN",
    "WGANGP",
    "AuxiliaryClassifier",
    "BalancedConsistency",
    "CompositeLoss",
    "GANBatch",
    "GradientPenalty",
    "Hinge",
    "Loss",
    "LossTerm",
    "R1Penalty",
    "ScaledLoss",
    "get_loss_class",
    "list_losses",
    "register_loss",
]
