"""The image data set type that every image loader returns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from gankit.data.transforms import BatchTransform

__all__ = ["ImageDataset"]


def from_uint8(pixels: np.ndarray) -> Tensor:
    """Map uint8 pixels ``(N, C, H, W)`` to float32 in ``[−1, 1]``: ``p / 127.5 − 1``."""
    return torch.from_numpy(np.ascontiguousarray(pixels)).to(torch.float32) / 127.5 - 1.0


class ImageDataset(Dataset[tuple[Tensor, Tensor]]):
    r"""Images in ``[−1, 1]`` with integer class labels, held in memory.

    Every image loader in :mod:`gankit.data` returns one. It is a
    ``torch.utils.data.Dataset`` (``DataLoader`` works on it), and the trainer
    also accepts it directly, shuffling ``images`` and ``labels`` together.
    Loaders map 8-bit pixels ``p`` to

    .. math::
        x = p / 127.5 - 1 \in [-1, 1]

    With a ``transform`` (a :class:`~gankit.data.RandomCrop`, say), ``images``
    holds the stored images and every batch drawn is transformed afresh: the
    trainer applies it to each real batch with a generator of its own, seeded
    from the run's seed and saved in checkpoints, and ``dataset[i]`` applies it
    to one image with the global torch RNG (so a ``DataLoader`` augments too).
    ``shape`` is then the shape of a transformed image, which models are built for.

    Args:
        images: Float32 images in ``[−1, 1]``.
        labels: Int64 class indices in ``[0, len(classes))``.
        classes: One name per class; ``labels[i]`` indexes it.
        transform: A random transform of each drawn batch, or ``None``.

    Attributes:
        images: The stored images, float32 of shape ``(N, C, H, W)``.
        labels: The labels, int64 of shape ``(N,)``.
        classes: Class names, a tuple of ``num_classes`` strings.
        num_classes: ``len(classes)``.
        shape: The shape of **one** served image, ``(C, H, W)`` (after ``transform``).
        transform: The transform, or ``None``.

    Raises:
        TypeError: If ``images`` or ``labels`` is not a tensor of the right dtype,
            a class name is not a string, or ``transform`` is not a transform.
        ValueError: If shapes disagree, ``classes`` is empty, a label is out of
            range, a pixel lies outside ``[−1, 1]``, or the images are too small
            for ``transform``.

    Shape:
        - images: ``(N, C, H, W)``; labels: ``(N,)``; ``dataset[i]``: ``(shape, ())``.

    Example:
        >>> data = ImageDataset(torch.zeros(4, 1, 8, 8), torch.tensor([0, 1, 1, 0]), ("a", "b"))
        >>> len(data), data.shape, data.num_classes
        (4, (1, 8, 8), 2)
        >>> image, label = data[1]
        >>> tuple(image.shape), int(label)
        ((1, 8, 8), 1)
        >>> from gankit.data import RandomCrop
        >>> cropped = ImageDataset(torch.zeros(4, 1, 9, 9), torch.zeros(4, dtype=torch.int64),
        ...                        ("a",), transform=RandomCrop(8))
        >>> cropped.shape, tuple(cropped[0][0].shape), tuple(cropped.images.shape)
        ((1, 8, 8), (1, 8, 8), (4, 1, 9, 9))
    """

    def __init__(
        self, images: Tensor, labels: Tensor, classes: Sequence[str],
        transform: BatchTransform | None = None,
    ) -> None:
        if not isinstance(images, Tensor) or images.dtype != torch.float32:
            raise TypeError(f"images must be a float32 tensor, got {_describe(images)}")
        if images.dim() != 4:
            raise ValueError(f"images must have shape (N, C, H, W), got {tuple(images.shape)}")
        if not isinstance(labels, Tensor) or labels.dtype != torch.int64:
            raise TypeError(f"labels must be an int64 tensor, got {_describe(labels)}")
        if labels.shape != (images.shape[0],):
            raise ValueError(
                f"labels must have shape ({images.shape[0]},) to match images, "
                f"got {tuple(labels.shape)}"
            )
        if isinstance(classes, str) or not all(isinstance(c, str) for c in classes):
            raise TypeError(f"classes must be a sequence of strings, got {classes!r}")
        if len(classes) == 0:
            raise ValueError("classes must name at least one class, got an empty sequence")
        if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= len(classes)):
            raise ValueError(
                f"labels must lie in [0, {len(classes)}) for {len(classes)} classes, "
                f"got values in [{int(labels.min())}, {int(labels.max())}]"
            )
        if images.numel() and not bool(((images >= -1) & (images <= 1)).all()):
            raise ValueError(
                f"images must lie in [-1, 1], got values in "
                f"[{float(images.min())}, {float(images.max())}]"
            )
        if transform is not None:
            if not isinstance(transform, BatchTransform):
                raise TypeError(
                    "transform must be a batch transform such as gankit.data.RandomCrop "
                    f"(a callable with output_shape) or None, got {type(transform).__name__}"
                )
            transform.output_shape(tuple(images.shape[1:]))  # type: ignore[arg-type]
        self.images = images
        self.labels = labels
        self.classes: tuple[str, ...] = tuple(classes)
        self.transform = transform

    @property
    def num_classes(self) -> int:
        """The number of classes, ``len(classes)``."""
        return len(self.classes)

    @property
    def shape(self) -> tuple[int, int, int]:
        """The shape ``(C, H, W)`` of one served image (after the transform, if any)."""
        _, c, h, w = self.images.shape
        return (c, h, w) if self.transform is None else self.transform.output_shape((c, h, w))

    def __len__(self) -> int:
        """The number of images ``N``."""
        return self.images.shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        """Return ``(image, label)``: shapes :attr:`shape` and ``()``.

        With a transform, the image is transformed with the global torch RNG.
        """
        image = self.images[index]
        if self.transform is not None:
            image = self.transform(image[None])[0]
        return image, self.labels[index]

    def stratified_subset(self, fraction: float, seed: int = 0) -> ImageDataset:
        r"""A stratified ``fraction`` of the images: :math:`\lceil f n_k \rceil` of each class.

        The indices are :func:`gankit.data.stratified_fraction`'s (nested:
        a smaller fraction keeps a subset of a larger one's images); the
        classes and the transform are kept.

        Args:
            fraction: ``f`` in ``(0, 1]``.
            seed: Seed of the order in which each class's images are kept.

        Returns:
            A new data set of ``Σ_k ⌈f·n_k⌉`` images.

        Raises:
            ValueError: If ``fraction`` is not in ``(0, 1]``.

        Example:
            >>> data = ImageDataset(torch.zeros(10, 1, 2, 2), torch.tensor([0] * 5 + [1] * 5),
            ...                     ("a", "b"))
            >>> torch.bincount(data.stratified_subset(0.4).labels).tolist()
            [2, 2]
        """
        from gankit.data.split import stratified_fraction

        keep = torch.from_numpy(stratified_fraction(self.labels.numpy(), fraction, seed=seed))
        return ImageDataset(self.images[keep], self.labels[keep], self.classes,
                            transform=self.transform)

    def __repr__(self) -> str:
        extra = "" if self.transform is None else f", transform={self.transform!r}"
        return (
            f"ImageDataset(num_images={len(self)}, shape={self.shape}, "
            f"num_classes={self.num_classes}{extra})"
        )


def _describe(value: object) -> str:
    if isinstance(value, Tensor):
        return f"a tensor of dtype {value.dtype}"
    return type(value).__name__
