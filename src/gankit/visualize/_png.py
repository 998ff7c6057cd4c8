"""Write a ``uint8`` picture, channels last, as a PNG with Pillow (imported only here).

:func:`save_labelled_png` adds white strips of text above the picture, drawn
with Pillow's built-in font, so labelled pictures need no matplotlib.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from gankit._atomic import atomic_write

__all__ = ["LABEL_HEIGHT", "pillow", "save_labelled_png", "save_png"]

#: Height in pixels of one line of text above a labelled picture.
LABEL_HEIGHT = 16


def pillow() -> Any:
    """Return the ``PIL`` package's ``Image`` module, or say which extra installs it.

    Raises:
        ImportError: If Pillow is not installed (``pip install "gankit[extras]"``).
    """
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError('saving image grids needs Pillow: pip install "gankit[extras]"') from exc
    return Image


def save_png(picture: Tensor, path: str | os.PathLike[str]) -> Path:
    """Save a ``uint8`` picture as an 8-bit grey (1 channel) or RGB (3 channels) PNG.

    Args:
        picture: The pixels, channels last.
        path: The PNG file; its folder is created if needed.

    Returns:
        The path written.

    Raises:
        ImportError: If Pillow is not installed.

    Shape:
        - picture: ``(H, W, C)`` with ``C`` in ``{1, 3}``.
    """
    image = pillow()
    array = picture.numpy()
    # uint8 (H, W) becomes an 8-bit grey picture, (H, W, 3) an RGB one.
    png = image.fromarray(array[:, :, 0] if picture.shape[2] == 1 else array)
    path = Path(path)
    with atomic_write(path) as f:  # a crash leaves the old file or none, never half a PNG
        png.save(f, format="PNG")
    return path


def save_labelled_png(
    picture: Tensor,
    path: str | os.PathLike[str],
    labels: Sequence[tuple[int, str]],
    title: str | None = None,
) -> Path:
    """Save ``picture`` below a white strip of ``labels`` and, above that, one for ``title``.

    Args:
        picture: The pixels, ``uint8`` channels last.
        path: The PNG file; its folder is created if needed.
        labels: ``(left, text)`` pairs: each text starts ``left`` pixels from the edge.
        title: A line of text above the labels, or ``None``.

    Returns:
        The path written.

    Raises:
        ImportError: If Pillow is not installed.

    Shape:
        - picture: ``(H, W, C)``; the PNG is ``(H + lines * LABEL_HEIGHT, W)`` with
          one line for the labels (if any) and one for a title (if any).
    """
    image = pillow()
    from PIL import ImageDraw

    lines = (len(labels) > 0) + (title is not None)
    top = lines * LABEL_HEIGHT
    canvas = torch.full((picture.shape[0] + top, *picture.shape[1:]), 255, dtype=torch.uint8)
    canvas[top:] = picture
    array = canvas.numpy()
    png = image.fromarray(array[:, :, 0] if canvas.shape[2] == 1 else array)
    draw = ImageDraw.Draw(png)
    ink = 0 if canvas.shape[2] == 1 else (0, 0, 0)
    if title is not None:
        draw.text((2, 2), title, fill=ink)
    for left, text in labels:
        draw.text((left + 2, top - LABEL_HEIGHT + 2), text, fill=ink)
    path = Path(path)
    with atomic_write(path) as f:  # a crash leaves the old file or none, never half a PNG
        png.save(f, format="PNG")
    return path
