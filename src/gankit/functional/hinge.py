r"""The hinge GAN losses (Lim & Ye 2017; Miyato et al. 2018).

The discriminator is penalised only while a real score is below 1 or a fake
score above -1; the generator raises the fakes' scores without bound, as in the
Wasserstein GAN.
"""

from __future__ import annotations

from torch import Tensor
from torch.nn.functional import relu

from gankit._validation import check_batch_logits

__all__ = ["hinge_discriminator_loss", "hinge_generator_loss"]


def hinge_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    r"""The discriminator's hinge loss.

    .. math::

        L_D = \mathbb{E}_{r}\left[\max(0, 1 - r)\right]
            + \mathbb{E}_{f}\left[\max(0, 1 + f)\right]

    Args:
        real_logits: Discriminator scores on real samples.
        fake_logits: Discriminator scores on generated samples.

    Returns:
        The loss, a 0-dim tensor (at least 0), to be minimised by the discriminator.

    Raises:
        TypeError: If a score tensor is not floating point.
        ValueError: If a score tensor is not of shape ``(N,)`` with ``N >= 1``.

    Shape:
        - real_logits: ``(N,)``; fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> hinge_discriminator_loss(torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0]))
        tensor(0.7500)
    """
    check_batch_logits(real_logits, "real_logits")
    check_batch_logits(fake_logits, "fake_logits")
    return relu(1.0 - real_logits).mean() + relu(1.0 + fake_logits).mean()


def hinge_generator_loss(fake_logits: Tensor) -> Tensor:
    r"""The generator's hinge-GAN loss.

    .. math::

        L_G = -\mathbb{E}_{f}\left[f\right]

    Args:
        fake_logits: Discriminator scores on generated samples.

    Returns:
        The loss, a 0-dim tensor, to be minimised by the generator.

    Raises:
        TypeError: If ``fake_logits`` is not floating point.
        ValueError: If ``fake_logits`` is not of shape ``(M,)`` with ``M >= 1``.

    Shape:
        - fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> hinge_generator_loss(torch.tensor([0.5, -1.5]))
        tensor(0.5000)
    """
    check_batch_logits(fake_logits, "fake_logits")
    return -fake_logits.mean()
