"""Random transforms applied to every batch drawn from an :class:`~gankit.data.ImageDataset`.

A transform takes a batch and a ``torch.Generator`` and returns the changed
batch; all its randomness comes from that generator. The trainer owns the
generator (seeded from the run's seed, saved in every checkpoint), so
augmented runs are reproducible and resume exactly.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch
from torch import Tensor

from gankit._validation import check_generator, check_positive_int

__all__ = ["BatchTransform", "RandomCrop"]


@runtime_checkable
class BatchTransform(Protocol):
    """What :class:`~gankit.data.ImageDataset` accepts as ``transform``.

    Shape:
        - ``__call__``: ``(B, C, H, W)`` in, ``(B, *output_shape((C, H, W)))`` out.
    """

    def __call__(self, images: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Transform a batch, drawing from ``generator`` (the global RNG if ``None``)."""
        ...

    def output_shape(self, shape: tuple[int, int, int]) -> tuple[int, int, int]:
        """The shape ``(C, H', W')`` of one output image for an input image of ``shape``."""
        ...


class RandomCrop:
    r"""Crop every image of a batch to ``size × size`` at its own random offset.

    For an image of height :math:`H` and width :math:`W`, the top-left corner
    :math:`(i, j)` of the crop is uniform on
    :math:`\{0, \dots, H - s\} \times \{0, \dots, W - s\}`, drawn independently
    for each image (the ``B`` row offsets first, then the ``B`` column
    offsets), so every crop lies inside its image. An image of exactly
    ``size × size`` comes back unchanged.

    Args:
        size: The side ``s`` of the crops in pixels.

    Raises:
        TypeError: If ``size`` is not an int.
        ValueError: If ``size < 1``.

    Shape:
        - Input: ``(B, C, H, W)`` with ``H, W >= size``.
        - Output: ``(B, C, size, size)``.

    Example:
        >>> crop = RandomCrop(2)
        >>> images = torch.arange(16.0).reshape(1, 1, 4, 4)
        >>> out = crop(images, generator=torch.Generator().manual_seed(0))
        >>> tuple(out.shape), crop.output_shape((1, 4, 4))
        ((1, 1, 2, 2), (1, 2, 2))
        >>> crop
        RandomCrop(size=2)
    """

    def __init__(self, size: int) -> None:
        self.size = check_positive_int(size, "size")

    def output_shape(self, shape: tuple[int, int, int]) -> tuple[int, int, int]:
        """The shape of one crop, ``(C, size, size)``, of an image of ``shape`` ``(C, H, W)``.

        Raises:
            ValueError: If the image is smaller than ``size`` on a side.
        """
        c, h, w = shape
        self._check_fits(h, w)
        return (c, self.size, self.size)

    def __call__(self, images: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Crop each image of ``images`` at an offset drawn from ``generator``.

        Args:
            images: A batch ``(B, C, H, W)``.
            generator: A CPU ``torch.Generator``; the global torch RNG if ``None``.

        Returns:
            The crops, ``(B, C, size, size)``, on the device of ``images``.

        Raises:
            TypeError: If ``images`` is not a tensor or ``generator`` not a generator.
            ValueError: If ``images`` is not 4-D or is smaller than ``size``.
        """
        if not isinstance(images, Tensor):
            raise TypeError(f"RandomCrop takes a tensor, got {type(images).__name__}")
        if images.dim() != 4:
            raise ValueError(
                f"RandomCrop takes a batch of shape (B, C, H, W), got {tuple(images.shape)}"
            )
        check_generator(generator)
        b, _, h, w = images.shape
        self._check_fits(h, w)
        s = self.size
        top = torch.randint(0, h - s + 1, (b,), generator=generator)  # (B,)
        left = torch.randint(0, w - s + 1, (b,), generator=generator)  # (B,)
        steps = torch.arange(s)
        rows = (top[:, None] + steps).to(images.device)  # (B, s)
        cols = (left[:, None] + steps).to(images.device)  # (B, s)
        batch = torch.arange(b, device=images.device)[:, None, None]  # (B, 1, 1)
        # Advanced indices around the channel slice put their dims first: (B, s, s, C).
        crops = images[batch, :, rows[:, :, None], cols[:, None, :]]
        return crops.permute(0, 3, 1, 2).contiguous()  # (B, C, s, s)

    def _check_fits(self, h: int, w: int) -> None:
        if h < self.size or w < self.size:
            raise ValueError(
                f"RandomCrop(size={self.size}) needs images of at least {self.size} × "
                f"{self.size} pixels, got {h} × {w}"
            )

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size})"
