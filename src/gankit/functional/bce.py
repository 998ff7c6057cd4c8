r"""The original GAN losses (Goodfellow et al. 2014): binary cross-entropy on logits.

The discriminator outputs a logit :math:`\ell`; the paper's :math:`D(x)` is
:math:`\sigma(\ell)`. Every log-probability is written with ``softplus``, so no
logit saturates the loss:

.. math::

    -\log \sigma(\ell) = \operatorname{softplus}(-\ell), \qquad
    -\log\big(1 - \sigma(\ell)\big) = \operatorname{softplus}(\ell).
"""

from __future__ import annotations

from torch import Tensor
from torch.nn.functional import softplus

from gankit._validation import check_batch_logits, check_probability

__all__ = [
    "mmgan_discriminator_loss",
    "mmgan_generator_loss",
    "nsgan_discriminator_loss",
    "nsgan_generator_loss",
]


def _discriminator_bce(real_logits: Tensor, fake_logits: Tensor, label_smoothing: float) -> Tensor:
    """``-V(D, G)`` with one-sided label smoothing; shared by MMGAN and NSGAN."""
    check_batch_logits(real_logits, "real_logits")
    check_batch_logits(fake_logits, "fake_logits")
    s = check_probability(label_smoothing, "label_smoothing")
    real_loss = softplus(-real_logits)  # -log σ(r), shape (N,)
    if s > 0.0:
        # Cross-entropy against the target 1 - s: -(1-s) log σ(r) - s log(1 - σ(r)).
        real_loss = (1.0 - s) * real_loss + s * softplus(real_logits)
    return real_loss.mean() + softplus(fake_logits).mean()  # + (-log(1 - σ(f)))


def mmgan_discriminator_loss(
    real_logits: Tensor, fake_logits: Tensor, *, label_smoothing: float = 0.0
) -> Tensor:
    r"""The discriminator's loss of the minimax GAN: :math:`-V(D, G)`.

    .. math::

        L_D = -\mathbb{E}_{r}\left[\log \sigma(r)\right]
              - \mathbb{E}_{f}\left[\log\big(1 - \sigma(f)\big)\right]
            = \mathbb{E}\left[\operatorname{softplus}(-r)\right]
              + \mathbb{E}\left[\operatorname{softplus}(f)\right]

    The two means are summed (not halved), so the loss is :math:`\log 4` when
    every logit is 0 (:math:`D = 1/2`, the optimum of Theorem 1). With one-sided
    label smoothing ``s`` (Salimans et al. 2016) the real target is
    :math:`1 - s` and the real term becomes
    :math:`-\mathbb{E}\left[(1-s)\log\sigma(r) + s\log(1-\sigma(r))\right]`;
    the fake target stays 0.

    Args:
        real_logits: Discriminator logits on real samples.
        fake_logits: Discriminator logits on generated samples.
        label_smoothing: One-sided label smoothing ``s`` in ``[0, 1)``.

    Returns:
        The loss, a 0-dim tensor, to be minimised by the discriminator.

    Raises:
        TypeError: If a logit tensor is not floating point, or ``label_smoothing``
            is not a number.
        ValueError: If a logit tensor is not of shape ``(N,)`` with ``N >= 1``, or
            ``label_smoothing`` is not in ``[0, 1)``.

    Shape:
        - real_logits: ``(N,)``; fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import math, torch
        >>> loss = mmgan_discriminator_loss(torch.zeros(4), torch.zeros(4))
        >>> math.isclose(loss.item(), math.log(4), rel_tol=1e-6)
        True
    """
    return _discriminator_bce(real_logits, fake_logits, label_smoothing)


def nsgan_discriminator_loss(
    real_logits: Tensor, fake_logits: Tensor, *, label_smoothing: float = 0.0
) -> Tensor:
    r"""The discriminator's loss of the non-saturating GAN: the same :math:`-V(D, G)`.

    Only the generator's loss differs between MMGAN and NSGAN; the
    discriminator still minimises

    .. math::

        L_D = \mathbb{E}\left[\operatorname{softplus}(-r)\right]
              + \mathbb{E}\left[\operatorname{softplus}(f)\right],

    with the real term smoothed as in :func:`mmgan_discriminator_loss`.

    Args:
        real_logits: Discriminator logits on real samples.
        fake_logits: Discriminator logits on generated samples.
        label_smoothing: One-sided label smoothing ``s`` in ``[0, 1)``.

    Returns:
        The loss, a 0-dim tensor, to be minimised by the discriminator.

    Raises:
        TypeError: If a logit tensor is not floating point, or ``label_smoothing``
            is not a number.
        ValueError: If a logit tensor is not of shape ``(N,)`` with ``N >= 1``, or
            ``label_smoothing`` is not in ``[0, 1)``.

    Shape:
        - real_logits: ``(N,)``; fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> r, f = torch.tensor([2.0, 3.0]), torch.tensor([-1.0])
        >>> torch.equal(nsgan_discriminator_loss(r, f), mmgan_discriminator_loss(r, f))
        True
    """
    return _discriminator_bce(real_logits, fake_logits, label_smoothing)


def mmgan_generator_loss(fake_logits: Tensor) -> Tensor:
    r"""The generator's loss of the minimax GAN, which saturates.

    The paper's objective, minimised by the generator:

    .. math::

        L_G = \mathbb{E}_{f}\left[\log\big(1 - \sigma(f)\big)\right]
            = -\mathbb{E}\left[\operatorname{softplus}(f)\right].

    Its gradient :math:`\partial L_G / \partial f_i = -\sigma(f_i) / M` vanishes
    when the discriminator rejects the fakes confidently (:math:`f \to -\infty`),
    which is why the paper trains with :func:`nsgan_generator_loss` in practice
    (Section 3).

    Args:
        fake_logits: Discriminator logits on generated samples.

    Returns:
        The loss, a 0-dim tensor (at most 0), to be minimised by the generator.

    Raises:
        TypeError: If ``fake_logits`` is not a floating-point tensor.
        ValueError: If ``fake_logits`` is not of shape ``(M,)`` with ``M >= 1``.

    Shape:
        - fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> mmgan_generator_loss(torch.tensor([0.0, 0.0]))  # log(1/2)
        tensor(-0.6931)
    """
    check_batch_logits(fake_logits, "fake_logits")
    return -softplus(fake_logits).mean()


def nsgan_generator_loss(fake_logits: Tensor) -> Tensor:
    r"""The generator's loss of the non-saturating GAN.

    The generator maximises :math:`\log D(G(z))` instead of minimising
    :math:`\log(1 - D(G(z)))`:

    .. math::

        L_G = -\mathbb{E}_{f}\left[\log \sigma(f)\right]
            = \mathbb{E}\left[\operatorname{softplus}(-f)\right].

    Its gradient :math:`\partial L_G / \partial f_i = -\sigma(-f_i) / M` tends to
    :math:`-1/M` as :math:`f \to -\infty`: strong exactly when the generator is
    losing. This is binary cross-entropy of the fakes against the label "real".

    Args:
        fake_logits: Discriminator logits on generated samples.

    Returns:
        The loss, a 0-dim tensor (at least 0), to be minimised by the generator.

    Raises:
        TypeError: If ``fake_logits`` is not a floating-point tensor.
        ValueError: If ``fake_logits`` is not of shape ``(M,)`` with ``M >= 1``.

    Shape:
        - fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> nsgan_generator_loss(torch.tensor([0.0, 0.0]))  # -log(1/2)
        tensor(0.6931)
    """
    check_batch_logits(fake_logits, "fake_logits")
    return softplus(-fake_logits).mean()
