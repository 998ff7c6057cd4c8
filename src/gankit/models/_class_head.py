"""Private ACGAN machinery of the discriminators: the class head's size and its labels."""

from __future__ import annotations

from torch import Tensor

from gankit._validation import check_optional_positive_int

__all__ = ["check_aux_classes", "projection_labels"]


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
