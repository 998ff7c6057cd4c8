"""The original GAN's loss objects: minimax (MMGAN) and non-saturating (NSGAN)."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor

from gankit.functional import mmgan_discriminator_loss, mmgan_generator_loss, nsgan_generator_loss
from gankit.functional.bce import _label_arguments
from gankit.losses._repr import call_repr
from gankit.losses.base import GANBatch, LossTerm

__all__ = ["MMGAN", "NSGAN"]


class _BinaryCrossEntropy(LossTerm):
    """What MMGAN and NSGAN share: the discriminator's ``-V(D, G)``, its smoothing and noise.

    The two differ only in the generator's loss; ``mmgan_discriminator_loss``
    and ``nsgan_discriminator_loss`` of :mod:`gankit.functional` are the same
    function under two names. The noise of ``label_noise`` is drawn from the
    global torch RNG, which the trainer seeds and saves in its checkpoints.
    """

    config_keys: ClassVar[tuple[str, ...]] = ("label_smoothing", "label_noise")

    def __init__(self, label_smoothing: float = 0.0, label_noise: float = 0.0) -> None:
        self.label_smoothing, self.label_noise = _label_arguments(label_smoothing, label_noise)

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``-V(D, G)`` on the batch's logits, with smoothed and noisy targets."""
        return mmgan_discriminator_loss(
            batch.real_logits, batch.fake_logits, label_smoothing=self.label_smoothing,
            label_noise=self.label_noise,
        )

    def __repr__(self) -> str:
        return call_repr(self, label_smoothing=(self.label_smoothing, 0.0),
                         label_noise=(self.label_noise, 0.0))


class MMGAN(_BinaryCrossEntropy):
    r"""The minimax GAN of Goodfellow et al. (2014), with the saturating generator loss.

    Both players use the value function :math:`V(D, G)` of Eq. 1 literally; on
    logits :math:`r = D(x)`, :math:`f = D(G(z))`:

    .. math::

        L_D = \mathbb{E}\left[\operatorname{softplus}(-r)\right]
            + \mathbb{E}\left[\operatorname{softplus}(f)\right] = -V(D, G),
        \qquad
        L_G = \mathbb{E}\left[\log\big(1 - \sigma(f)\big)\right]
            = -\mathbb{E}\left[\operatorname{softplus}(f)\right].

    The generator's gradient vanishes when the discriminator rejects the fakes
    confidently, so this loss is mostly of theoretical interest; train with
    :class:`NSGAN`. See :func:`~gankit.functional.mmgan_discriminator_loss` and
    :func:`~gankit.functional.mmgan_generator_loss`. The term is named ``"mmgan"``.

    Args:
        label_smoothing: One-sided label smoothing ``s`` in ``[0, 1)`` for the
            discriminator: the real target becomes ``1 - s``; fakes keep 0.
        label_noise: Noisy labels ``a`` in ``[0, 1)`` for the discriminator, as
            in the Keras GAN overview: every real and every fake target is
            lowered by its own ``u ~ U[0, a)`` (real ``1 - s - u``, fake ``-u``),
            drawn from the global torch RNG at each discriminator update; see
            :func:`~gankit.functional.mmgan_discriminator_loss`. ``s + a`` may
            not exceed 1.

    Raises:
        TypeError: If ``label_smoothing`` or ``label_noise`` is not a number.
        ValueError: If either is not in ``[0, 1)``, or their sum exceeds 1.

    Shape:
        - Discriminator logits: ``(N,)`` on real, ``(M,)`` on fake samples.
        - Each term: ``()``.

    Example:
        >>> import torch
        >>> d = torch.nn.Linear(2, 1)
        >>> loss = MMGAN()
        >>> batch = GANBatch(lambda x: d(x).squeeze(1), torch.randn(4, 2), torch.randn(4, 2))
        >>> sorted(loss.discriminator_terms(batch)), sorted(loss.generator_terms(batch))
        (['mmgan'], ['mmgan'])
    """

    name = "mmgan"

    def generator(self, batch: GANBatch) -> Tensor:
        """``E log(1 - σ(f))`` on the fake logits."""
        return mmgan_generator_loss(batch.fake_logits)


class NSGAN(_BinaryCrossEntropy):
    r"""The non-saturating GAN: the generator maximises :math:`\log D(G(z))`.

    Goodfellow et al. (2014, Section 3) train the generator this way in
    practice; it has the same fixed point as the minimax game but strong
    gradients early in training. On logits :math:`r = D(x)`, :math:`f = D(G(z))`:

    .. math::

        L_D = \mathbb{E}\left[\operatorname{softplus}(-r)\right]
            + \mathbb{E}\left[\operatorname{softplus}(f)\right],
        \qquad
        L_G = -\mathbb{E}\left[\log \sigma(f)\right]
            = \mathbb{E}\left[\operatorname{softplus}(-f)\right].

    This is binary cross-entropy with fake label 0 for the discriminator and
    label 1 for the generator, with the two discriminator terms summed (not
    averaged). See :func:`~gankit.functional.nsgan_discriminator_loss` and
    :func:`~gankit.functional.nsgan_generator_loss`. The term is named ``"nsgan"``.

    Args:
        label_smoothing: One-sided label smoothing ``s`` in ``[0, 1)`` for the
            discriminator: the real target becomes ``1 - s``; fakes keep 0.
        label_noise: Noisy labels ``a`` in ``[0, 1)`` for the discriminator, as
            in the Keras GAN overview: every real and every fake target is
            lowered by its own ``u ~ U[0, a)`` (real ``1 - s - u``, fake ``-u``),
            drawn from the global torch RNG at each discriminator update; see
            :func:`~gankit.functional.mmgan_discriminator_loss`. ``s + a`` may
            not exceed 1.

    Raises:
        TypeError: If ``label_smoothing`` or ``label_noise`` is not a number.
        ValueError: If either is not in ``[0, 1)``, or their sum exceeds 1.

    Shape:
        - Discriminator logits: ``(N,)`` on real, ``(M,)`` on fake samples.
        - Each term: ``()``.

    Example:
        >>> import torch
        >>> from gankit.losses import R1Penalty
        >>> d = torch.nn.Linear(2, 1)
        >>> loss = NSGAN(label_smoothing=0.1, label_noise=0.05) + 10.0 * R1Penalty()
        >>> batch = GANBatch(lambda x: d(x).squeeze(1), torch.randn(4, 2), torch.randn(4, 2))
        >>> sorted(loss.discriminator_terms(batch)), sorted(loss.generator_terms(batch))
        (['nsgan', 'r1'], ['nsgan'])
    """

    name = "nsgan"

    def generator(self, batch: GANBatch) -> Tensor:
        """``-E log σ(f)`` on the fake logits."""
        return nsgan_generator_loss(batch.fake_logits)
