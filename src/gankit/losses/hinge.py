"""The hinge GAN's loss object (Lim & Ye 2017; Miyato et al. 2018)."""

from __future__ import annotations

from torch import Tensor

from gankit.functional import hinge_discriminator_loss, hinge_generator_loss
from gankit.losses.base import GANBatch, LossTerm

__all__ = ["Hinge"]


class Hinge(LossTerm):
    r"""The hinge loss, as used by SN-GAN and BigGAN.

    On discriminator scores :math:`r = D(x)`, :math:`f = D(G(z))`:

    .. math::

        L_D = \mathbb{E}\left[\max(0, 1 - r)\right] + \mathbb{E}\left[\max(0, 1 + f)\right],
        \qquad
        L_G = -\mathbb{E}\left[f\right].

    The term is named ``"hinge"``. See
    :func:`~gankit.functional.hinge_discriminator_loss` and
    :func:`~gankit.functional.hinge_generator_loss`.

    Shape:
        - Discriminator scores: ``(N,)`` on real, ``(M,)`` on fake samples.
        - Each term: ``()``.

    Example:
        >>> import torch
        >>> batch = GANBatch(lambda x: x.sum(1), torch.full((4, 2), 0.25), torch.zeros(4, 2))
        >>> Hinge().discriminator_terms(batch)  # relu(1 - 0.5) + relu(1 + 0)
        {'hinge': tensor(1.5000)}
    """

    name = "hinge"

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``E relu(1 - D(real)) + E relu(1 + D(fake))``."""
        return hinge_discriminator_loss(batch.real_logits, batch.fake_logits)

    def generator(self, batch: GANBatch) -> Tensor:
        """``-E D(fake)``."""
        return hinge_generator_loss(batch.fake_logits)
