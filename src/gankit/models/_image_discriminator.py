"""Private: what the image discriminators share from their features to their logits.

:class:`ImageDiscriminator` holds the checked, packed forward pass and ACGAN's
class head for :class:`~gankit.models.DCGANDiscriminator` and
:class:`~gankit.models.ResNetDiscriminator`; each subclass builds ``features``
(packs ``(N/m, m·C, H, W)`` to ``(N/m, F)``), ``head`` (a projection head) and
``class_head`` (a linear layer or ``None``).
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn

from gankit._validation import check_optional_positive_int
from gankit.models._packing import check_packed_batch
from gankit.models.pretrained_mixin import PretrainedMixin

__all__ = ["ImageDiscriminator", "check_aux_classes", "projection_labels"]


def check_aux_classes(aux_classes: object, pack: int) -> int | None:
    """Return a discriminator's class-head size ``K`` (ACGAN), or ``None``.

    Args:
        aux_classes: ``K`` for a class head beside the real/fake logit, or ``None``.
        pack: The discriminator's ``pack``; a pack has no single class.

    Raises:
        TypeError: If ``aux_classes`` is neither ``None`` nor an int.
        ValueError: If it is below 1, or combined with ``pack > 1``.

    Example:
        >>> check_aux_classes(10, pack=1)
        10
    """
    classes = check_optional_positive_int(aux_classes, "aux_classes")
    if classes is not None and pack > 1:
        raise ValueError(
            f"aux_classes={aux_classes} cannot be combined with pack={pack}: a pack of "
            "samples has no single class; use pack=1 for an ACGAN discriminator"
        )
    return classes


def projection_labels(
    labels: Tensor | None, num_classes: int | None, aux_classes: int | None
) -> Tensor | None:
    """The labels the real/fake logit sees: an ACGAN discriminator without projection ignores them.

    The trainer hands a conditional run's labels to the discriminator; one with
    a class head (``aux_classes``) but no projection (``num_classes=None``)
    judges real/fake without them.

    Example:
        >>> import torch
        >>> projection_labels(torch.tensor([1]), None, 10) is None
        True
    """
    return None if num_classes is None and aux_classes is not None else labels


class ImageDiscriminator(PretrainedMixin, nn.Module):
    """The forward pass of an image discriminator from its parts (a private base class).

    Subclasses set ``in_shape``, ``pack``, ``num_classes``, ``aux_classes``,
    ``features``, ``head`` and ``class_head``.
    """

    in_shape: tuple[int, int, int]
    pack: int
    num_classes: int | None
    aux_classes: int | None
    features: Callable[[Tensor], Tensor]
    head: nn.Module
    class_head: nn.Module | None

    def _features(self, x: Tensor, labels: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """The checked batch's features ``(N / pack, F)`` and the labels the logit sees."""
        labels = projection_labels(labels, self.num_classes, self.aux_classes)
        n = check_packed_batch(x, self.in_shape, labels, self.num_classes, self.pack)
        c, h, w = self.in_shape
        return self.features(x.reshape(n // self.pack, self.pack * c, h, w)), labels

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        """Return one logit per image (or per pack of ``pack`` images).

        Args:
            x: Images of shape ``(N, C, H, W)``.
            labels: Class labels of shape ``(N,)`` when conditional, else ``None``
                (ignored by an ACGAN discriminator without projection).

        Returns:
            Logits of shape ``(N // pack,)``.

        Raises:
            ValueError: If ``x`` has the wrong shape, ``N`` is not divisible by
                ``pack``, or labels are given to an unconditional model,
                missing, mis-shaped or out of range.
        """
        phi, labels = self._features(x, labels)
        out: Tensor = self.head(phi, labels)  # (N / m,)
        return out

    def logits_and_classes(
        self, x: Tensor, labels: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """The real/fake logits and the class head's logits, from one forward pass (ACGAN).

        Args:
            x: Images of shape ``(N, C, H, W)``.
            labels: Class labels ``(N,)``, used by the logit only with ``num_classes``.

        Returns:
            Logits ``(N,)`` and class logits ``(N, aux_classes)``.

        Raises:
            ValueError: If the model has no class head (``aux_classes=None``),
                or as :meth:`forward`.
        """
        if self.class_head is None:
            raise ValueError(
                f"{type(self).__name__} has no class head; build it with aux_classes=K"
            )
        phi, labels = self._features(x, labels)
        classes: Tensor = self.class_head(phi)  # (N, aux_classes)
        return self.head(phi, labels), classes
