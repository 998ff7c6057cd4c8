"""Pixel-level pieces of the pictures: images to enlarged bytes, tiling, panels side by side.

Everything here is a pure function on ``uint8`` tensors, channels last
(Pillow's layout); :mod:`gankit.visualize.grid` checks the arguments first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = ["check_images", "side_by_side", "tile", "to_bytes"]


def check_images(images: object, name: str = "images") -> Tensor:
    """Return ``images`` if it is a floating-point ``(N, C, H, W)`` batch, ``N >= 1``, ``C`` 1 or 3.

    Raises:
        TypeError: If ``images`` is not a floating-point tensor.
        ValueError: If the shape or channel count is not supported.
    """
    if not isinstance(images, Tensor) or not images.is_floating_point():
        given = images.dtype if isinstance(images, Tensor) else type(images).__name__
        raise TypeError(f"{name} must be a floating-point tensor, got {given}")
    if images.dim() != 4 or images.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (N, C, H, W) with N >= 1, got {tuple(images.shape)}"
        )
    if images.shape[1] not in (1, 3):
        raise ValueError(
            f"{name} must have 1 (grey) or 3 (RGB) channels, got {images.shape[1]}; "
            f"select the channels to show first, e.g. {name}[:, :3]"
        )
    return images


def to_bytes(images: Tensor, k: int) -> Tensor:
    """Map ``[-1, 1]`` to bytes (``round(127.5 (x + 1))``) and repeat each pixel ``k × k`` times.

    Shape:
        - images: ``(N, C, H, W)``; output ``(N, k H, k W, C)`` ``uint8`` on the CPU.
    """
    pixels = images.detach().to("cpu", torch.float32).clamp(-1, 1).add(1).mul(127.5)
    pixels = pixels.round().to(torch.uint8).permute(0, 2, 3, 1)  # (N, H, W, C)
    return pixels.repeat_interleave(k, dim=1).repeat_interleave(k, dim=2)  # (N, kH, kW, C)


def tile(pixels: Tensor, nrow: int, padding: int, pad_value: int) -> Tensor:
    """Tile ``uint8`` pictures ``nrow`` per row, separated and framed by ``padding`` pixels.

    Shape:
        - pixels: ``(N, H, W, C)``; output
          ``(rows * (H + padding) + padding, min(nrow, N) * (W + padding) + padding, C)``.
    """
    n, h, w, c = pixels.shape
    ncol, rows = min(nrow, n), math.ceil(n / nrow)
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


def side_by_side(pictures: Sequence[Tensor], gap: int, fill: int) -> Tensor:
    """Put ``uint8`` pictures next to each other, top-aligned, ``gap`` pixels of ``fill`` apart.

    A grey picture is repeated to RGB when another one is in colour; shorter
    pictures are padded below with ``fill``.

    Shape:
        - pictures: each ``(H_i, W_i, C_i)``; output ``(max H_i, sum W_i + gap (P - 1), C)``.
    """
    c = max(p.shape[2] for p in pictures)
    height = max(p.shape[0] for p in pictures)
    width = sum(p.shape[1] for p in pictures) + gap * (len(pictures) - 1)
    out = torch.full((height, width, c), fill, dtype=torch.uint8)
    left = 0
    for p in pictures:
        out[: p.shape[0], left : left + p.shape[1]] = p.expand(-1, -1, c)
        left += p.shape[1] + gap
    return out
