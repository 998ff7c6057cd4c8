r"""The original GAN losses (Goodfellow et al. 2014): binary cross-entropy on logits.

The discriminator outputs a logit :math:`\ell`; the paper's :math:`D(x)` is
:math:`\sigma(\ell)`. Every log-probability is written with ``softplus``, so no
logit saturates the loss:

.. math::

    -\log \sigma(\ell) = \operatorname{softplus}(-\ell), \qquad
    -\log\big(1 - \sigma(\ell)\big) = \operatorname{softplus}(\ell).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn.functional import softplus

from gankit._validation import check_batch_logits, check_generator, check_probability

__all__ = [
    "mmgan_discriminator_loss",
    "mmgan_generator_loss",
    "nsgan_discriminator_loss",
    "nsgan_generator_loss",
]


def _label_arguments(label_smoothing: object, label_noise: object) -> tuple[float, float]:
    """Return ``(label_smoothing, label_noise)`` as floats once both are valid.

    Each lies in ``[0, 1)`` and their sum is at most 1, so that the real
    target ``1 - s - u`` stays above 0.

    Raises:
        TypeError: If either is not a number.
        ValueError: If either lies outside ``[0, 1)`` or their sum exceeds 1.
    """
    s = check_probability(label_smoothing, "label_smoothing")
    a = check_probability(label_noise, "label_noise")
    if s + a > 1.0:
        raise ValueError(
            "label_smoothing + label_noise must be at most 1 (the real target 1 - s - u "
            f"stays above 0), got {s} + {a} = {s + a}"
        )
    return s, a


def _discriminator_bce(
    real_logits: Tensor, fake_logits: Tensor, label_smoothing: float, label_noise: float,
    generator: torch.Generator | None,
) -> Tensor:
    """``-V(D, G)`` with smoothed and noisy targets; shared by MMGAN and NSGAN."""
    check_batch_logits(real_logits, "real_logits")
    check_batch_logits(fake_logits, "fake_logits")
    s, a = _label_arguments(label_smoothing, label_noise)
    check_generator(generator)
    real_loss = softplus(-real_logits)  # -log σ(r), shape (N,)
    fake_loss = softplus(fake_logits)  # -log(1 - σ(f)), shape (M,)
    if s > 0.0:
        # Cross-entropy against the target 1 - s: -(1-s) log σ(r) - s log(1 - σ(r)).
        real_loss = (1.0 - s) * real_loss + s * softplus(real_logits)
    if a > 0.0:
        # Targets 1 - s - u on reals and -u on fakes. Lowering a target t by u adds
        # u·(softplus(ℓ) - softplus(-ℓ)) = u·ℓ to the cross-entropy, exactly.
        u_real = a * _uniform(real_logits, generator)  # (N,), reals first
        u_fake = a * _uniform(fake_logits, generator)  # (M,)
        real_loss = real_loss + u_real * real_logits
        fake_loss = fake_loss + u_fake * fake_logits
    return real_loss.mean() + fake_loss.mean()


def _uniform(like: Tensor, generator: torch.Generator | None) -> Tensor:
    """U[0, 1) draws like ``like`` (shape, dtype, device); the global RNG if no generator."""
    return torch.rand(like.shape, generator=generator, dtype=like.dtype, device=like.device)


def mmgan_discriminator_loss(
    real_logits: Tensor,
    fake_logits: Tensor,
    *,
    label_smoothing: float = 0.0,
    label_noise: float = 0.0,
    generator: torch.Generator | None = None,
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

    **Noisy labels.** With ``label_noise`` :math:`a > 0`, every target of
    **both** batches is lowered by its own draw :math:`u \sim U[0, a)`: a real
    target becomes :math:`1 - s - u_i` and a fake target :math:`-u_j`, and each
    term is the cross-entropy :math:`t \operatorname{softplus}(-\ell)
    + (1 - t) \operatorname{softplus}(\ell)` against its target:

    .. math::

        L_D = \mathbb{E}_i\left[(1 - s)\operatorname{softplus}(-r_i)
              + s \operatorname{softplus}(r_i) + u_i r_i\right]
            + \mathbb{E}_j\left[\operatorname{softplus}(f_j) + u_j f_j\right],

    since lowering a target by :math:`u` adds
    :math:`u(\operatorname{softplus}(\ell) - \operatorname{softplus}(-\ell)) = u\ell`.
    This is the Keras GAN overview's ``labels += 0.05 * tf.random.uniform(...)``
    translated into gankit's labels: Keras labels fakes 1 and reals 0 and adds
    the noise to all of them, which moves every target towards "fake"; here
    reals are 1, so both targets move down. The smoothing is applied first and
    the noise second (they add, so the order does not change the result). The
    fake target :math:`-u` lies below 0, as Keras's :math:`1 + u` lies above 1:
    the loss is not bounded below in :math:`f` (its slope stays :math:`u_j / M`),
    and its expectation is the noiseless loss plus
    :math:`\tfrac{a}{2}(\bar r + \bar f)`. The reals' ``N`` uniforms are drawn
    first, then the fakes' ``M``, from ``generator`` (the global torch RNG when
    ``None``, which the trainer seeds and checkpoints); with ``label_noise=0``
    nothing is drawn and the loss is the noiseless one exactly.

    Args:
        real_logits: Discriminator logits on real samples.
        fake_logits: Discriminator logits on generated samples.
        label_smoothing: One-sided label smoothing ``s`` in ``[0, 1)``.
        label_noise: The width ``a`` in ``[0, 1)`` of the uniform noise on the
            targets; ``s + a`` may not exceed 1.
        generator: Source of the noise (on the logits' device); the global torch
            RNG if ``None``.

    Returns:
        The loss, a 0-dim tensor, to be minimised by the discriminator.

    Raises:
        TypeError: If a logit tensor is not floating point, ``label_smoothing``
            or ``label_noise`` is not a number, or ``generator`` is not a
            ``torch.Generator``.
        ValueError: If a logit tensor is not of shape ``(N,)`` with ``N >= 1``,
            ``label_smoothing`` or ``label_noise`` is not in ``[0, 1)``, or their
            sum exceeds 1.

    Shape:
        - real_logits: ``(N,)``; fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import math, torch
        >>> loss = mmgan_discriminator_loss(torch.zeros(4), torch.zeros(4))
        >>> math.isclose(loss.item(), math.log(4), rel_tol=1e-6)
        True
    """
    return _discriminator_bce(real_logits, fake_logits, label_smoothing, label_noise, generator)


def nsgan_discriminator_loss(
    real_logits: Tensor,
    fake_logits: Tensor,
    *,
    label_smoothing: float = 0.0,
    label_noise: float = 0.0,
    generator: torch.Generator | None = None,
) -> Tensor:
    r"""The discriminator's loss of the non-saturating GAN: the same :math:`-V(D, G)`.

    Only the generator's loss differs between MMGAN and NSGAN; the
    discriminator still minimises

    .. math::

        L_D = \mathbb{E}\left[\operatorname{softplus}(-r)\right]
              + \mathbb{E}\left[\operatorname{softplus}(f)\right],

    with the real term smoothed and the targets of both batches made noisy
    (real :math:`1 - s - u`, fake :math:`-u`, :math:`u \sim U[0, a)`) as in
    :func:`mmgan_discriminator_loss`.

    Args:
        real_logits: Discriminator logits on real samples.
        fake_logits: Discriminator logits on generated samples.
        label_smoothing: One-sided label smoothing ``s`` in ``[0, 1)``.
        label_noise: The width ``a`` in ``[0, 1)`` of the uniform noise on the
            targets; ``s + a`` may not exceed 1.
        generator: Source of the noise (on the logits' device); the global torch
            RNG if ``None``.

    Returns:
        The loss, a 0-dim tensor, to be minimised by the discriminator.

    Raises:
        TypeError: If a logit tensor is not floating point, ``label_smoothing``
            or ``label_noise`` is not a number, or ``generator`` is not a
            ``torch.Generator``.
        ValueError: If a logit tensor is not of shape ``(N,)`` with ``N >= 1``,
            ``label_smoothing`` or ``label_noise`` is not in ``[0, 1)``, or their
            sum exceeds 1.

    Shape:
        - real_logits: ``(N,)``; fake_logits: ``(M,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> r, f = torch.tensor([2.0, 3.0]), torch.tensor([-1.0])
        >>> torch.equal(nsgan_discriminator_loss(r, f), mmgan_discriminator_loss(r, f))
        True
        >>> a = nsgan_discriminator_loss(r, f, label_noise=0.05,
        ...                              generator=torch.Generator().manual_seed(0))
        >>> b = nsgan_discriminator_loss(r, f, label_noise=0.05,
        ...                              generator=torch.Generator().manual_seed(0))
        >>> torch.equal(a, b)  # the same generator state draws the same noise
        True
    """
    return _discriminator_bce(real_logits, fake_logits, label_smoothing, label_noise, generator)


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
