"""Nearest-neighbour enlargement of image grids: every pixel becomes an exact k x k block."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.visualize import DEFAULT_MIN_CELL, grid_scale, make_grid, save_image_grid


def to_bytes(images: torch.Tensor) -> np.ndarray:
    """make_grid's byte mapping in float64 numpy, channels last: (N, H, W, C)."""
    x = np.clip(images.double().numpy(), -1, 1)
    return np.round((x + 1) * 255 / 2).astype(np.uint8).transpose(0, 2, 3, 1)


@pytest.mark.parametrize(("h", "w", "expected"), [
    (8, 8, 8),  # 64 / 8
    (28, 28, 3),  # ceil(64 / 28): 84-pixel tiles, at least 56
    (16, 32, 4),  # the shorter side decides
    (64, 64, 1),
    (100, 100, 1),  # never shrinks
])
def test_auto_scale_makes_tiles_at_least_min_cell(h: int, w: int, expected: int) -> None:
    k = grid_scale(h, w)
    assert k == expected and min(h, w) * k >= DEFAULT_MIN_CELL
    assert k == 1 or min(h, w) * (k - 1) < DEFAULT_MIN_CELL  # the smallest such factor
    assert grid_scale(h, w, min_cell=10) == max(1, -(-10 // min(h, w)))
    assert grid_scale(h, w, scale=5) == 5


@pytest.mark.parametrize(("scale", "k"), [(1, 1), (3, 3), (None, 8)])
def test_each_pixel_becomes_a_k_by_k_block(scale: int | None, k: int) -> None:
    torch.manual_seed(0)
    images = torch.rand(5, 3, 8, 8) * 2.2 - 1.1
    grid = make_grid(images, nrow=3, padding=2, pad_value=9, scale=scale).numpy()
    assert grid.shape == (2 * (8 * k + 2) + 2, 3 * (8 * k + 2) + 2, 3)
    pixels = to_bytes(images)
    for i in range(5):
        top, left = 2 + (i // 3) * (8 * k + 2), 2 + (i % 3) * (8 * k + 2)
        tile = grid[top : top + 8 * k, left : left + 8 * k]
        for c in range(3):
            np.testing.assert_array_equal(tile[:, :, c], np.kron(pixels[i, :, :, c],
                                                                 np.ones((k, k), np.uint8)))
    assert (grid[:2] == 9).all() and (grid[:, :2] == 9).all()  # the frame is not enlarged


def test_saved_png_is_enlarged_by_default(tmp_path: Path) -> None:
    torch.manual_seed(0)
    digits8 = torch.rand(16, 1, 8, 8) * 2 - 1
    with Image.open(save_image_grid(digits8, tmp_path / "d8.png")) as im:
        assert im.mode == "L" and im.size == (4 * (64 + 2) + 2,) * 2
        array = np.asarray(im)
    first = array[2 : 2 + 64, 2 : 2 + 64]
    np.testing.assert_array_equal(first, to_bytes(digits8)[0, :, :, 0].repeat(8, 0).repeat(8, 1))
    mnist = torch.zeros(4, 1, 28, 28)
    with Image.open(save_image_grid(mnist, tmp_path / "m.png", nrow=4)) as im:
        assert im.size == (4 * (84 + 2) + 2, 84 + 4)  # 3 x 3 blocks: 84 >= 56 pixels
    with Image.open(save_image_grid(mnist, tmp_path / "m2.png", nrow=4, scale=2)) as im:
        assert im.size == (4 * (56 + 2) + 2, 56 + 4)
    with Image.open(save_image_grid(mnist, tmp_path / "m3.png", nrow=4, min_cell=28)) as im:
        assert im.size == (4 * (28 + 2) + 2, 28 + 4)


def test_scale_errors_name_the_argument() -> None:
    images = torch.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match=r"scale must be a positive int \(>= 1\), got 0"):
        make_grid(images, scale=0)
    with pytest.raises(TypeError, match=r"scale must be a positive int, got float 2\.0"):
        make_grid(images, scale=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"min_cell must be a positive int \(>= 1\), got -1"):
        make_grid(images, scale=None, min_cell=-1)
