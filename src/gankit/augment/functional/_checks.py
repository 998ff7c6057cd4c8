"""Private checks and indexing helpers shared by the transforms."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["check_images", "gather", "integer_draw", "per_sample", "reflect"]


def check_images(x: Tensor, name: str = "x") -> None:
    """A floating-point image batch of shape ``(N, C, H, W)``."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 4:
        raise ValueError(f"{name} must be a batch of images of shape (N, C, H, W), got "
                         f"{tuple(x.shape)}")
    if not torch.is_floating_point(x):
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")


def per_sample(draw: Tensor, x: Tensor, name: str, width: int | None = None) -> Tensor:
    """Check one draw per sample, shape ``(N,)`` or, with ``width``, ``(N, width)``."""
    expected = (x.shape[0],) if width is None else (x.shape[0], width)
    if not isinstance(draw, Tensor) or tuple(draw.shape) != expected:
        got = tuple(draw.shape) if isinstance(draw, Tensor) else type(draw).__name__
        raise ValueError(f"{name} must have shape {expected} (one per sample), got {got}")
    return draw


def integer_draw(draw: Tensor, x: Tensor, name: str, width: int | None = None) -> Tensor:
    """Like :func:`per_sample`, for integer draws (returned as int64 on ``x``'s device)."""
    per_sample(draw, x, name, width)
    if draw.is_floating_point() or draw.is_complex() or draw.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor, got dtype {draw.dtype}")
    return draw.to(device=x.device, dtype=torch.long)


def gather(x: Tensor, rows: Tensor, cols: Tensor) -> Tensor:
    """``x[n, :, rows[n, i, j], cols[n, i, j]]``, for in-range indices of shape ``(N, H, W)``."""
    n, c, h, w = x.shape
    index = (rows * w + cols).reshape(n, 1, h * w).expand(n, c, h * w)  # (N, C, H·W)
    return x.reshape(n, c, h * w).gather(2, index).reshape(n, c, h, w)


def reflect(index: Tensor, size: int) -> Tensor:
    """Fold integer indices into ``[0, size)`` by mirroring about the end pixels."""
    if size == 1:
        return torch.zeros_like(index)
    period = 2 * (size - 1)
    folded = torch.remainder(index, period)
    return torch.where(folded < size, folded, period - folded)
