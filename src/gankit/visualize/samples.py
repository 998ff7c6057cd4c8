"""Draw generated samples the way they look best: a scatter for 2-D points, a grid for images."""

from __future__ import annotations

from pathlib import Path

from torch import Tensor

from gankit.visualize.grid import save_image_grid
from gankit.visualize.plots import save_scatter

__all__ = ["save_samples_picture"]


def save_samples_picture(samples: Tensor, path: Path, real: Tensor | None = None,
                         title: str | None = None) -> Path | None:
    """Draw samples as a scatter (2-D points) or an image grid (``(C, H, W)`` images).

    Args:
        samples: Generated samples, shape ``(N, 2)`` or ``(N, C, H, W)``.
        path: The PNG file.
        real: Real 2-D points drawn underneath a scatter, or ``None``.
        title: The scatter's title.

    Returns:
        The path written, or ``None`` if samples of this shape cannot be drawn.

    Raises:
        ImportError: If matplotlib or pillow is missing (``pip install "gankit[extras]"``).

    Shape:
        - samples: ``(N, 2)`` or ``(N, C, H, W)`` with ``C`` in ``{1, 3}``.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import torch
        >>> out = Path(tempfile.mkdtemp()) / "s.png"
        >>> save_samples_picture(torch.randn(10, 2), out) == out
        True
    """
    samples = samples.detach().float().cpu()
    if samples.dim() == 2 and samples.shape[1] == 2:
        return save_scatter(real, samples, path, title=title)
    if samples.dim() == 4 and samples.shape[1] in (1, 3):
        return save_image_grid(samples.clamp(-1, 1), path)
    return None
