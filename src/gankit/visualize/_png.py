"""Write a ``uint8`` picture, channels last, as a PNG with Pillow (imported only here)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from torch import Tensor

__all__ = ["pillow", "save_png"]


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
    path.parent.mkdir(parents=True, exist_ok=True)
    png.save(path, format="PNG")
    return path
