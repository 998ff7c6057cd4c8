"""Private size arithmetic of the DCGAN models: which square sizes work and how."""

from __future__ import annotations

__all__ = ["SUPPORTED_SIZES_TEXT", "dcgan_plan"]

#: How the supported sizes are described in error messages and docstrings.
SUPPORTED_SIZES_TEXT = (
    "4·2^k or 7·2^k with k >= 1, i.e. 8, 14, 16, 28, 32, 56, 64, 112, 128, 224, 256, ..."
)


def dcgan_plan(size: int, name: str) -> tuple[int, int]:
    r"""Split an image size into a start size and a number of stride-2 stages.

    A DCGAN generator projects ``z`` to a ``start x start`` feature map and
    doubles its size ``stages`` times; the discriminator halves the image
    ``stages`` times down to ``start x start``:

    .. math::

        \text{size} = \text{start} \cdot 2^{\text{stages}}, \qquad
        \text{start} \in \{4, 7\}, \; \text{stages} \ge 1.

    Args:
        size: The image height (= width).
        name: The argument's name, used in the error message.

    Returns:
        ``(start, stages)``.

    Raises:
        ValueError: If ``size`` has no such form (the message lists the sizes that work).

    Example:
        >>> dcgan_plan(64, "out_shape"), dcgan_plan(28, "out_shape")
        ((4, 4), (7, 2))
    """
    for start in (4, 7):
        ratio = size // start
        if size % start == 0 and ratio >= 2 and ratio & (ratio - 1) == 0:
            return start, ratio.bit_length() - 1
    raise ValueError(
        f"{name} has spatial size {size}, which the DCGAN models do not support; "
        f"supported square sizes are {SUPPORTED_SIZES_TEXT}"
    )
