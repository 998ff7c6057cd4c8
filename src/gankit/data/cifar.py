"""CIFAR-10 from the local "python version" batches, unpickled safely."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from gankit.data._dataset import ImageDataset, from_uint8
from gankit.data._errors import DataError, DataNotFoundError
from gankit.data._files import check_split, find_file, require_folder
from gankit.data._unpickler import safe_load

__all__ = ["CIFAR10_CLASSES", "cifar10"]

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
_PIXELS = 3 * 32 * 32  # one row of b"data": the R plane, then G, then B, each 32×32 row-major
_BATCHES = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}
_HINT = (
    "download the 'CIFAR-10 python version' from https://www.cs.toronto.edu/~kriz/cifar.html, "
    "extract it and pass the extracted folder; gankit never downloads"
)


def _read_batch(file: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(data (N, 3072) uint8, labels (N,) int64)`` of one batch file."""
    try:
        with file.open("rb") as stream:
            batch = safe_load(stream)
    except Exception as error:  # malformed input can fail in many ways; all mean "corrupt"
        raise DataError(f"cannot read the CIFAR-10 batch {file}: {error}") from error
    if not isinstance(batch, dict):
        raise DataError(f"{file} holds a {type(batch).__name__}, expected a CIFAR-10 batch dict")
    entries = {k.decode("latin-1") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = entries.get("data"), entries.get("labels")
    if data is None or labels is None:
        raise DataError(
            f"{file} has keys {sorted(map(str, entries))}, expected 'data' and 'labels'"
        )
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or (
        data.shape[1] != _PIXELS
    ):
        shown = (
            f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        )
        raise DataError(f"{file}: 'data' must be a uint8 array (N, {_PIXELS}), got {shown}")
    labels = np.asarray(labels)
    if labels.shape != (data.shape[0],) or labels.dtype.kind not in "iu":
        raise DataError(
            f"{file}: 'labels' must be {data.shape[0]} integers (one per image), "
            f"got {labels.dtype} {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= len(CIFAR10_CLASSES)):
        raise DataError(
            f"{file}: labels must lie in [0, 10), got values in [{labels.min()}, {labels.max()}]"
        )
    return data, labels.astype(np.int64)


def cifar10(path: str | os.PathLike[str], split: str = "train") -> ImageDataset:
    r"""CIFAR-10 from the extracted "python version" batches; nothing is downloaded.

    Reads ``data_batch_1`` … ``data_batch_5`` (``split="train"``, 50,000
    images) or ``test_batch`` (10,000) from ``path`` or
    ``path/cifar-10-batches-py``. Each batch is a pickled dict whose
    ``data`` rows hold the red plane, then green, then blue, each 32×32
    row-major. The pickles are read with a restricted unpickler that only
    rebuilds numpy arrays, so a doctored file cannot run code. Pixels map to

    .. math::
        x = p / 127.5 - 1 \in [-1, 1]

    Args:
        path: The folder holding the batches.
        split: ``"train"`` or ``"test"``.

    Returns:
        An :class:`~gankit.data.ImageDataset` with ``classes = CIFAR10_CLASSES``.

    Raises:
        ValueError: If ``split`` is not ``"train"`` or ``"test"``.
        DataNotFoundError: If the folder or a batch file is missing (the
            message names the files and where to get them).
        DataError: If a batch is corrupt, malformed or references anything
            but numpy arrays (naming the file).

    Shape:
        - images: ``(N, 3, 32, 32)``; labels: ``(N,)``.

    Example:
        >>> import pickle, tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [3, 8]}
        >>> with open(folder / "test_batch", "wb") as f:
        ...     pickle.dump(batch, f, protocol=2)
        >>> data = cifar10(folder, split="test")
        >>> data.shape, [data.classes[k] for k in data.labels]
        ((3, 32, 32), ['cat', 'ship'])
    """
    split = check_split(split, ("train", "test"))
    names = _BATCHES[split]
    folder = require_folder(
        path, f"cifar10(split={split!r})", f"it must hold {', '.join(names)}; " + _HINT
    )
    folders = (folder, folder / "cifar-10-batches-py")
    files = [find_file(folders, (name,)) for name in names]
    missing = [name for name, file in zip(names, files, strict=True) if file is None]
    if missing:
        raise DataNotFoundError(
            f"cifar10(split={split!r}): expected {', '.join(names)} in {folder} or "
            f"{folders[1]}, missing {', '.join(missing)}; " + _HINT
        )
    batches = [_read_batch(file) for file in files if file is not None]
    data = np.concatenate([d for d, _ in batches])  # (N, 3072)
    labels = np.concatenate([lab for _, lab in batches])  # (N,)
    images = data.reshape(-1, 3, 32, 32)  # (N, C, H, W): channel planes, rows, columns
    return ImageDataset(from_uint8(images), torch.from_numpy(labels), CIFAR10_CLASSES)
