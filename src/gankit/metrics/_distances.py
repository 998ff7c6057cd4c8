"""Chunked float64 pairwise distances, k-NN radii and ball membership.

No function here holds more than ``chunk_size × chunk_size`` distances at a
time, so ten thousand points against ten thousand fit in a few megabytes.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ball_membership",
    "check_k",
    "iter_sq_distances",
    "kth_neighbour_sq_radii",
    "nearest_neighbours",
    "sq_distances",
]

#: Rows (and columns) per distance block: 1024² float64 values are 8 MB.
DEFAULT_CHUNK_SIZE = 1024


def check_k(k: int, n: int, name: str) -> None:
    """Check that ``1 <= k < n``: ``n`` points have ``n - 1`` neighbours besides themselves.

    Raises:
        TypeError: If ``k`` is not an int.
        ValueError: If ``k`` is outside ``[1, n)``.
    """
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if not 1 <= k < n:
        raise ValueError(
            f"k must satisfy 1 <= k < N for the {n} points of {name} "
            f"(self is excluded from the neighbours), got k={k}"
        )


def sq_distances(x: Tensor, y: Tensor) -> Tensor:
    r"""Squared Euclidean distances ``‖x_i − y_j‖²`` in float64, clamped at 0.

    .. math::
        D_{ij} = \max(0, \|x_i\|^2 + \|y_j\|^2 - 2 x_i^\top y_j)

    Shape:
        - x: ``(N, d)``; y: ``(M, d)``; output ``(N, M)``.
    """
    x = x.to(torch.float64)
    y = y.to(torch.float64)
    xx = (x * x).sum(dim=1, keepdim=True)  # (N, 1)
    yy = (y * y).sum(dim=1)  # (M,)
    return torch.addmm(xx + yy, x, y.T, alpha=-2.0).clamp_min_(0.0)  # (N, M)


def iter_sq_distances(
    x: Tensor, y: Tensor, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[tuple[int, int, Tensor]]:
    """Yield ``(row_start, col_start, block)`` covering all squared distances.

    Rows of a block belong to ``x[row_start:row_start + R]``, columns to
    ``y[col_start:col_start + C]`` with ``R, C <= chunk_size``. Blocks come
    row chunk by row chunk, columns in order within each row chunk.

    Shape:
        - x: ``(N, d)``; y: ``(M, d)``; block ``(R, C)``.
    """
    for i in range(0, x.shape[0], chunk_size):
        xi = x[i : i + chunk_size]
        for j in range(0, y.shape[0], chunk_size):
            yield i, j, sq_distances(xi, y[j : j + chunk_size])


def kth_neighbour_sq_radii(x: Tensor, k: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Tensor:
    """Squared distance from each point to its ``k``-th nearest other point of ``x``.

    The point itself is excluded (its own distance is set to infinity);
    duplicates of it are other points and count as neighbours at distance 0.

    Shape:
        - x: ``(N, d)`` with ``N > k``; output ``(N,)``.
    """
    n = x.shape[0]
    best = torch.empty(0, 0, dtype=torch.float64)  # (R, <= k) smallest so far, sorted
    rows: list[Tensor] = []
    for i, j, block in iter_sq_distances(x, x, chunk_size):
        if j == 0:
            best = torch.empty(block.shape[0], 0, dtype=torch.float64)
        r = torch.arange(block.shape[0])
        c = r + i - j  # column of each row's own point inside this block
        own = (c >= 0) & (c < block.shape[1])
        block[r[own], c[own]] = float("inf")
        merged = torch.cat([best, block], dim=1)
        best = merged.topk(min(k, merged.shape[1]), dim=1, largest=False).values
        if j + block.shape[1] >= n:
            rows.append(best[:, k - 1])
    return torch.cat(rows)


def ball_membership(
    points: Tensor,
    centres: Tensor,
    sq_radii: Tensor,
    *,
    strict: bool,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[Tensor, Tensor]:
    """Count which points fall inside which balls ``B(centre_i, radius_i)``.

    A point is inside when ``‖p − c_i‖² < r_i²`` (``strict=True``) or
    ``‖p − c_i‖² <= r_i²`` (``strict=False``).

    Returns:
        ``(per_point, per_centre)``: for each point the number of balls that
        hold it, and for each ball the number of points it holds (int64).

    Shape:
        - points: ``(M, d)``; centres: ``(N, d)``; sq_radii: ``(N,)``.
        - per_point: ``(M,)``; per_centre: ``(N,)``.
    """
    per_point = torch.zeros(points.shape[0], dtype=torch.int64)
    per_centre = torch.zeros(centres.shape[0], dtype=torch.int64)
    for i, j, block in iter_sq_distances(points, centres, chunk_size):
        r2 = sq_radii[j : j + block.shape[1]]  # (C,)
        inside = block < r2 if strict else block <= r2  # (R, C)
        per_point[i : i + block.shape[0]] += inside.sum(dim=1)
        per_centre[j : j + block.shape[1]] += inside.sum(dim=0)
    return per_point, per_centre


def nearest_neighbours(
    x: Tensor, y: Tensor, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> tuple[Tensor, Tensor]:
    """For each row of ``x``, its nearest row of ``y``: the distance and the index.

    The index is the argmin over distance blocks (the first on ties); the
    distance is then recomputed directly as ``‖x_i − y_j‖`` in float64, so an
    exact copy is at distance 0 exactly (the block formula can leave ~1e-8).

    Returns:
        ``(distances, indices)``: float64 ``(N,)`` and int64 ``(N,)``.

    Shape:
        - x: ``(N, d)``; y: ``(M, d)`` with ``M >= 1``.
    """
    best = torch.full((x.shape[0],), float("inf"), dtype=torch.float64)
    indices = torch.zeros(x.shape[0], dtype=torch.int64)
    for i, j, block in iter_sq_distances(x, y, chunk_size):
        values, cols = block.min(dim=1)  # (R,)
        rows = slice(i, i + block.shape[0])
        better = values < best[rows]
        best[rows] = torch.where(better, values, best[rows])
        indices[rows] = torch.where(better, cols + j, indices[rows])
    diff = x.to(torch.float64) - y.to(torch.float64)[indices]  # (N, d)
    return diff.norm(dim=1), indices
