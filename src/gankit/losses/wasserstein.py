"""The Wasserstein GAN's loss objects: WGAN, and WGAN-GP as WGAN plus a gradient penalty."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor

from gankit._deprecation import renamed_argument, warn_renamed
from gankit.functional import wgan_discriminator_loss, wgan_generator_loss
from gankit.losses._repr import call_repr
from gankit.losses.base import CompositeLoss, GANBatch, LossTerm
from gankit.losses.penalties import GradientPenalty

__all__ = ["WGAN", "WGANGP"]


class WGAN(LossTerm):
    r"""The Wasserstein GAN's losses (Arjovsky et al. 2017) on critic scores.

    .. math::

        L_D = \mathbb{E}\left[D(\tilde{x})\right] - \mathbb{E}\left[D(x)\right],
        \qquad
        L_G = -\mathbb{E}\left[D(\tilde{x})\right].

    The critic must be kept (approximately) 1-Lipschitz for :math:`-L_D` to
    estimate the Wasserstein-1 distance: add :class:`GradientPenalty` (or use
    :class:`WGANGP`), or clip the weights yourself. The term is named
    ``"wgan"``. See :func:`~gankit.functional.wgan_discriminator_loss` and
    :func:`~gankit.functional.wgan_generator_loss`.

    Shape:
        - Critic scores: ``(N,)`` on real, ``(M,)`` on fake samples.
        - Each term: ``()``.

    Example:
        >>> import torch
        >>> batch = GANBatch(lambda x: x.sum(1), torch.ones(4, 2), torch.zeros(4, 2))
        >>> WGAN().discriminator_terms(batch)
        {'wgan': tensor(-2.)}
    """

    name = "wgan"

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``E D(fake) - E D(real)``."""
        return wgan_discriminator_loss(batch.real_logits, batch.fake_logits)

    def generator(self, batch: GANBatch) -> Tensor:
        """``-E D(fake)``."""
        return wgan_generator_loss(batch.fake_logits)


class WGANGP(CompositeLoss):
    r"""WGAN-GP (Gulrajani et al. 2017): ``WGAN() + GradientPenalty(weight)``.

    .. math::

        L_D = \mathbb{E}\left[D(\tilde{x})\right] - \mathbb{E}\left[D(x)\right]
            + \lambda\,\mathbb{E}_{\hat{x}}
              \left[\left(\lVert \nabla_{\hat{x}} D(\hat{x}) \rVert_2 - 1\right)^2\right],
        \qquad
        L_G = -\mathbb{E}\left[D(\tilde{x})\right].

    A composite of two terms, logged as ``"wgan"`` and ``"gp"``. Pair it with
    the paper's training set-up: 5 critic steps per generator step, Adam
    (lr 1e-4, betas (0, 0.9)) and no batch norm in the critic.

    Args:
        weight: The penalty's coefficient :math:`\lambda` (10 in the paper),
            :class:`GradientPenalty`'s ``weight``; the WGAN term is not scaled.
        gp_weight: Deprecated alias of ``weight`` (warns; removed in the next
            release).

    Raises:
        TypeError: If ``weight`` is not a number, or both ``weight`` and
            ``gp_weight`` are given.
        ValueError: If ``weight`` is negative or not finite.

    Shape:
        - batch.real, batch.fake: ``(N, *S)``; critic scores: ``(N,)``.
        - Each term: ``()``.

    Example:
        >>> import torch
        >>> d = torch.nn.Linear(2, 1)
        >>> batch = GANBatch(lambda x: d(x).squeeze(1), torch.randn(4, 2), torch.randn(4, 2))
        >>> sorted(WGANGP().discriminator_terms(batch)), sorted(WGANGP().generator_terms(batch))
        (['gp', 'wgan'], ['wgan'])
    """

    config_keys: ClassVar[tuple[str, ...]] = ("weight",)

    def __init__(self, weight: float = 10.0, *, gp_weight: float | None = None) -> None:
        if gp_weight is not None:
            weight = renamed_argument("WGANGP", "gp_weight", "weight", gp_weight, weight, 10.0)
        penalty = GradientPenalty(weight)
        super().__init__([WGAN(), penalty])
        self.weight = penalty.weight

    @property
    def gp_weight(self) -> float:
        """Deprecated alias of :attr:`weight` (warns; removed in the next release)."""
        warn_renamed("WGANGP.gp_weight", "WGANGP.weight")
        return self.weight

    def __repr__(self) -> str:
        return call_repr(self, weight=(self.weight, 10.0))
