r"""Private checks of a packing discriminator (PacGAN, Lin et al. 2018).

A discriminator with ``pack = m`` scores ``m`` samples at once: a batch of
``N`` samples of shape ``in_shape`` becomes ``N / m`` packs, concatenated
along the channels (or the flattened features), and gets ``N / m`` logits.
A pack mixes samples of different labels, so packing and class conditioning
exclude each other.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from gankit._validation import (
    check_labels,
    check_optional_positive_int,
    check_positive_int,
    check_shape,
)

__all__ = ["check_pack", "check_packed_batch"]


def check_pack(pack: object, num_classes: object) -> tuple[int, int | None]:
    """Return a discriminator's ``(pack, num_classes)``; packing excludes labels.

    Args:
        pack: Samples per pack ``m``, an int ``>= 1``.
        num_classes: ``K`` for a conditional discriminator, or ``None``.

    Returns:
        ``pack`` as an ``int`` and ``num_classes`` as an ``int`` or ``None``.

    Raises:
        TypeError: If ``pack`` is not an int, or ``num_classes`` neither ``None`` nor an int.
        ValueError: If either is below 1, or ``pack > 1`` with ``num_classes`` given.

    Example:
        >>> check_pack(2, None)
        (2, None)
    """
    m = check_positive_int(pack, "pack")
    classes = check_optional_positive_int(num_classes, "num_classes")
    if m > 1 and classes is not None:
        raise ValueError(
            f"pack={pack} cannot be combined with num_classes={num_classes}: a pack "
            "mixes samples of different labels; use pack=1 for a conditional model"
        )
    return m, classes


def check_packed_batch(
    x: Tensor, in_shape: Sequence[int], labels: Tensor | None, num_classes: int | None,
    pack: int,
) -> int:
    """Check a discriminator's input batch and return its size ``N``.

    Args:
        x: Samples of shape ``(N, *in_shape)``.
        in_shape: The shape of one sample.
        labels: Class labels of shape ``(N,)`` when conditional, else ``None``.
        num_classes: ``K``, or ``None`` for an unconditional discriminator.
        pack: Samples per pack ``m``.

    Returns:
        ``N``, a multiple of ``pack``.

    Raises:
        ValueError: If ``x`` has the wrong shape, ``N`` is not divisible by
            ``pack``, or labels are given to an unconditional model, missing,
            mis-shaped or out of range.

    Example:
        >>> import torch
        >>> check_packed_batch(torch.zeros(4, 2), (2,), None, None, pack=2)
        4
    """
    check_shape(x, (None, *in_shape), "x")
    n = x.shape[0]
    check_labels(labels, n, num_classes)
    if n % pack:
        raise ValueError(
            f"x has {n} samples, which is not divisible by pack={pack}; "
            f"give a batch size that is a multiple of {pack}"
        )
    return n
