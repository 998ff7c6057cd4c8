"""Tile a batch of images into one grid and save it as a PNG (Pillow)."""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch
from torch import Tensor

__all__ = ["make_grid", "save_image_grid"]


def make_grid(
    images: Tensor, nrow: int | None = None, padding: int = 2, pad_value: int = 0
) -> Tensor:
    r"""Tile images in ``[-1, 1]`` into one ``uint8`` picture, ``nrow`` images per row.

    Each value is clamped to :math:`[-1, 1]` and mapped to a byte by

    .. math::

        p = \operatorname{round}\big(255 \cdot (\operatorname{clamp}(x, -1, 1) + 1) / 2\big),

    so ``-1`` is black (0), ``0`` is mid-grey (128) and ``1`` is white (255).
    Tiles are separated, and framed, by ``padding`` pixels of ``pad_value``.
    Rows are filled left to right, top to bottom; a last incomplete row is
    padded with ``pad_value``.

    Args:
        images: A batch of 1-channel (grey) or 3-channel (RGB) images in ``[-1, 1]``,
            e.g. a tanh generator's output.
        nrow: Images per row; default ``ceil(sqrt(N))`` (a square-ish grid).
        padding: Pixels between and around the tiles.
        pad_value: The byte value (0 to 255) of the padding.

    Returns:
        The grid as ``uint8`` on the CPU, channels last (Pillow's layout).

    Raises:
        TypeError: If ``images`` is not a floating-point tensor.
        ValueError: If ``images`` is not ``(N, C, H, W)`` with ``N >= 1`` and
            ``C`` in ``{1, 3}``, or ``nrow``, ``padding`` or ``pad_value`` is out of range.

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(rows * (H + padding) + padding, nrow * (W + padding) + padding, C)``
          with ``rows = ceil(N / nrow)``.

    Example:
        >>> images = torch.tensor([-1.0, 0.0, 1.0]).view(3, 1, 1, 1)  # black, grey, white
        >>> grid = make_grid(images, nrow=3, padding=1, pad_value=7)
        >>> tuple(grid.shape)
        (3, 7, 1)
        >>> grid[1, :, 0].tolist()
        [7, 0, 7, 128, 7, 255, 7]
    """
    if not isinstance(images, Tensor) or not images.is_floating_point():
        given = images.dtype if isinstance(images, Tensor) else type(images).__name__
        raise TypeError(f"images must be a floating-point tensor, got {given}")
    if images.dim() != 4 or images.shape[0] == 0:
        raise ValueError(
            f"images must have shape (N, C, H, W) with N >= 1, got {tuple(images.shape)}"
        )
    n, c, h, w = images.shape
    if c not in (1, 3):
        raise ValueError(
            f"images must have 1 (grey) or 3 (RGB) channels, got {c}; "
            "select the channels to show first, e.g. images[:, :3]"
        )
    nrow = math.ceil(math.sqrt(n)) if nrow is None else nrow
    if isinstance(nrow, bool) or not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"nrow must be a positive int or None, got {nrow!r}")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    if isinstance(pad_value, bool) or not isinstance(pad_value, int) or not 0 <= pad_value <= 255:
        raise ValueError(f"pad_value must be an int in [0, 255], got {pad_value!r}")
    ncol, rows = min(nrow, n), math.ceil(n / nrow)
    pixels = images.detach().to("cpu", torch.float32).clamp(-1, 1).add(1).mul(127.5)
    pixels = pixels.round().to(torch.uint8).permute(0, 2, 3, 1)  # (N, H, W, C)
    grid = torch.full(
        (rows * (h + padding) + padding, ncol * (w + padding) + padding, c),
        pad_value,
        dtype=torch.uint8,
    )
    for i in range(n):
        top = padding + (i // nrow) * (h + padding)
        left = padding + (i % nrow) * (w + padding)
        grid[top : top + h, left : left + w] = pixels[i]
    return grid


def save_image_grid(
    images: Tensor,
    path: str | os.PathLike[str],
    nrow: int | None = None,
    padding: int = 2,
) -> Path:
    """Save a batch of images in ``[-1, 1]`` as one PNG grid (see :func:`make_grid`).

    Args:
        images: 1- or 3-channel images in ``[-1, 1]``.
        path: The PNG file; its folder is created if needed.
        nrow: Images per row; default ``ceil(sqrt(N))``.
        padding: Black pixels between and around the tiles.

    Returns:
        The path written.

    Raises:
        ImportError: If Pillow is not installed (``pip install "gankit[extras]"``).
        TypeError: If ``images`` is not a floating-point tensor.
        ValueError: If the shape or channel count is not supported.

    Shape:
        - Input: ``(N, C, H, W)`` with ``C`` in ``{1, 3}``.

    Example:
        >>> import tempfile, pathlib
        >>> from PIL import Image
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "grid.png"
        >>> _ = save_image_grid(torch.zeros(4, 3, 8, 8), path)  # 2 x 2 tiles
        >>> Image.open(path).size
        (22, 22)
    """
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError('saving image grids needs Pillow: pip install "gankit[extras]"') from exc
    grid = make_grid(images, nrow=nrow, padding=padding)
    array = grid.numpy()
    # uint8 (H, W) becomes an 8-bit grey picture, (H, W, 3) an RGB one.
    picture = Image.fromarray(array[:, :, 0] if grid.shape[2] == 1 else array)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, format="PNG")
    return path
