r"""The least-squares GAN losses (Mao et al. 2017) with the codes a = 0, b = 1, c = 1.

The discriminator regresses its output to ``b = 1`` on real samples and to
``a = 0`` on fakes; the generator pulls the fakes' outputs to ``c = 1`` (the
0-1 coding, with ``c = b``). The outputs are raw scores, never passed through a
sigmoid.
"""

from __future__ import annotations

from torch import Tensor

from gankit._validation import check_batch_logits

__all__ = ["lsgan_discriminator_loss", "lsgan_generator_loss"]


def lsgan_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    r"""The discriminator's least-squares loss.

    .. math::

        L_D = \tfrac{1}{2}\,\mathbb{E}_{r}\left[(r - 1)^2\right]
            + \tfrac{1}{2}\,\mathbb{E}_{f}\left[f^2\right]

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
        >>> lsgan_discriminator_loss(torch.tensor([1.0, 3.0]), torch.tensor([2.0]))
        tensor(3.)
    """
    check_batch_logits(real_logits, "real_logits")
    check_batch_logits(fake_logits, "fake_logits")
    return 0.5 * (real_logits - 1.0).square().mean() + 0.5 * fake_logits.square().mean()


def lsgan_generator_loss(fake_logits: Tensor) -> Tensor:
    r"""The generator's least-squares loss.

    .. math::

        L_G = \tfrac{1}{2}\,\mathbb{E}_{f}\left[(f - 1)^2\right]

    Args:
        fake_logits: Discriminator scores on generated samples.

    Returns:
        The loss, a 0-dim tensor (at least 0), to be minimised by the generator.

    Raises:
        TypeError: If ``fake_logits`` is not floating point.
        ValueError: If ``fake_logits`` is not of shape ``(M,)`` with ``M >= 1``.

    Shape:
        - fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> lsgan_generator_loss(torch.tensor([1.0, 3.0]))
        tensor(1.)
    """
    check_batch_logits(fake_logits, "fake_logits")
    return 0.5 * (fake_logits - 1.0).square().mean()
