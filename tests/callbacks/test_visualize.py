from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.visualize import make_grid, save_image_grid, save_loss_plot, save_scatter


def reference_grid(images: np.ndarray, nrow: int, padding: int, pad_value: int) -> np.ndarray:
    """Independent float64 numpy tiling, channels last."""
    n, c, h, w = images.shape
    rows = -(-n // nrow)
    ncol = min(nrow, n)
    out = np.full((rows * (h + padding) + padding, ncol * (w + padding) + padding, c),
                  pad_value, dtype=np.uint8)
    pixels = np.round((np.clip(images.astype(np.float64), -1, 1) + 1) * 255 / 2)
    for i in range(n):
        r, q = divmod(i, nrow)
        y, x = padding + r * (h + padding), padding + q * (w + padding)
        out[y:y + h, x:x + w] = pixels[i].transpose(1, 2, 0)
    return out


def test_hand_made_grid() -> None:
    # Two 1x2x2 images: [[-1, 1], [0, 2]] and all 1; padding 1 of value 9.
    images = torch.tensor([[[[-1.0, 1.0], [0.0, 2.0]]], [[[1.0, 1.0], [1.0, 1.0]]]])
    grid = make_grid(images, nrow=2, padding=1, pad_value=9)
    assert grid.dtype == torch.uint8 and tuple(grid.shape) == (4, 7, 1)
    assert grid[:, :, 0].tolist() == [
        [9, 9, 9, 9, 9, 9, 9],
        [9, 0, 255, 9, 255, 255, 9],
        [9, 128, 255, 9, 255, 255, 9],  # 0 -> 127.5 -> 128; 2 clamps to 255
        [9, 9, 9, 9, 9, 9, 9],
    ]


@pytest.mark.parametrize(
    ("n", "c", "nrow", "padding"), [(5, 3, 2, 2), (7, 1, None, 0), (1, 3, 4, 3)]
)
def test_grid_matches_numpy_reference(n, c, nrow, padding) -> None:
    torch.manual_seed(0)
    images = torch.rand(n, c, 4, 3) * 2.4 - 1.2
    grid = make_grid(images, nrow=nrow, padding=padding)
    expected_nrow = nrow if nrow is not None else int(np.ceil(np.sqrt(n)))
    ref = reference_grid(images.numpy(), expected_nrow, padding, 0)
    np.testing.assert_array_equal(grid.numpy(), ref)


def test_save_image_grid_png(tmp_path: Path) -> None:
    torch.manual_seed(0)
    images = torch.rand(6, 3, 5, 4) * 2 - 1
    path = save_image_grid(images, tmp_path / "a" / "rgb.png", nrow=3, scale=1)
    with Image.open(path) as im:
        assert im.format == "PNG" and im.mode == "RGB"
        assert im.size == (3 * (4 + 2) + 2, 2 * (5 + 2) + 2)  # (width, height)
        np.testing.assert_array_equal(np.asarray(im), make_grid(images, nrow=3).numpy())
        # A known pixel: image 4 (row 1, column 1), its top-left pixel.
        expected = np.round((images[4, :, 0, 0].double().numpy() + 1) * 127.5)
        assert list(im.getpixel((2 + 6, 2 + 7))) == expected.tolist()
    grey = save_image_grid(torch.zeros(4, 1, 3, 3), tmp_path / "grey.png", padding=1, scale=1)
    with Image.open(grey) as im:
        assert im.mode == "L" and im.size == (9, 9)
        assert im.getpixel((0, 0)) == 0 and im.getpixel((1, 1)) == 128


def test_grid_errors() -> None:
    with pytest.raises(ValueError, match=r"1 \(grey\) or 3 \(RGB\) channels, got 2"):
        make_grid(torch.zeros(2, 2, 4, 4))
    with pytest.raises(ValueError, match=r"shape \(N, C, H, W\) with N >= 1, got \(3, 4, 4\)"):
        make_grid(torch.zeros(3, 4, 4))
    with pytest.raises(ValueError, match=r"got \(0, 1, 4, 4\)"):
        make_grid(torch.zeros(0, 1, 4, 4))
    with pytest.raises(TypeError, match=r"floating-point tensor, got torch\.uint8"):
        make_grid(torch.zeros(1, 1, 4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError, match="nrow must be a positive int or None, got 0"):
        make_grid(torch.zeros(1, 1, 4, 4), nrow=0)
    with pytest.raises(ValueError, match="padding must be a non-negative int, got -1"):
        make_grid(torch.zeros(1, 1, 4, 4), padding=-1)
    with pytest.raises(ValueError, match=r"pad_value must be an int in \[0, 255\], got 256"):
        make_grid(torch.zeros(1, 1, 4, 4), pad_value=256)


def colour_counts(path: Path) -> tuple[int, int]:
    """Pixels that are clearly blue (real points) and clearly orange (generated ones)."""
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (500, 500)
        rgb = np.asarray(im.convert("RGB")).astype(int)
    red, blue = rgb[..., 0], rgb[..., 2]
    return int((blue - red > 60).sum()), int((red - blue > 60).sum())


def test_scatter_png(tmp_path: Path) -> None:
    torch.manual_seed(0)
    path = save_scatter(torch.randn(200, 2), np.random.default_rng(0).normal(size=(50, 2)),
                        tmp_path / "s" / "scatter.png", title="step 10")
    blue, orange = colour_counts(path)
    assert blue > 100 and orange > 100
    blue, orange = colour_counts(save_scatter(None, torch.randn(50, 2), tmp_path / "fake.png"))
    assert blue == 0 and orange > 100
    with pytest.raises(ValueError, match=r"fake must be 2-D points of shape \(N, 2\), got \(4, 3"):
        save_scatter(None, torch.zeros(4, 3), tmp_path / "bad.png")


def test_loss_plot_png(tmp_path: Path) -> None:
    history = {"d/loss": ([1, 2, 3], [1.0, 0.8, 0.7]), "d/gp": ([1, 2, 3], [0.1, 0.2, 0.1])}
    with Image.open(save_loss_plot(history, tmp_path / "loss.png")) as im:
        assert im.format == "PNG" and im.size == (700, 400)
    with pytest.raises(ValueError, match="series 'g/loss' has 2 steps but 1 values"):
        save_loss_plot({"g/loss": ([1, 2], [0.5])}, tmp_path / "bad.png")


def test_missing_extras_name_the_install_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'pip install "gankit\[extras\]"'):
        save_image_grid(torch.zeros(1, 1, 2, 2), tmp_path / "x.png")
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "gankit\[extras\]"'):
        save_scatter(None, torch.zeros(2, 2), tmp_path / "y.png")
