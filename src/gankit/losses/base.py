"""The loss protocol: terms that compose with ``+`` and scalar weights.

A GAN loss has two halves, one minimised by the discriminator and one by the
generator. In gankit each half is a mapping from *term names* to scalar
tensors; the half's value is the sum of the mapping. Terms compose::

    loss = NSGAN() + 10.0 * R1Penalty()
    terms = loss.discriminator_terms(batch)  # {"nsgan": ..., "r1": ...}

All terms of one step share one :class:`GANBatch`, which evaluates the
discriminator on the real and the fake batch lazily and at most once, so a
composed loss never runs ``D(real)`` twice.

Loss objects only compute tensors: they never call ``backward()``, step an
optimizer, sample noise or call ``.item()``. The trainer owns all of that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from numbers import Real
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

__all__ = ["CompositeLoss", "GANBatch", "Loss", "LossTerm", "ScaledLoss"]


class GANBatch:
    """The inputs of one loss evaluation, with cached discriminator outputs.

    Args:
        discriminator: The discriminator ``D``, called as ``D(x)`` or ``D(x, labels)``.
        real: A batch of real samples, shape ``(N, *S)``.
        fake: A batch of generated samples, shape ``(M, *S)``. Detached for a
            discriminator step; attached to the generator's graph for a
            generator step.
        labels: Class labels of ``real``, shape ``(N,)``, for conditional models.
        fake_labels: Class labels ``fake`` was generated for, shape ``(M,)``.
        rand: Draws ``n`` numbers from U[0, 1) for terms that need per-sample
            randomness (the gradient penalty's mixing weights); ``None`` uses
            ``torch.rand`` on the global RNG. The trainer replaces it in
            distributed runs so that each process draws its own shard.
        d_update: The index of the discriminator update this batch belongs to,
            counted from 0 over the whole run (the trainer passes
            ``step · d_steps + i``, restored with the step on resume); lazy
            regularisers (``R1Penalty(every=k)``) act on every ``k``-th. ``None``
            outside a trainer, read as update 0.

    Attributes:
        real_logits: ``D(real)`` of shape ``(N,)``, computed on first access
            (``(N / pack,)`` for a packed discriminator with a ``pack`` attribute).
        fake_logits: ``D(fake)`` of shape ``(M,)``, computed on first access.
        real_class_logits: The class head's scores on ``real``, ``(N, K)``, for
            a discriminator with one (an ``aux_classes`` attribute and a
            ``logits_and_classes(x, labels)`` method, e.g.
            ``DCGANDiscriminator(..., aux_classes=K)``): computed in the same
            forward pass as ``real_logits``.
        fake_class_logits: Likewise on ``fake``, ``(M, K)``.

    Example:
        >>> import torch
        >>> d = torch.nn.Linear(2, 1)
        >>> batch = GANBatch(lambda x: d(x).squeeze(1), torch.zeros(4, 2), torch.ones(3, 2))
        >>> batch.real_logits.shape, batch.fake_logits.shape
        (torch.Size([4]), torch.Size([3]))
    """

    def __init__(
        self,
        discriminator: nn.Module,
        real: Tensor,
        fake: Tensor,
        labels: Tensor | None = None,
        fake_labels: Tensor | None = None,
        rand: Callable[[int, torch.device, torch.dtype], Tensor] | None = None,
        *,
        d_update: int | None = None,
    ) -> None:
        self.discriminator = discriminator
        self.d_update = d_update
        self._rand = rand
        self.real = real
        self.fake = fake
        self.labels = labels
        self.fake_labels = fake_labels
        self._real_logits: Tensor | None = None
        self._fake_logits: Tensor | None = None
        self._real_classes: Tensor | None = None
        self._fake_classes: Tensor | None = None

    def _call(self, x: Tensor, labels: Tensor | None, name: str) -> tuple[Tensor, Tensor | None]:
        """``(D(x), class logits or None)``, checked; one forward pass."""
        d: Any = self.discriminator
        classes: Tensor | None = None
        if getattr(d, "aux_classes", None) is not None:
            out, classes = d.logits_and_classes(x, labels)
        else:
            out = d(x) if labels is None else d(x, labels)
        # A packed discriminator (PacGAN) judges `pack` samples at a time.
        expected = x.shape[0] // int(getattr(d, "pack", 1))
        if not isinstance(out, Tensor) or out.dim() != 1 or out.shape[0] != expected:
            shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
            raise ValueError(
                f"the discriminator must return logits of shape ({expected},) for "
                f"{name}, got {shape}"
            )
        return out, classes

    def logits(self, x: Tensor, labels: Tensor | None = None, *,
               name: str = "the batch") -> Tensor:
        """``D(x)`` or ``D(x, labels)`` on any batch, checked like :attr:`real_logits`; not cached.

        For terms that judge batches of their own, e.g. augmented copies (bCR).

        Shape:
            - x: ``(N, *S)``; labels: ``(N,)``.
            - Output: ``(N // pack,)``.
        """
        return self._call(x, labels, name)[0]

    def _classes(self, cached: Tensor | None, name: str) -> Tensor:
        if cached is None:
            raise ValueError(
                f"class logits of {name} need a discriminator with a class head (an "
                "aux_classes attribute and logits_and_classes(), e.g. "
                f"DCGANDiscriminator(..., aux_classes=K)); got {type(self.discriminator).__name__}"
            )
        return cached

    def rand(self, n: int) -> Tensor:
        """``n`` draws from U[0, 1), shape ``(n,)``, on the real batch's device and dtype."""
        dtype = self.real.dtype if self.real.is_floating_point() else torch.float32
        if self._rand is None:
            return torch.rand(n, device=self.real.device, dtype=dtype)
        return self._rand(n, self.real.device, dtype)

    @property
    def real_logits(self) -> Tensor:
        """``D(real)``, shape ``(N,)``; evaluated once and cached."""
        if self._real_logits is None:
            self._real_logits, self._real_classes = self._call(
                self.real, self.labels, "the real batch")
        return self._real_logits

    @property
    def fake_logits(self) -> Tensor:
        """``D(fake)``, shape ``(M,)``; evaluated once and cached."""
        if self._fake_logits is None:
            self._fake_logits, self._fake_classes = self._call(
                self.fake, self.fake_labels, "the fake batch")
        return self._fake_logits

    @property
    def real_class_logits(self) -> Tensor:
        """The class head's scores on ``real``, ``(N, K)``, from ``real_logits``' forward pass."""
        self.real_logits  # noqa: B018 - evaluates D once, caching both outputs
        return self._classes(self._real_classes, "the real batch")

    @property
    def fake_class_logits(self) -> Tensor:
        """The class head's scores on ``fake``, ``(M, K)``, from ``fake_logits``' forward pass."""
        self.fake_logits  # noqa: B018
        return self._classes(self._fake_classes, "the fake batch")

    @property
    def computed_real_logits(self) -> Tensor | None:
        """``D(real)`` if some term already evaluated it, else ``None`` (no extra forward)."""
        return self._real_logits

    @property
    def computed_fake_logits(self) -> Tensor | None:
        """``D(fake)`` if some term already evaluated it, else ``None`` (no extra forward)."""
        return self._fake_logits


class Loss:
    """Base class of every gankit loss: two named-term halves that compose.

    Subclasses implement :meth:`discriminator_terms` and :meth:`generator_terms`;
    most user code subclasses :class:`LossTerm` instead, which needs only two
    small methods. ``a + b`` and ``w * a`` build :class:`CompositeLoss` and
    :class:`ScaledLoss`.

    Attributes:
        config_keys: The constructor arguments that a config file may set; each
            is also an attribute holding its value (see :meth:`get_config`).
    """

    config_keys: ClassVar[tuple[str, ...]] = ()

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this loss.

        Returns:
            ``{key: getattr(self, key)}`` for every key of :attr:`config_keys`.

        Example:
            >>> from gankit.losses import GradientPenalty
            >>> GradientPenalty(5).get_config()
            {'weight': 5.0, 'target': 1.0, 'every': 1}
        """
        return {key: getattr(self, key) for key in self.config_keys}

    def discriminator_terms(self, batch: GANBatch) -> dict[str, Tensor]:
        """Return the discriminator's loss terms, each a 0-dim tensor to be summed.

        Args:
            batch: The real and the (detached) fake batch of this step.

        Returns:
            A mapping from term name to the term's weighted contribution.
        """
        raise NotImplementedError

    def generator_terms(self, batch: GANBatch) -> dict[str, Tensor]:
        """Return the generator's loss terms, each a 0-dim tensor to be summed.

        Args:
            batch: The real batch and the fake batch, attached to the generator.

        Returns:
            A mapping from term name to the term's weighted contribution.
        """
        raise NotImplementedError

    def terms(self) -> Iterator[tuple[float, LossTerm]]:
        """Yield ``(weight, term)`` for every leaf term of this loss."""
        raise NotImplementedError

    # Convenience forms -------------------------------------------------
    def discriminator_loss(
        self,
        discriminator: nn.Module,
        real: Tensor,
        fake: Tensor,
        *,
        labels: Tensor | None = None,
        fake_labels: Tensor | None = None,
    ) -> Tensor:
        """The discriminator's total loss: the sum of :meth:`discriminator_terms`.

        ``fake`` is used as given; detach it yourself for a discriminator step.

        Shape:
            - real: ``(N, *S)``; fake: ``(M, *S)``; labels: ``(N,)``; fake_labels: ``(M,)``.
            - Output: ``()``.
        """
        batch = GANBatch(discriminator, real, fake, labels, fake_labels)
        return total(self.discriminator_terms(batch), real)

    def generator_loss(
        self,
        discriminator: nn.Module,
        fake: Tensor,
        *,
        real: Tensor | None = None,
        labels: Tensor | None = None,
        fake_labels: Tensor | None = None,
    ) -> Tensor:
        """The generator's total loss: the sum of :meth:`generator_terms`.

        ``real`` is needed only by terms that look at real data (for example a
        relativistic loss); the built-in generator losses do not.

        Shape:
            - fake: ``(M, *S)``; real: ``(N, *S)``; fake_labels: ``(M,)``.
            - Output: ``()``.
        """
        placeholder = fake.new_empty((0, *fake.shape[1:])) if real is None else real
        batch = GANBatch(discriminator, placeholder, fake, labels, fake_labels)
        return total(self.generator_terms(batch), fake)

    # Composition --------------------------------------------------------
    def __add__(self, other: object) -> CompositeLoss:
        if not isinstance(other, Loss):
            return NotImplemented
        return CompositeLoss([self, other])

    def __mul__(self, weight: object) -> ScaledLoss:
        if isinstance(weight, bool) or not isinstance(weight, Real):
            return NotImplemented
        return ScaledLoss(self, float(weight))

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LossTerm(Loss):
    """A leaf loss term: override :meth:`discriminator` and/or :meth:`generator`.

    A term contributes to the discriminator's loss, the generator's loss, or both;
    a half it does not take part in returns ``None``. The term's ``name`` keys its
    value in the logs.

    Example:
        A custom term that pulls the mean of the fake logits towards zero::

            >>> import torch
            >>> class LogitCentering(LossTerm):
            ...     name = "centering"
            ...     def discriminator(self, batch):
            ...         return batch.fake_logits.mean() ** 2
            >>> d = torch.nn.Linear(2, 1)
            >>> loss = 0.5 * LogitCentering()
            >>> batch = GANBatch(lambda x: d(x).squeeze(1), torch.zeros(4, 2), torch.ones(4, 2))
            >>> sorted(loss.discriminator_terms(batch))
            ['centering']
    """

    name: str = "term"

    def discriminator(self, batch: GANBatch) -> Tensor | None:
        """This term's contribution to the discriminator's loss, or ``None``."""
        return None

    def generator(self, batch: GANBatch) -> Tensor | None:
        """This term's contribution to the generator's loss, or ``None``."""
        return None

    def discriminator_terms(self, batch: GANBatch) -> dict[str, Tensor]:  # noqa: D102
        value = self.discriminator(batch)
        return {} if value is None else {self.name: _check_term(self, "discriminator", value)}

    def generator_terms(self, batch: GANBatch) -> dict[str, Tensor]:  # noqa: D102
        value = self.generator(batch)
        return {} if value is None else {self.name: _check_term(self, "generator", value)}

    def terms(self) -> Iterator[tuple[float, LossTerm]]:  # noqa: D102
        yield 1.0, self


def _check_term(term: LossTerm, half: str, value: object) -> Tensor:
    """``value`` if it is a scalar floating-point tensor, else a TypeError naming the term."""
    if isinstance(value, Tensor) and value.dim() == 0 and value.is_floating_point():
        return value
    if isinstance(value, Tensor):
        got = f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    else:
        got = f"a {type(value).__name__} ({value!r})"
    raise TypeError(
        f"loss term {term!r} (name {term.name!r}) returned {got} from {half}(); a term "
        "must return a scalar floating-point tensor (e.g. .mean() over the batch) or None"
    )


class ScaledLoss(Loss):
    """A loss multiplied by a constant weight: ``weight * loss``.

    Every term's contribution is multiplied by ``weight``; names are kept.
    """

    def __init__(self, loss: Loss, weight: float) -> None:
        if not isinstance(loss, Loss):
            raise TypeError(f"ScaledLoss needs a Loss, got {type(loss).__name__}")
        if not torch.isfinite(torch.tensor(float(weight))):
            raise ValueError(f"a loss weight must be finite, got {weight}")
        self.loss = loss
        self.weight = float(weight)

    def discriminator_terms(self, batch: GANBatch) -> dict[str, Tensor]:  # noqa: D102
        return {k: self.weight * v for k, v in self.loss.discriminator_terms(batch).items()}

    def generator_terms(self, batch: GANBatch) -> dict[str, Tensor]:  # noqa: D102
        return {k: self.weight * v for k, v in self.loss.generator_terms(batch).items()}

    def terms(self) -> Iterator[tuple[float, LossTerm]]:  # noqa: D102
        for w, term in self.loss.terms():
            yield self.weight * w, term

    def __repr__(self) -> str:
        return f"{self.weight!r} * {self.loss!r}"


class CompositeLoss(Loss):
    """The sum of several losses: ``a + b + ...``.

    Term names are made unique by appending ``_2``, ``_3``, ... to repeats, so
    every term is logged separately. The discriminator outputs are shared
    through the one :class:`GANBatch`, so each is computed once.
    """

    def __init__(self, losses: list[Loss]) -> None:
        flat: list[Loss] = []
        for loss in losses:
            if not isinstance(loss, Loss):
                raise TypeError(f"CompositeLoss needs Loss objects, got {type(loss).__name__}")
            flat.extend(loss.losses if type(loss) is CompositeLoss else [loss])
        self.losses: list[Loss] = flat

    @staticmethod
    def _merge(parts: list[Mapping[str, Tensor]]) -> dict[str, Tensor]:
        merged: dict[str, Tensor] = {}
        for part in parts:
            for name, value in part.items():
                key, i = name, 2
                while key in merged:
                    key, i = f"{name}_{i}", i + 1
                merged[key] = value
        return merged

    def discriminator_terms(self, batch: GANBatch) -> dict[str, Tensor]:  # noqa: D102
        return self._merge([loss.discriminator_terms(batch) for loss in self.losses])

    def generator_terms(self, batch: GANBatch) -> dict[str, Tensor]:  # noqa: D102
        return self._merge([loss.generator_terms(batch) for loss in self.losses])

    def terms(self) -> Iterator[tuple[float, LossTerm]]:  # noqa: D102
        for loss in self.losses:
            yield from loss.terms()

    def __repr__(self) -> str:
        return " + ".join(repr(loss) for loss in self.losses)


def total(terms: Mapping[str, Tensor], like: Tensor) -> Tensor:
    """Sum a mapping of loss terms; an empty mapping sums to a zero on ``like``'s device."""
    values = list(terms.values())
    if not values:
        return like.new_zeros(())
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out
