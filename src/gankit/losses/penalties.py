"""Gradient-penalty loss terms: WGAN-GP's penalty and R1. Discriminator-only."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor

from gankit._deprecation import renamed_argument, warn_renamed
from gankit._validation import check_nonnegative, check_positive_int
from gankit.functional import gradient_penalty, r1_penalty
from gankit.losses._repr import call_repr
from gankit.losses.base import GANBatch, LossTerm

__all__ = ["GradientPenalty", "R1Penalty", "lazy_factor"]


class GradientPenalty(LossTerm):
    r"""WGAN-GP's two-sided gradient penalty (Gulrajani et al. 2017), weighted.

    .. math::

        L_D^{gp} = \lambda\,\mathbb{E}_{\hat{x}}
            \left[\left(\lVert \nabla_{\hat{x}} D(\hat{x}) \rVert_2 - t\right)^2\right],
        \qquad \hat{x} = \epsilon x + (1 - \epsilon)\tilde{x},
        \quad \epsilon \sim U[0, 1] \text{ per sample}.

    A discriminator-only term named ``"gp"``: it adds nothing to the generator's
    loss. It evaluates the discriminator once more, on the interpolates (it
    cannot reuse ``D(real)`` or ``D(fake)``), draws :math:`\epsilon` from the
    global torch RNG, and needs real and fake batches of the same shape. For a
    conditional discriminator the interpolates are judged with the **real**
    labels, ``batch.labels``: an interpolate between a real sample of class
    :math:`y` and a fake of another class has no single label, and the trainer
    generates fakes for the real batch's labels, so the two coincide there. See
    :func:`~gankit.functional.gradient_penalty`.

    With ``every=k`` the penalty is lazy (Karras et al. 2020, StyleGAN2): it is
    computed on every ``k``-th discriminator update only (``batch.d_update % k
    == 0``) and multiplied by ``k`` there, so its average weight is unchanged;
    the other updates get a zero term and skip its extra forward and backward
    pass. The trainer counts updates from the run's saved step, so a resumed
    run keeps the schedule.

    Args:
        weight: The coefficient :math:`\lambda` (10 in the paper).
        target: The target gradient norm :math:`t` (1 in the paper).
        every: Compute the penalty on every ``every``-th discriminator update (1: all).

    Raises:
        TypeError: If ``weight`` or ``target`` is not a number.
        ValueError: If ``weight`` or ``target`` is negative or not finite.

    Shape:
        - batch.real, batch.fake: ``(N, *S)``; batch.labels: ``(N,)``.
        - The term: ``()``.

    Example:
        >>> import torch
        >>> from gankit.losses import WGAN
        >>> d = torch.nn.Linear(2, 1)
        >>> loss = WGAN() + GradientPenalty(10.0)
        >>> batch = GANBatch(lambda x: d(x).squeeze(1), torch.randn(4, 2), torch.randn(4, 2))
        >>> sorted(loss.discriminator_terms(batch)), sorted(loss.generator_terms(batch))
        (['gp', 'wgan'], ['wgan'])
    """

    name = "gp"
    config_keys: ClassVar[tuple[str, ...]] = ("weight", "target", "every")

    def __init__(self, weight: float = 10.0, *, target: float = 1.0, every: int = 1) -> None:
        self.weight = check_nonnegative(weight, "weight")
        self.target = check_nonnegative(target, "target")
        self.every = check_positive_int(every, "every")

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``weight * gradient_penalty(D, real, fake, labels=real labels)`` (lazily: see above)."""
        factor = lazy_factor(self.every, batch)
        if factor == 0:
            return batch.real.new_zeros(())
        alpha = batch.rand(batch.real.shape[0])
        return factor * self.weight * gradient_penalty(
            batch.discriminator,
            batch.real,
            batch.fake,
            target=self.target,
            labels=batch.labels,
            alpha=alpha,
        )

    def __repr__(self) -> str:
        return call_repr(self, weight=(self.weight, 10.0), target=(self.target, 1.0),
                         every=(self.every, 1))


class R1Penalty(LossTerm):
    r"""The R1 gradient penalty on real data (Mescheder et al. 2018), weighted by γ/2.

    .. math::

        L_D^{r1} = \frac{\gamma}{2}\,\mathbb{E}_{x \sim p_{data}}
            \left[\lVert \nabla_x D(x) \rVert_2^2\right],
        \qquad \gamma = \texttt{weight}.

    This follows Mescheder et al.'s convention: ``weight`` is their
    :math:`\gamma` and the factor :math:`\frac{1}{2}` is applied here, so
    ``R1Penalty(weight=10)`` adds ``5 * E||∇D(x)||²``. The term is linear in
    ``weight``: ``R1Penalty(weight=w)`` equals ``w * R1Penalty(weight=1.0)``. A
    further scalar weight (``10.0 * R1Penalty()``) multiplies on top.

    A discriminator-only term named ``"r1"``. The input gradient needs a real
    batch that requires grad, so the term evaluates the discriminator on a
    detached copy of ``batch.real``: one forward pass of its own, separate from
    (and not shared with) ``batch.real_logits``. Conditional discriminators get
    ``batch.labels``. See :func:`~gankit.functional.r1_penalty`.

    With ``every=k`` the penalty is lazy (Karras et al. 2020, StyleGAN2):
    computed on every ``k``-th discriminator update only (``batch.d_update % k
    == 0``) and multiplied by ``k`` there; the other updates get a zero term
    and skip its extra forward and backward pass. StyleGAN2 uses ``k = 16``.
    The trainer counts updates from the run's saved step, so a resumed run
    keeps the schedule.

    Args:
        weight: The coefficient :math:`\gamma` (10 is common; Mescheder et al.
            tune it per data set).
        every: Compute the penalty on every ``every``-th discriminator update (1: all).
        gamma: Deprecated alias of ``weight`` (warns; removed in the next release).

    Raises:
        TypeError: If ``weight`` is not a number, or both ``weight`` and
            ``gamma`` are given.
        ValueError: If ``weight`` is negative or not finite.

    Shape:
        - batch.real: ``(N, *S)``; batch.labels: ``(N,)``.
        - The term: ``()``.

    Example:
        >>> import torch
        >>> w = torch.tensor([3.0, 4.0])
        >>> batch = GANBatch(lambda x: x @ w, torch.randn(4, 2), torch.randn(4, 2))
        >>> R1Penalty(weight=2.0).discriminator_terms(batch)  # (2 / 2) * ||w||^2
        {'r1': tensor(25.)}
    """

    name = "r1"
    config_keys: ClassVar[tuple[str, ...]] = ("weight", "every")

    def __init__(
        self, weight: float = 10.0, *, every: int = 1, gamma: float | None = None
    ) -> None:
        if gamma is not None:
            weight = renamed_argument("R1Penalty", "gamma", "weight", gamma, weight, 10.0)
        self.weight = check_nonnegative(weight, "weight")
        self.every = check_positive_int(every, "every")

    @property
    def gamma(self) -> float:
        """Deprecated alias of :attr:`weight` (warns; removed in the next release)."""
        warn_renamed("R1Penalty.gamma", "R1Penalty.weight")
        return self.weight

    def discriminator(self, batch: GANBatch) -> Tensor:
        """``weight / 2 * r1_penalty(D, real, labels=labels)`` (lazily: see above)."""
        factor = lazy_factor(self.every, batch)
        if factor == 0:
            return batch.real.new_zeros(())
        penalty = r1_penalty(batch.discriminator, batch.real, labels=batch.labels)
        return factor * 0.5 * self.weight * penalty

    def __repr__(self) -> str:
        return call_repr(self, weight=(self.weight, 10.0), every=(self.every, 1))


def lazy_factor(every: int, batch: GANBatch) -> int:
    """``every`` on the discriminator updates a lazy regulariser acts on, else 0.

    Update ``batch.d_update`` (0 when ``None``) is one of them when it is a
    multiple of ``every``.

    Example:
        >>> import torch
        >>> [lazy_factor(4, GANBatch(None, torch.zeros(1), torch.zeros(1), d_update=i))
        ...  for i in range(6)]
        [4, 0, 0, 0, 4, 0]
    """
    index = 0 if batch.d_update is None else batch.d_update
    return every if index % every == 0 else 0
