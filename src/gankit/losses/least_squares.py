"""The least-squares GAN's loss object (Mao et al. 2017)."""

from __future__ import annotations

from torch import Tensor

from gankit.functional import lsgan_discriminator_loss, lsgan_generator_loss
from gankit.losses.base import GANBatch, LossTerm

__all__ = ["LSGAN"]


class LSGAN(LossTerm):
    r"""The least-squares GAN with the 0-1 coding ``a = 0``, ``b = 1``, ``c = 1``.

    The discriminator regresses real scores to 1 and fake scores to 0; the
    generator pulls the fake scores to 1. On raw scores :math:`r = D(x)`,
    :math:`f = D(G(z))` (no sigmoid):

    .. math::

        L_D = \tfrac{1}{2}\mathbb{E}\left[(r - 1)^2\right] + \tfrac{1}{2}\mathbb{E}\left[f^2\right],
        \qquad
        L_G = \tfrac{1}{2}\mathbb{E}\left[(f - 1)^2\right].

    The term is named ``"lsgan"``. See
    :func:`~gankit.functional.lsgan_discriminator_loss` and
    :func:`~gankit.functional.lsgan_generator_loss`.

    Shape:
        - Discriminator scores: ``(N,)`` on real, ``(M,)`` on fake samples.
        - Each term: ``()``.

    Example:
        >>> import torch
        >>> batch = GANBatch(lambda x: x.sum(1), torch.ones(4, 2), torch.zeros(4, 2))
        >>> LSGAN().discriminator_terms(batch), LSGAN().generator_terms(batch)
        ({'lsgan': tensor(0.5000)}, {'lsgan': tensor(0.5000)})
    """

    name = "lsgan"

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``E (D(real) - 1)² / 2 + E D(fake)² / 2``."""
        return lsgan_discriminator_loss(batch.real_logits, batch.fake_logits)

    def generator(self, batch: GANBatch) -> Tensor:
        """``E (D(fake) - 1)² / 2``."""
        return lsgan_generator_loss(batch.fake_logits)
