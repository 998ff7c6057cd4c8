"""Balanced consistency regularization (Zhao et al. 2021): a discriminator-only term."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor

from gankit._validation import check_nonnegative
from gankit.augment import Augment, DiffAugment
from gankit.functional import consistency_penalty
from gankit.losses.base import GANBatch, LossTerm

__all__ = ["BalancedConsistency"]

_DEFAULT_POLICY = "translation"


class BalancedConsistency(LossTerm):
    r"""Balanced consistency regularization, bCR (Zhao et al. 2021), weighted.

    .. math::

        L_D^{bcr} = \lambda_{real}\,\mathbb{E}_x\left[(D(x) - D(T(x)))^2\right]
            + \lambda_{fake}\,\mathbb{E}_z\left[(D(G(z)) - D(T(G(z))))^2\right]

    with :math:`T` a random augmentation, by default DiffAugment's translation
    (Zhao et al. flip and shift the images by a few pixels). A discriminator-only
    term named ``"bcr"``: the discriminator learns to give an image and its
    augmentation the same logit, on real and on generated images alike (the
    "balanced" part; ``lambda_fake=0`` is Zhang et al.'s consistency
    regularization, CR, and then the fake batch is not augmented).

    :math:`D(x)` and :math:`D(G(z))` are the batch's cached
    ``batch.real_logits`` and ``batch.fake_logits``, so the term adds one
    discriminator pass per augmented batch. Gradients flow through both sides
    of each difference (see :func:`~gankit.functional.consistency_penalty`). A
    conditional discriminator judges :math:`T(x)` with ``batch.labels`` and
    :math:`T(G(z))` with ``batch.fake_labels``. If the trainer already augments
    the discriminator's inputs (its ``augment`` argument), ``batch.real`` is the
    augmented batch and :math:`T` applies on top. :math:`T` draws from the global
    torch RNG.

    Args:
        lambda_real: The coefficient :math:`\lambda_{real}` (10 in the paper).
        lambda_fake: The coefficient :math:`\lambda_{fake}` (10 in the paper).
        policy: The :class:`~gankit.augment.DiffAugment` policy of :math:`T`, e.g.
            ``"translation"`` or ``"translation,cutout"``.
        augment: Any :class:`~gankit.augment.Augment` to use as :math:`T` instead
            (then leave ``policy`` at its default).

    Attributes:
        augment (Augment): The augmentation :math:`T`.
        policy (str | None): Its DiffAugment policy, or ``None`` if ``augment``
            is not a :class:`~gankit.augment.DiffAugment`.

    Raises:
        TypeError: If a coefficient is not a number, ``augment`` is not an
            ``Augment``, or both ``policy`` and ``augment`` are given.
        ValueError: If a coefficient is negative or not finite, or ``policy``
            names an unknown transform.

    Shape:
        - batch.real: ``(N, C, H, W)``; batch.fake: ``(M, C, H, W)`` (the shapes
          ``T`` takes); batch.labels: ``(N,)``; batch.fake_labels: ``(M,)``.
        - The term: ``()``.

    Example:
        >>> import torch
        >>> from gankit.losses import NSGAN
        >>> d = lambda x: x.flatten(1).sum(1)  # translation moves mass out of the image
        >>> batch = GANBatch(d, torch.randn(4, 1, 8, 8), torch.randn(4, 1, 8, 8))
        >>> loss = NSGAN() + BalancedConsistency(lambda_real=10.0, lambda_fake=10.0)
        >>> sorted(loss.discriminator_terms(batch)), sorted(loss.generator_terms(batch))
        (['bcr', 'nsgan'], ['nsgan'])
    """

    name = "bcr"
    config_keys: ClassVar[tuple[str, ...]] = ("lambda_real", "lambda_fake", "policy")

    def __init__(
        self,
        lambda_real: float = 10.0,
        lambda_fake: float = 10.0,
        *,
        policy: str = _DEFAULT_POLICY,
        augment: Augment | None = None,
    ) -> None:
        self.lambda_real = check_nonnegative(lambda_real, "lambda_real")
        self.lambda_fake = check_nonnegative(lambda_fake, "lambda_fake")
        if augment is None:
            augment = DiffAugment(policy)
        elif not isinstance(augment, Augment):
            raise TypeError(
                f"augment must be a gankit.augment.Augment, got {type(augment).__name__}"
            )
        elif policy != _DEFAULT_POLICY:
            raise TypeError("give policy (a DiffAugment policy) or augment, not both")
        self.augment = augment
        self.policy: str | None = augment.policy if isinstance(augment, DiffAugment) else None

    def _augmented_penalty(self, batch: GANBatch, x: Tensor, labels: Tensor | None,
                           logits: Tensor, what: str) -> Tensor:
        """``consistency_penalty(logits, D(T(x)))``, judging ``T(x)`` with ``labels``."""
        augmented_logits = batch.logits(self.augment(x), labels, name=what)
        return consistency_penalty(logits, augmented_logits)

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``λ_real · cp(D(x), D(T(x))) + λ_fake · cp(D(G(z)), D(T(G(z))))``."""
        total = batch.real.new_zeros(())
        if self.lambda_real > 0:
            total = total + self.lambda_real * self._augmented_penalty(
                batch, batch.real, batch.labels, batch.real_logits, "the augmented real batch")
        if self.lambda_fake > 0:
            total = total + self.lambda_fake * self._augmented_penalty(
                batch, batch.fake, batch.fake_labels, batch.fake_logits,
                "the augmented fake batch")
        return total

    def __repr__(self) -> str:
        shown = [f"{key}={value!r}" for key, value, default in (
            ("lambda_real", self.lambda_real, 10.0),
            ("lambda_fake", self.lambda_fake, 10.0),
            ("policy", self.policy, _DEFAULT_POLICY),
        ) if value != default and value is not None]
        if self.policy is None:
            shown.append(f"augment={self.augment!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
