"""Images from a local folder, flat or one sub-folder per class, read with Pillow."""

from __future__ import annotations

import math
import os
from numbers import Real
from pathlib import Path

import numpy as np
import torch

from gankit._validation import check_positive_int
from gankit.data._dataset import ImageDataset, from_uint8
from gankit.data._errors import DataError
from gankit.data._files import require_folder
from gankit.data.transforms import RandomCrop

__all__ = ["IMAGE_EXTENSIONS", "image_folder"]

IMAGE_EXTENSIONS = frozenset(
    {".bmp", ".gif", ".jpeg", ".jpg", ".pgm", ".png", ".ppm", ".tif", ".tiff", ".webp"}
)  # compared in lower case, so .JPG and .Png count too
_MODES = {1: "L", 3: "RGB"}
_CROPS = ("center", "random")
#: The default ``crop_scale`` of ``crop="random"``: 64-pixel crops of 72-pixel images.
_DEFAULT_CROP_SCALE = 1.125


def _is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def _images_under(folder: Path) -> list[Path]:
    """Image files anywhere under ``folder``, skipping hidden entries, in sorted order."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if _visible(Path(f))]
    return [f for f in found if _is_image(f)]


def _load(file: Path, size: int, mode: str) -> np.ndarray:
    """Read ``file``, centre-crop it to a square, resize to ``size`` and return ``(H, W, C)``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as opened:
            image = opened.convert(mode)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DataError(f"cannot read the image {file}: {error}") from error
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    if side != size:
        image = image.resize((size, size), Image.Resampling.BICUBIC)
    return np.asarray(image, dtype=np.uint8).reshape(size, size, -1)  # (H, W, C)


def image_folder(
    path: str | os.PathLike[str],
    size: int,
    channels: int = 3,
    *,
    crop: str = "center",
    crop_scale: float | None = None,
) -> ImageDataset:
    r"""Every image in a local folder, cropped to a square and resized to ``size``.

    Two layouts are understood:

    - **one sub-folder per class** (``path/cat/…``, ``path/dog/…``): the
      classes are the sub-folder names in sorted order and an image's label
      is the index of its class; images may sit at any depth below their class
      folder, and sub-folders without images are ignored;
    - **flat** (images directly in ``path``, no sub-folder holds images):
      a single class named after the folder, every label 0.

    Files are images by extension, in any case (``.png``, ``.JPG``, …; see
    ``IMAGE_EXTENSIONS``); other files and hidden entries are skipped. Each
    image is converted to ``L`` (1 channel) or ``RGB`` (3), cropped to the
    centred ``s × s`` square with ``s = min(W, H)``, resized with bicubic
    filtering unless ``s == size``, and mapped to

    .. math::
        x = p / 127.5 - 1 \in [-1, 1]

    **Random crops.** With ``crop="random"`` the centred square is resized to
    :math:`L = \operatorname{round}(\text{crop\_scale} \cdot \text{size})`
    instead (72 pixels for ``size=64`` at the default scale 1.125) and kept in
    memory at that size; the data set's ``transform`` is a
    :class:`~gankit.data.RandomCrop` that takes a fresh ``size × size`` crop of
    every image each time a batch is drawn. The trainer draws the offsets from
    a generator seeded by its seed and saved in checkpoints, so runs are
    reproducible and resume exactly. A CelebA image (178 × 218) is cut to its
    central 178 × 178 square, resized to 72 × 72, and each batch sees a random
    64 × 64 window of that (up to 8 pixels, 11% of the face square, off centre).
    ``crop="center"`` (the default) keeps the images at ``size`` with no
    transform, exactly as before.

    Args:
        path: The folder.
        size: Output side in pixels.
        channels: 1 (grey) or 3 (RGB).
        crop: ``"center"``: every image is its centred square; ``"random"``:
            store larger images and crop each drawn batch at random offsets.
        crop_scale: For ``crop="random"``, the stored side over ``size``, a
            number ``>= 1`` (default 1.125); not allowed with ``"center"``.

    Every image is decoded into memory at once (a data set of ``N`` images
    takes ``4 N · channels · L²`` bytes, ``L = size`` without random crops).

    Returns:
        An :class:`~gankit.data.ImageDataset`, images in sorted path order; with
        ``crop="random"`` its ``images`` are ``L × L`` and its ``transform`` is a
        ``RandomCrop(size)``, so its ``shape`` is still ``(channels, size, size)``.

    Raises:
        ImportError: If Pillow is not installed.
        TypeError: If ``size`` or ``channels`` is not an int, ``crop`` not a
            string or ``crop_scale`` not a number.
        ValueError: If ``size < 1``, ``channels`` is not 1 or 3, ``crop`` is not
            ``"center"`` or ``"random"``, ``crop_scale`` is below 1 or not finite,
            or ``crop_scale`` is given with ``crop="center"``.
        DataNotFoundError: If ``path`` does not exist.
        DataError: If it holds no image, mixes loose images with class
            folders, or an image cannot be read (naming the file).

    Shape:
        - images: ``(N, channels, L, L)``; labels: ``(N,)``; a drawn batch:
          ``(B, channels, size, size)``.

    Example:
        >>> import tempfile
        >>> from PIL import Image
        >>> root = Path(tempfile.mkdtemp())
        >>> for name in ("cat", "dog"):
        ...     (root / name).mkdir()
        ...     Image.new("RGB", (12, 8), "white").save(root / name / "a.PNG")
        >>> data = image_folder(root, size=4)
        >>> data.shape, data.classes, data.labels.tolist(), data.images.min().item()
        ((3, 4, 4), ('cat', 'dog'), [0, 1], 1.0)
        >>> augmented = image_folder(root, size=4, crop="random", crop_scale=1.5)
        >>> augmented.shape, tuple(augmented.images.shape), augmented.transform
        ((3, 4, 4), (2, 3, 6, 6), RandomCrop(size=4))
    """
    try:
        import PIL  # noqa: F401
    except ImportError as error:
        raise ImportError(
            'gankit.data.image_folder needs Pillow: pip install "gankit[extras]"'
        ) from error
    size = check_positive_int(size, "size")
    if isinstance(channels, bool) or not isinstance(channels, int) or channels not in _MODES:
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    stored = _stored_size(size, crop, crop_scale)
    folder = require_folder(
        path, "image_folder", "it must hold images, directly or in one sub-folder per class"
    )
    loose = sorted(f for f in folder.iterdir() if _visible(f) and _is_image(f))
    class_dirs = sorted(d for d in folder.iterdir() if _visible(d) and d.is_dir())
    per_class = {d.name: found for d in class_dirs if (found := _images_under(d))}
    if per_class and loose:
        raise DataError(
            f"{folder} mixes images ({loose[0].name}, …) with class folders "
            f"({', '.join(per_class)}); use one layout: all images flat, or all in class folders"
        )
    if not per_class and not loose:
        raise DataError(
            f"{folder} holds no image (extensions {', '.join(sorted(IMAGE_EXTENSIONS))}, "
            "any case), neither directly nor in class sub-folders"
        )
    if per_class:
        classes = tuple(per_class)
        files = [(f, k) for k, name in enumerate(classes) for f in per_class[name]]
    else:
        classes = (folder.resolve().name or "images",)
        files = [(f, 0) for f in loose]
    mode = _MODES[channels]
    pixels = np.stack([_load(f, stored, mode) for f, _ in files])  # (N, L, L, C)
    labels = torch.tensor([k for _, k in files], dtype=torch.int64)
    transform = RandomCrop(size) if crop == "random" else None
    return ImageDataset(from_uint8(pixels.transpose(0, 3, 1, 2)), labels, classes, transform)


def _stored_size(size: int, crop: object, crop_scale: object) -> int:
    """The side ``L`` the images are kept at: ``size``, or ``round(crop_scale · size)``."""
    if not isinstance(crop, str):
        raise TypeError(f"crop must be 'center' or 'random', got {type(crop).__name__} {crop!r}")
    if crop not in _CROPS:
        raise ValueError(f"crop must be 'center' or 'random', got {crop!r}")
    if crop == "center":
        if crop_scale is not None:
            raise ValueError(
                f"crop_scale={crop_scale!r} applies to crop='random' only; "
                "give crop='random' or leave crop_scale out"
            )
        return size
    scale = _DEFAULT_CROP_SCALE if crop_scale is None else crop_scale
    if isinstance(scale, bool) or not isinstance(scale, Real):
        raise TypeError(
            f"crop_scale must be a number >= 1, got {type(scale).__name__} {scale!r}"
        )
    if not math.isfinite(scale) or scale < 1.0:
        raise ValueError(f"crop_scale must be a finite number >= 1, got {scale!r}")
    return max(size, round(float(scale) * size))
