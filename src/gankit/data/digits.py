"""scikit-learn's bundled 8×8 handwritten digits, with a fixed held-out split."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gankit.data._dataset import ImageDataset
from gankit.data._files import check_split
from gankit.data.split import stratified_split

__all__ = ["digits", "digits_split_indices"]

HELD_OUT_PER_CLASS = 30  # 10 classes × 30 = 300 held out, 1,497 for training
SPLIT_SEED = 0  # numpy's legacy RandomState: its stream is frozen across versions
_SIZES = (8, 16, 32)


def _load_sklearn() -> tuple[np.ndarray, np.ndarray]:
    """Return sklearn's digits as ``(images (1797, 8, 8) float64, target (1797,) int)``."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(
            'gankit.data.digits needs scikit-learn: pip install "gankit[extras]"'
        ) from error
    bunch = load_digits()
    return bunch.images, bunch.target


def digits_split_indices(target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fixed stratified split: ``HELD_OUT_PER_CLASS`` images of each class held out.

    The images are visited in the order of ``RandomState(0).permutation(N)``;
    the first 30 of each class go to the held-out (test) part. Both index
    arrays come back sorted, so the split is identical across calls, machines
    and numpy versions.

    Args:
        target: Class labels, shape ``(N,)``; each class needs more than 30 images.

    Returns:
        ``(train_indices, test_indices)``, sorted int64 arrays.

    Raises:
        ValueError: If a class has at most ``HELD_OUT_PER_CLASS`` images.

    Shape:
        - target: ``(N,)``; outputs: ``(N − 30K,)`` and ``(30K,)`` for ``K`` classes.

    Example:
        >>> train, test = digits_split_indices(np.repeat(np.arange(2), 40))
        >>> len(train), len(test), int(np.isin(test, train).sum())
        (20, 60, 0)
    """
    return stratified_split(target, HELD_OUT_PER_CLASS, SPLIT_SEED)


def digits(split: str = "train", size: int = 8) -> ImageDataset:
    r"""The 1,797 8×8 handwritten digits bundled with scikit-learn; nothing is downloaded.

    Pixels count ink from 0 to 16 and map to ``[−1, 1]``; for ``size`` 16 or
    32 the images are upsampled bilinearly (``align_corners=False``) and
    clamped back to ``[−1, 1]``:

    .. math::
        x = p / 8 - 1, \quad p \in \{0, \dots, 16\}

    The split is fixed and stratified (:func:`digits_split_indices`): 30
    images of each digit are held out (``"test"``, 300 images), the other
    1,497 are ``"train"``; ``"all"`` gives all 1,797 in scikit-learn's order.

    Args:
        split: ``"train"``, ``"test"`` or ``"all"``.
        size: Output side, 8 (native), 16 or 32.

    Returns:
        An :class:`~gankit.data.ImageDataset` with ``classes = ("0", …, "9")``.

    Raises:
        ImportError: If scikit-learn is not installed.
        ValueError: If ``split`` or ``size`` is not one of the allowed values.

    Shape:
        - images: ``(N, 1, size, size)``; labels: ``(N,)``.

    Example:
        >>> train, test = digits("train"), digits("test", size=32)
        >>> len(train), len(test), test.shape
        (1497, 300, (1, 32, 32))
        >>> train.images.min().item(), train.images.max().item()
        (-1.0, 1.0)
    """
    split = check_split(split, ("train", "test", "all"))
    if isinstance(size, bool) or not isinstance(size, int) or size not in _SIZES:
        raise ValueError(f"size must be 8, 16 or 32, got {size!r}")
    pixels, target = _load_sklearn()
    if split != "all":
        train, test = digits_split_indices(target)
        keep = train if split == "train" else test
        pixels, target = pixels[keep], target[keep]
    images = torch.from_numpy(pixels).to(torch.float32).unsqueeze(1) / 8.0 - 1.0  # (N, 1, 8, 8)
    if size != 8:
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
        images = images.clamp(-1.0, 1.0)
    labels = torch.from_numpy(np.asarray(target, dtype=np.int64))
    return ImageDataset(images.contiguous(), labels, tuple(str(k) for k in range(10)))
