"""Stacked MNIST: three random digits as the R, G and B channels, 1,000 modes.

VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018, Table 2) measure
mode collapse on real digits this way: each image stacks three digits drawn
at random, so its mode is the triple of their classes, one of 10³ = 1,000.
"""

from __future__ import annotations

import torch

from gankit._validation import check_positive_int
from gankit.data._dataset import ImageDataset

__all__ = ["stacked_mnist"]


def stacked_mnist(
    digits: ImageDataset, n: int = 128_000, *, generator: torch.Generator | None = None
) -> ImageDataset:
    r"""Stack three random digits of ``digits`` per image: ``n`` images of shape ``(3, H, W)``.

    Each image's channels are independent uniform draws (with replacement)
    from ``digits``; its label is the mode ``100·y_R + 10·y_G + y_B``:

    .. math::
        x_i = (d_{a_i}, d_{b_i}, d_{c_i}), \qquad
        y_i = 100\, y_{a_i} + 10\, y_{b_i} + y_{c_i}

    Args:
        digits: Grey digits ``(N, 1, H, W)`` with labels 0–9, e.g.
            ``gankit.data.mnist_bundled("train")``.
        n: How many stacked images (PacGAN: 128,000).
        generator: The RNG of the draws (default: torch's global one).

    Returns:
        An :class:`~gankit.data.ImageDataset` with 1,000 classes ``"000"`` … ``"999"``.

    Raises:
        TypeError: If ``digits`` is not an ImageDataset.
        ValueError: If the digits are not single-channel with labels in 0–9, or ``n < 1``.

    Shape:
        - Output images: ``(n, 3, H, W)``; labels ``(n,)`` in ``[0, 1000)``.

    Example:
        >>> from gankit.data import digits
        >>> data = stacked_mnist(digits("test"), 500, generator=torch.Generator().manual_seed(0))
        >>> data.shape, data.num_classes, len(data)
        ((3, 8, 8), 1000, 500)
    """
    if not isinstance(digits, ImageDataset):
        raise TypeError(f"digits must be an ImageDataset, got {type(digits).__name__}")
    n = check_positive_int(n, "n")
    if digits.shape[0] != 1 or digits.num_classes != 10:
        raise ValueError(
            f"digits must be grey (1 channel) with 10 classes, got shape {digits.shape} and "
            f"{digits.num_classes} classes"
        )
    picks = torch.randint(0, len(digits), (n, 3), generator=generator)  # (n, 3)
    images = digits.images[picks.flatten()].reshape(n, 3, *digits.shape[1:])  # (n, 3, H, W)
    y = digits.labels[picks]  # (n, 3)
    labels = 100 * y[:, 0] + 10 * y[:, 1] + y[:, 2]
    return ImageDataset(images, labels, tuple(f"{k:03d}" for k in range(1000)))
