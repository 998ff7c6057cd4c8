r"""The Wasserstein GAN losses (Arjovsky et al. 2017).

The critic outputs unbounded scores, not probabilities. Minimising the critic's
loss maximises :math:`\mathbb{E}[D(x)] - \mathbb{E}[D(G(z))]`, an estimate of the
Wasserstein-1 distance when the critic is 1-Lipschitz (enforced by weight
clipping, or by :func:`~gankit.functional.gradient_penalty` in WGAN-GP).
"""

from __future__ import annotations

from torch import Tensor

from gankit._validation import check_batch_logits

__all__ = ["wgan_discriminator_loss", "wgan_generator_loss"]


def wgan_discriminator_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    r"""The critic's loss of the Wasserstein GAN.

    .. math::

        L_D = \mathbb{E}_{f}\left[f\right] - \mathbb{E}_{r}\left[r\right]

    Swapping the real and the fake batch negates it.

    Args:
        real_scores: Critic scores on real samples.
        fake_scores: Critic scores on generated samples.

    Returns:
        The loss, a 0-dim tensor, to be minimised by the critic.

    Raises:
        TypeError: If a score tensor is not floating point.
        ValueError: If a score tensor is not of shape ``(N,)`` with ``N >= 1``.

    Shape:
        - real_scores: ``(N,)``; fake_scores: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> wgan_discriminator_loss(torch.tensor([1.0, 3.0]), torch.tensor([-1.0]))
        tensor(-3.)
    """
    check_batch_logits(real_scores, "real_scores")
    check_batch_logits(fake_scores, "fake_scores")
    return fake_scores.mean() - real_scores.mean()


def wgan_generator_loss(fake_scores: Tensor) -> Tensor:
    r"""The generator's loss of the Wasserstein GAN.

    .. math::

        L_G = -\mathbb{E}_{f}\left[f\right]

    Args:
        fake_scores: Critic scores on generated samples.

    Returns:
        The loss, a 0-dim tensor, to be minimised by the generator.

    Raises:
        TypeError: If ``fake_scores`` is not floating point.
        ValueError: If ``fake_scores`` is not of shape ``(M,)`` with ``M >= 1``.

    Shape:
        - fake_scores: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> wgan_generator_loss(torch.tensor([1.0, 2.0]))
        tensor(-1.5000)
    """
    check_batch_logits(fake_scores, "fake_scores")
    return -fake_scores.mean()
