"""Private size arithmetic of the convolutional models: which square sizes work and how.

The DCGAN and ResNet models share one family of image sizes, a start size
doubled a number of times, and one way of naming the feature-map sizes at which
a :class:`~gankit.models.SelfAttention2d` block can be inserted.
"""

from __future__ import annotations

from collections.abc import Sequence

from gankit._validation import check_optional_positive_int

__all__ = ["SUPPORTED_SIZES_TEXT", "check_attention_resolution", "size_plan"]

#: How the supported sizes are described in error messages and docstrings.
SUPPORTED_SIZES_TEXT = (
    "4·2^k or 7·2^k with k >= 1, i.e. 8, 14, 16, 28, 32, 56, 64, 112, 128, 224, 256, ..."
)


def size_plan(size: int, name: str, family: str = "DCGAN") -> tuple[int, int]:
    r"""Split an image size into a start size and a number of stride-2 stages.

    A generator projects ``z`` to a ``start x start`` feature map and doubles
    its size ``stages`` times; a discriminator halves the image:

    .. math::

        \text{size} = \text{start} \cdot 2^{\text{stages}}, \qquad
        \text{start} \in \{4, 7\}, \; \text{stages} \ge 1.

    Args:
        size: The image height (= width).
        name: The argument's name, used in the error message.
        family: The models' name in the error message (``"DCGAN"``, ``"ResNet"``).

    Returns:
        ``(start, stages)``.

    Raises:
        ValueError: If ``size`` has no such form (the message lists the sizes that work).

    Example:
        >>> size_plan(64, "out_shape"), size_plan(28, "out_shape")
        ((4, 4), (7, 2))
    """
    for start in (4, 7):
        ratio = size // start
        if size % start == 0 and ratio >= 2 and ratio & (ratio - 1) == 0:
            return start, ratio.bit_length() - 1
    raise ValueError(
        f"{name} has spatial size {size}, which the {family} models do not support; "
        f"supported square sizes are {SUPPORTED_SIZES_TEXT}"
    )


def check_attention_resolution(resolution: object, valid: Sequence[int],
                               name: str = "attention_resolution") -> int | None:
    """Return ``resolution`` if it is ``None`` or one of a model's feature-map sizes.

    Args:
        resolution: The side of the feature map after which to insert
            self-attention, or ``None`` for none.
        valid: The sides of the feature maps the model's stages produce.
        name: The argument's name, used in the error message.

    Returns:
        ``resolution`` as an ``int``, or ``None``.

    Raises:
        TypeError: If ``resolution`` is neither ``None`` nor an int.
        ValueError: If it is not one of ``valid`` (the message lists them).

    Example:
        >>> check_attention_resolution(16, (8, 16, 32))
        16
    """
    value = check_optional_positive_int(resolution, name)
    if value is not None and value not in valid:
        raise ValueError(
            f"{name}={value} is not the size of a feature map of this model; "
            f"valid sizes: {sorted(valid)} or None"
        )
    return value
