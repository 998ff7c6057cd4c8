"""Tile a batch of images into one grid, enlarged by pixel repetition, and save it as a PNG.

Small images (8 × 8 or 28 × 28 digits) are unreadable at one screen pixel per
image pixel, so :func:`save_image_grid` enlarges each image by an integer
factor by default, with nearest-neighbour repetition (every pixel becomes a
``k × k`` block, no smoothing), until each tile is at least ``min_cell`` pixels.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from torch import Tensor

from gankit._validation import check_positive_int
from gankit.visualize._compose import check_images, tile, to_bytes
from gankit.visualize._png import save_png

__all__ = ["DEFAULT_MIN_CELL", "grid_scale", "make_grid", "save_image_grid"]

#: The smallest tile side, in screen pixels, that ``scale=None`` enlarges images to.
DEFAULT_MIN_CELL = 64


def grid_scale(height: int, width: int, scale: int | None = None,
               min_cell: int = DEFAULT_MIN_CELL) -> int:
    r"""The integer factor that enlarges ``height × width`` images in a grid.

    An explicit ``scale`` is returned as it is; ``scale=None`` picks the
    smallest factor that makes both sides of a tile at least ``min_cell`` pixels,

    .. math::

        k = \max\big(1, \lceil \text{min\_cell} / \min(H, W) \rceil\big),

    so images already that large are left at one pixel per pixel.

    Args:
        height: Image height ``H`` in pixels.
        width: Image width ``W`` in pixels.
        scale: The factor, or ``None`` to choose it from ``min_cell``.
        min_cell: The smallest tile side ``scale=None`` aims for.

    Returns:
        The factor ``k >= 1``.

    Raises:
        TypeError: If ``scale`` or ``min_cell`` is not an int (or ``None`` for ``scale``).
        ValueError: If ``height``, ``width``, ``scale`` or ``min_cell`` is below 1.

    Example:
        >>> grid_scale(8, 8), grid_scale(28, 28), grid_scale(64, 64), grid_scale(28, 28, scale=2)
        (8, 3, 1, 2)
    """
    height = check_positive_int(height, "height")
    width = check_positive_int(width, "width")
    min_cell = check_positive_int(min_cell, "min_cell")
    if scale is not None:
        return check_positive_int(scale, "scale")
    return max(1, math.ceil(min_cell / min(height, width)))


def make_grid(
    images: Tensor,
    nrow: int | None = None,
    padding: int = 2,
    pad_value: int = 0,
    *,
    scale: int | None = 1,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Tensor:
    r"""Tile images in ``[-1, 1]`` into one ``uint8`` picture, ``nrow`` images per row.

    Each value is clamped to :math:`[-1, 1]` and mapped to a byte by

    .. math::

        p = \operatorname{round}\big(255 \cdot (\operatorname{clamp}(x, -1, 1) + 1) / 2\big),

    so ``-1`` is black (0), ``0`` is mid-grey (128) and ``1`` is white (255).
    Each image is then enlarged ``k = scale`` times by nearest neighbour: pixel
    ``(y, x)`` of the tile is pixel ``(y // k, x // k)`` of the image, so every
    image pixel becomes an exact ``k × k`` block (``scale=None`` picks ``k``
    with :func:`grid_scale`). Tiles are separated, and framed, by ``padding``
    pixels of ``pad_value`` (screen pixels: the padding is not enlarged).
    Rows are filled left to right, top to bottom; a last incomplete row is
    padded with ``pad_value``.

    Args:
        images: A batch of 1-channel (grey) or 3-channel (RGB) images in ``[-1, 1]``,
            e.g. a tanh generator's output.
        nrow: Images per row; default ``ceil(sqrt(N))`` (a square-ish grid).
        padding: Pixels between and around the tiles.
        pad_value: The byte value (0 to 255) of the padding.
        scale: Integer enlargement factor ``k``; ``1`` (the default) keeps one
            pixel per pixel, ``None`` picks ``k`` from ``min_cell``.
        min_cell: The smallest tile side ``scale=None`` enlarges to.

    Returns:
        The grid as ``uint8`` on the CPU, channels last (Pillow's layout).

    Raises:
        TypeError: If ``images`` is not a floating-point tensor, or ``scale``
            or ``min_cell`` is not an int.
        ValueError: If ``images`` is not ``(N, C, H, W)`` with ``N >= 1`` and
            ``C`` in ``{1, 3}``, or ``nrow``, ``padding``, ``pad_value``,
            ``scale`` or ``min_cell`` is out of range.

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(rows * (k H + padding) + padding, ncol * (k W + padding) + padding, C)``
          with ``ncol = min(nrow, N)`` and ``rows = ceil(N / nrow)``.

    Example:
        >>> import torch
        >>> images = torch.tensor([-1.0, 0.0, 1.0]).view(3, 1, 1, 1)  # black, grey, white
        >>> grid = make_grid(images, nrow=3, padding=1, pad_value=7)
        >>> tuple(grid.shape)
        (3, 7, 1)
        >>> grid[1, :, 0].tolist()
        [7, 0, 7, 128, 7, 255, 7]
        >>> tuple(make_grid(images, nrow=3, padding=1, scale=2).shape)  # 2 x 2 blocks
        (4, 10, 1)
    """
    n, _, h, w = check_images(images).shape
    nrow = math.ceil(math.sqrt(n)) if nrow is None else nrow
    if isinstance(nrow, bool) or not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"nrow must be a positive int or None, got {nrow!r}")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    if isinstance(pad_value, bool) or not isinstance(pad_value, int) or not 0 <= pad_value <= 255:
        raise ValueError(f"pad_value must be an int in [0, 255], got {pad_value!r}")
    k = grid_scale(h, w, scale, min_cell)
    return tile(to_bytes(images, k), nrow, padding, pad_value)  # (rows (kH + p) + p, ..., C)


def save_image_grid(
    images: Tensor,
    path: str | os.PathLike[str],
    nrow: int | None = None,
    padding: int = 2,
    *,
    scale: int | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Path:
    """Save a batch of images in ``[-1, 1]`` as one PNG grid (see :func:`make_grid`).

    Small images are enlarged by nearest neighbour so that a person can see
    them: by default each tile is at least ``min_cell`` (64) pixels a side, so
    8 × 8 digits are drawn 8 times larger and 28 × 28 ones 3 times.

    Args:
        images: 1- or 3-channel images in ``[-1, 1]``.
        path: The PNG file; its folder is created if needed.
        nrow: Images per row; default ``ceil(sqrt(N))``.
        padding: Black pixels between and around the tiles.
        scale: Integer enlargement factor; ``None`` (the default) picks the
            smallest one that makes tiles ``min_cell`` pixels; ``1`` saves
            one pixel per image pixel.
        min_cell: The smallest tile side ``scale=None`` enlarges to.

    Returns:
        The path written.

    Raises:
        ImportError: If Pillow is not installed (``pip install "gankit[extras]"``).
        TypeError: If ``images`` is not a floating-point tensor.
        ValueError: If the shape or channel count is not supported, or an
            argument is out of range.

    Shape:
        - Input: ``(N, C, H, W)`` with ``C`` in ``{1, 3}``.

    Example:
        >>> import tempfile, pathlib
        >>> import torch
        >>> from PIL import Image
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "grid.png"
        >>> _ = save_image_grid(torch.zeros(4, 3, 8, 8), path)  # 2 x 2 tiles of 64 x 64
        >>> Image.open(path).size
        (134, 134)
        >>> _ = save_image_grid(torch.zeros(4, 3, 8, 8), path, scale=1)  # one pixel per pixel
        >>> Image.open(path).size
        (22, 22)
    """
    grid = make_grid(images, nrow=nrow, padding=padding, scale=scale, min_cell=min_cell)
    return save_png(grid, path)
