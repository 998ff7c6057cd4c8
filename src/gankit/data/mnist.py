"""MNIST (or any data set in its IDX format, e.g. Fashion-MNIST) from local files."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import torch

from gankit._validation import check_positive_int
from gankit.data._dataset import ImageDataset, from_uint8
from gankit.data._errors import DataError, DataNotFoundError
from gankit.data._files import check_split, find_file, read_maybe_gzip, require_folder

__all__ = ["mnist_idx", "read_idx"]

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (N, H, W)
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (N,)
_PREFIX = {"train": "train", "test": "t10k"}
_HINT = (
    "download MNIST from its home page (http://yann.lecun.com/exdb/mnist/) or a mirror "
    "and place the files there; gankit never downloads"
)


def read_idx(file: str | os.PathLike[str], magic: int) -> np.ndarray:
    r"""Read an IDX file of unsigned bytes, gzipped (``.gz``) or not.

    The layout is a big-endian header, then the data in C order:

    .. math::
        \underbrace{\texttt{00 00 08}\ d}_{\text{magic}}\ \
        \underbrace{n_1 \cdots n_d}_{d \times \text{uint32}}\ \
        \underbrace{x_1 \cdots x_{n_1 \cdots n_d}}_{\text{uint8}}

    Args:
        file: The file to read.
        magic: The expected magic number, ``0x00000803`` for images or
            ``0x00000801`` for labels.

    Returns:
        A uint8 array with the header's dimensions.

    Raises:
        FileNotFoundError: If ``file`` does not exist.
        ValueError: If ``magic`` is not that of uint8 IDX data (``0x000008dd``).
        DataError: If the magic number differs, or the length differs from
            what the header promises (truncated or padded), naming the file.

    Shape:
        - Output: ``(n_1, …, n_d)`` with ``d = magic & 0xFF``.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> file = Path(folder) / "labels"
        >>> _ = file.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]))
        >>> read_idx(file, LABELS_MAGIC).tolist()
        [7, 0, 9]
    """
    if isinstance(magic, bool) or not isinstance(magic, int) or magic >> 8 != 0x08:
        raise ValueError(f"magic must be 0x000008dd (uint8 IDX data, d dimensions), got {magic!r}")
    file = Path(file)
    data = read_maybe_gzip(file)
    if len(data) < 4:
        raise DataError(f"{file} is truncated: {len(data)} bytes, shorter than the IDX magic")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DataError(
            f"{file} has IDX magic number 0x{found:08X}, expected 0x{magic:08X} "
            f"(uint8 data with {magic & 0xFF} dimension(s)); is it the right file?"
        )
    header = 4 + 4 * (magic & 0xFF)
    if len(data) < header:
        raise DataError(f"{file} is truncated: {len(data)} bytes, shorter than its header")
    dims = [int(d) for d in np.frombuffer(data, dtype=">u4", count=magic & 0xFF, offset=4)]
    expected = header + math.prod(dims)
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "longer than its header says"
        raise DataError(
            f"{file} is {problem}: {len(data)} bytes, but its header (dimensions "
            f"{tuple(dims)}) needs {expected}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims).copy()


def mnist_idx(
    path: str | os.PathLike[str], split: str = "train", *, num_classes: int = 10
) -> ImageDataset:
    r"""MNIST from the four original IDX files in a local folder; nothing is downloaded.

    Reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte`` (or the
    ``t10k-`` pair for ``split="test"``), each optionally gzipped (``.gz``; an
    uncompressed file is preferred), from ``path`` or from ``path/MNIST/raw``
    (torchvision's layout). Fashion-MNIST and KMNIST use the same files.
    Pixels map to ``[−1, 1]``:

    .. math::
        x = p / 127.5 - 1, \quad p \in \{0, \dots, 255\}

    Args:
        path: The folder holding the files.
        split: ``"train"`` (60,000 images for MNIST) or ``"test"`` (10,000).
        num_classes: The number of classes; labels must lie in ``[0, num_classes)``.

    Returns:
        An :class:`~gankit.data.ImageDataset` with ``classes = ("0", …)``.

    Raises:
        ValueError: If ``split`` is not ``"train"`` or ``"test"``.
        DataNotFoundError: If the folder or one of the two files is missing
            (the message names the files and where to put them).
        DataError: If a file is corrupt or truncated, has the wrong magic
            number, or the counts or labels disagree (naming the file).

    Shape:
        - images: ``(N, 1, H, W)`` (``H = W = 28`` for MNIST); labels: ``(N,)``.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> images = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]) + bytes(8)
        >>> _ = (folder / "t10k-images-idx3-ubyte").write_bytes(images)
        >>> labels = bytes([0, 0, 8, 1, 0, 0, 0, 2, 4, 2])
        >>> _ = (folder / "t10k-labels-idx1-ubyte").write_bytes(labels)
        >>> data = mnist_idx(folder, split="test")
        >>> len(data), data.shape, data.labels.tolist(), data.images.min().item()
        (2, (1, 2, 2), [4, 2], -1.0)
    """
    split = check_split(split, ("train", "test"))
    num_classes = check_positive_int(num_classes, "num_classes")
    names = (f"{_PREFIX[split]}-images-idx3-ubyte", f"{_PREFIX[split]}-labels-idx1-ubyte")
    folder = require_folder(
        path, f"mnist_idx(split={split!r})", f"it must hold {names[0]}(.gz) and {names[1]}(.gz); "
        + _HINT,
    )
    folders = (folder, folder / "MNIST" / "raw")
    files = [find_file(folders, (name, name + ".gz")) for name in names]
    if files[0] is None or files[1] is None:
        missing = " and ".join(n for n, f in zip(names, files, strict=True) if f is None)
        raise DataNotFoundError(
            f"mnist_idx(split={split!r}): expected {names[0]}(.gz) and {names[1]}(.gz) in "
            f"{folder}, missing {missing}; " + _HINT
        )
    images = read_idx(files[0], IMAGES_MAGIC)  # (N, H, W)
    labels = read_idx(files[1], LABELS_MAGIC)  # (N,)
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{files[0]} holds {images.shape[0]} images but {files[1]} holds "
            f"{labels.shape[0]} labels; the two files must come from the same split"
        )
    if labels.size and int(labels.max()) >= num_classes:
        raise DataError(
            f"{files[1]} has label {int(labels.max())}, outside [0, {num_classes}); "
            "pass num_classes= for a data set with more classes"
        )
    return ImageDataset(
        from_uint8(images[:, None]),  # (N, 1, H, W)
        torch.from_numpy(labels.astype(np.int64)),
        tuple(str(k) for k in range(num_classes)),
    )
