"""Draw generated samples the way they look best: a scatter for 2-D points, a grid for images.

Given real images as well, the picture puts a grid of real images on the left
and a grid of generated ones on the right, enlarged alike, under the labels
"real" and "generated" (drawn with Pillow: no matplotlib needed).
"""

from __future__ import annotations

import os
from pathlib import Path

from torch import Tensor

from gankit.visualize._compose import check_images, side_by_side
from gankit.visualize._png import save_labelled_png
from gankit.visualize.grid import DEFAULT_MIN_CELL, grid_scale, make_grid, save_image_grid
from gankit.visualize.plots import save_scatter

__all__ = ["PANEL_GAP", "save_samples_picture"]

#: White pixels between the real and the generated grid.
PANEL_GAP = 8


def save_samples_picture(
    samples: Tensor,
    path: str | os.PathLike[str],
    real: Tensor | None = None,
    title: str | None = None,
    *,
    nrow: int | None = None,
    scale: int | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    labels: tuple[str, str] = ("real", "generated"),
) -> Path | None:
    """Draw samples as a scatter (2-D points) or an image grid (``(C, H, W)`` images).

    - 2-D points: a scatter of the samples over the ``real`` points, if any
      (:func:`~gankit.visualize.save_scatter`).
    - Images without ``real``: one grid (:func:`~gankit.visualize.save_image_grid`),
      under a line of ``title`` if one is given.
    - Images with real images: real versus generated side by side, the real
      grid on the left and the generated one on the right, ``PANEL_GAP``
      white pixels apart, both enlarged by the same nearest-neighbour factor
      (``scale``, or chosen from ``min_cell`` and the image size), under a
      white strip of ``LABEL_HEIGHT`` pixels labelled "real" and "generated"
      (and a line of ``title`` above it, if given).

    Args:
        samples: Generated samples, shape ``(N, 2)`` or ``(N, C, H, W)``.
        path: The PNG file; its folder is created if needed.
        real: Real 2-D points drawn underneath a scatter, real images of the
            samples' ``(C, H, W)`` drawn beside the grid, or ``None``.
        title: The picture's title.
        nrow: Images per row of each grid; default ``ceil(sqrt(N))`` (and
            ``ceil(sqrt(M))`` for ``M`` real images).
        scale: Integer nearest-neighbour enlargement of each image; ``None``
            picks the smallest that makes tiles at least ``min_cell`` pixels.
        min_cell: The smallest tile side ``scale=None`` enlarges to.
        labels: The names over the left (``real``) and the right panel, e.g.
            ``("without DiffAugment", "with DiffAugment")`` to compare two
            generators' samples.

    Returns:
        The path written, or ``None`` if samples of this shape cannot be drawn.

    Raises:
        ImportError: If matplotlib or pillow is missing (``pip install "gankit[extras]"``).
        TypeError: If ``real`` beside images is not a floating-point tensor, or
            ``labels`` is not two strings.
        ValueError: If ``real`` beside images is not a batch of images of the
            samples' ``(C, H, W)``, or ``nrow``, ``scale`` or ``min_cell`` is below 1.

    Shape:
        - samples: ``(N, 2)`` or ``(N, C, H, W)`` with ``C`` in ``{1, 3}``.
        - real: ``(M, 2)`` beside points, ``(M, C, H, W)`` beside images.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import torch
        >>> from PIL import Image
        >>> out = Path(tempfile.mkdtemp()) / "s.png"
        >>> save_samples_picture(torch.randn(10, 2), out) == out
        True
        >>> real, fake = torch.zeros(4, 1, 8, 8), torch.ones(4, 1, 8, 8)  # 2 x 2 grids
        >>> Image.open(save_samples_picture(fake, out, real=real)).size  # 134 + 8 + 134
        (276, 150)
    """
    samples = samples.detach().float().cpu()
    if samples.dim() == 2 and samples.shape[1] == 2:
        return save_scatter(real, samples, path, title=title)
    if samples.dim() != 4 or samples.shape[1] not in (1, 3):
        return None
    samples = samples.clamp(-1, 1)
    if real is None and title is None:
        return save_image_grid(samples, path, nrow=nrow, scale=scale, min_cell=min_cell)
    if real is None:
        grid = make_grid(samples, nrow=nrow, scale=scale, min_cell=min_cell)
        return save_labelled_png(grid, path, [], title=title)
    real = check_images(real, "real")
    if not (isinstance(labels, (tuple, list)) and len(labels) == 2
            and all(isinstance(name, str) for name in labels)):
        raise TypeError(f"labels must be two strings (left, right), got {labels!r}")
    if real.shape[1:] != samples.shape[1:]:
        raise ValueError(
            f"real images must have the samples' shape (C, H, W) = {tuple(samples.shape[1:])}, "
            f"got {tuple(real.shape[1:])}"
        )
    k = grid_scale(samples.shape[2], samples.shape[3], scale, min_cell)
    left = make_grid(real.detach().float().cpu(), nrow=nrow, scale=k)
    right = make_grid(samples, nrow=nrow, scale=k)
    picture = side_by_side([left, right], gap=PANEL_GAP, fill=255)
    names = [(0, labels[0]), (left.shape[1] + PANEL_GAP, labels[1])]
    return save_labelled_png(picture, path, names, title=title)
