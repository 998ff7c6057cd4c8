"""Pictures of a memorization check: generated samples beside their nearest training images.

:func:`save_memorization_picture` (Pillow) shows, for each generated sample,
the training image :func:`~gankit.metrics.nearest_training_neighbours` found
nearest to it, so a person can see whether the "nearest" one is a copy;
:func:`save_memorization_histogram` (matplotlib) draws the two distance
distributions that the check compares.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch
from torch import Tensor

from gankit._atomic import atomic_write
from gankit._validation import check_optional_positive_int, check_positive_int
from gankit.metrics.memorization import MemorizationResult
from gankit.visualize._compose import check_images, tile, to_bytes
from gankit.visualize._png import save_labelled_png
from gankit.visualize.grid import DEFAULT_MIN_CELL, grid_scale
from gankit.visualize.plots import _figure

__all__ = ["PAIR_GAP", "PAIR_PADDING", "save_memorization_histogram", "save_memorization_picture"]

#: Grey pixels between a generated sample and its nearest training image.
PAIR_GAP = 2

#: White pixels between and around the pairs.
PAIR_PADDING = 6


def _check_result(result: object) -> MemorizationResult:
    if not isinstance(result, MemorizationResult):
        raise TypeError(
            f"result must be a MemorizationResult (from nearest_training_neighbours), "
            f"got {type(result).__name__}"
        )
    return result


def save_memorization_picture(
    generated: Tensor,
    train: Tensor,
    result: MemorizationResult,
    path: str | os.PathLike[str],
    n: int = 16,
    *,
    pairs_per_row: int | None = None,
    closest_first: bool = True,
    scale: int | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Path:
    """Save pairs "generated sample | its nearest training image" as one PNG.

    Each pair is the generated image, ``PAIR_GAP`` grey pixels, then
    ``train[result.generated_indices[i]]``, both enlarged by the same
    nearest-neighbour factor (:func:`~gankit.visualize.grid_scale`). Pairs are
    tiled ``pairs_per_row`` a row, ``PAIR_PADDING`` white pixels apart, under
    a one-line title (``LABEL_HEIGHT`` pixels). By default the ``n`` generated
    samples closest to the training set come first: if any are copies, they
    are these.

    Args:
        generated: The generated images the result was computed from, in ``[-1, 1]``.
        train: The training images, in the order of the training features.
        result: :func:`~gankit.metrics.nearest_training_neighbours` of their features.
        path: The PNG file; its folder is created if needed.
        n: How many pairs to show (at most ``M``).
        pairs_per_row: Pairs per row; default ``ceil(sqrt(n))``.
        closest_first: Show the ``n`` smallest distances, closest first;
            ``False`` shows the first ``n`` samples in order.
        scale: Integer enlargement of each image; ``None`` picks it from ``min_cell``.
        min_cell: The smallest image side ``scale=None`` enlarges to.

    Returns:
        The path written.

    Raises:
        ImportError: If Pillow is not installed (``pip install "gankit[extras]"``).
        TypeError: If the images are not floating-point tensors or ``result``
            is not a :class:`~gankit.metrics.MemorizationResult`.
        ValueError: If the images are not 1- or 3-channel ``(N, C, H, W)``
            batches of one ``(C, H, W)``, ``result`` does not match them, or
            ``n``, ``pairs_per_row``, ``scale`` or ``min_cell`` is below 1.

    Shape:
        - generated: ``(M, C, H, W)``; train: ``(N, C, H, W)``.
        - The PNG: ``rows * (k H + 6) + 6 + 16`` high and
          ``cols * (2 k W + 2 + 6) + 6`` wide, ``cols = min(pairs_per_row, n)``.

    Example:
        >>> import tempfile, pathlib
        >>> import torch
        >>> from PIL import Image
        >>> from gankit.metrics import nearest_training_neighbours
        >>> train = torch.rand(10, 1, 8, 8) * 2 - 1
        >>> generated = train[:4].clone()  # copies
        >>> result = nearest_training_neighbours(generated.flatten(1), train.flatten(1))
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "nn.png"
        >>> Image.open(save_memorization_picture(generated, train, result, path)).size
        (278, 162)
    """
    generated = check_images(generated, "generated")
    train = check_images(train, "train")
    result = _check_result(result)
    n = check_positive_int(n, "n")
    pairs_per_row = check_optional_positive_int(pairs_per_row, "pairs_per_row")
    if not isinstance(closest_first, bool):
        raise TypeError(f"closest_first must be a bool, got {type(closest_first).__name__}")
    if train.shape[1:] != generated.shape[1:]:
        raise ValueError(
            f"train images must have the generated images' shape (C, H, W) = "
            f"{tuple(generated.shape[1:])}, got {tuple(train.shape[1:])}"
        )
    indices = result.generated_indices
    if indices.shape != (generated.shape[0],):
        raise ValueError(
            f"result holds {indices.numel()} nearest neighbours but generated has "
            f"{generated.shape[0]} images; pass the images the result was computed from"
        )
    if int(indices.max()) >= train.shape[0]:
        raise ValueError(
            f"result points at training image {int(indices.max())} but train has "
            f"{train.shape[0]} images; pass the training images in the features' order"
        )
    n = min(n, generated.shape[0])
    if closest_first:
        shown = torch.argsort(result.generated_distances, stable=True)[:n]
    else:
        shown = torch.arange(n)
    _, c, h, w = generated.shape
    k = grid_scale(h, w, scale, min_cell)
    left = to_bytes(generated[shown], k)  # (n, kH, kW, C)
    right = to_bytes(train[indices[shown]], k)  # (n, kH, kW, C)
    gap = torch.full((n, k * h, PAIR_GAP, c), 128, dtype=torch.uint8)
    pairs = torch.cat([left, gap, right], dim=2)  # (n, kH, 2 kW + PAIR_GAP, C)
    per_row = pairs_per_row if pairs_per_row is not None else math.ceil(math.sqrt(n))
    picture = tile(pairs, per_row, PAIR_PADDING, 255)
    order = "closest first" if closest_first else "in order"
    title = f"generated | nearest training image ({order})"
    return save_labelled_png(picture, path, [], title=title)


def save_memorization_histogram(
    result: MemorizationResult, path: str | os.PathLike[str], bins: int = 40
) -> Path:
    """Save histograms of generated-to-train and held-out-to-train distances as a PNG.

    Both are drawn as densities on shared bins, with the held-out
    ``quantile`` threshold as a dashed line and the medians, the ratio and
    the test's verdict in the title; without held-out distances only the
    generated ones are drawn.

    Args:
        result: :func:`~gankit.metrics.nearest_training_neighbours`' result.
        path: The PNG file; its folder is created if needed.
        bins: Number of histogram bins.

    Returns:
        The path written.

    Raises:
        ImportError: If matplotlib is not installed (``pip install "gankit[extras]"``).
        TypeError: If ``result`` is not a :class:`~gankit.metrics.MemorizationResult`.
        ValueError: If ``bins`` is below 1.

    Shape:
        - The PNG: 700 × 400 pixels.

    Example:
        >>> import tempfile, pathlib
        >>> import torch
        >>> from PIL import Image
        >>> from gankit.metrics import nearest_training_neighbours
        >>> g = torch.Generator().manual_seed(0)
        >>> train, heldout, fake = (torch.randn(k, 4, generator=g) for k in (200, 100, 100))
        >>> result = nearest_training_neighbours(fake, train, heldout)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "hist.png"
        >>> Image.open(save_memorization_histogram(result, path)).size
        (700, 400)
    """
    result = _check_result(result)
    bins = check_positive_int(bins, "bins")
    fig = _figure((7, 4))
    ax = fig.add_subplot()
    gen = result.generated_distances.numpy()
    held = None if result.heldout_distances is None else result.heldout_distances.numpy()
    top = max(float(gen.max()), 0.0 if held is None else float(held.max()))
    edges = torch.linspace(0.0, top if top > 0 else 1.0, bins + 1).numpy()
    if held is not None:
        ax.hist(held, bins=edges, density=True, alpha=0.5, color="tab:blue",
                label="held-out real → train")
    ax.hist(gen, bins=edges, density=True, alpha=0.5, color="tab:orange",
            label="generated → train")
    title = f"median distance: generated {result.generated_median:.3g}"
    if result.threshold is not None:
        ax.axvline(result.threshold, color="black", linestyle="--",
                   label=f"held-out {100 * result.quantile:g}% quantile")
        title += (f", held-out {result.heldout_median:.3g} (ratio {result.median_ratio:.2f}); "
                  f"{100 * (result.fraction_closer or 0.0):.1f}% closer"
                  f"{', memorizing' if result.memorizing else ''}")
    ax.set_xlabel("distance to the nearest training image (features)")
    ax.set_ylabel("density")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    with atomic_write(path) as f:
        fig.savefig(f, format="png")
    return path
