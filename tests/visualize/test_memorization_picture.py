"""save_memorization_picture: each generated sample beside its nearest training image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.metrics import nearest_training_neighbours
from gankit.visualize import save_memorization_histogram, save_memorization_picture
from gankit.visualize._png import LABEL_HEIGHT
from gankit.visualize.memorization import PAIR_GAP, PAIR_PADDING


def read(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "PNG"
        return np.asarray(im)


def to_bytes(images: torch.Tensor, k: int) -> np.ndarray:
    """[-1, 1] to bytes in float64 numpy, each pixel a k x k block: (N, kH, kW)."""
    x = np.round((np.clip(images[:, 0].double().numpy(), -1, 1) + 1) * 127.5).astype(np.uint8)
    return x.repeat(k, axis=1).repeat(k, axis=2)


def test_pairs_show_the_nearest_training_image_closest_first(tmp_path: Path) -> None:
    torch.manual_seed(0)
    train = torch.rand(12, 1, 8, 8) * 2 - 1
    generated = torch.stack([train[5] + 0.3, train[2], train[9] + 0.1])  # 2nd is a copy
    result = nearest_training_neighbours(generated.flatten(1), train.flatten(1))
    assert result.generated_indices.tolist() == [5, 2, 9]
    picture = read(save_memorization_picture(generated, train, result, tmp_path / "m.png",
                                             pairs_per_row=3))
    pair_w = 2 * 64 + PAIR_GAP  # 8 x 8 images enlarged 8 times
    assert picture.shape == (LABEL_HEIGHT + 64 + 2 * PAIR_PADDING,
                             3 * (pair_w + PAIR_PADDING) + PAIR_PADDING)
    body = picture[LABEL_HEIGHT + PAIR_PADDING : LABEL_HEIGHT + PAIR_PADDING + 64]
    gen, near = to_bytes(generated, 8), to_bytes(train, 8)
    for slot, i in enumerate([1, 2, 0]):  # distances 0, 0.8, 2.4: closest first
        left = PAIR_PADDING + slot * (pair_w + PAIR_PADDING)
        np.testing.assert_array_equal(body[:, left : left + 64], gen[i])
        assert (body[:, left + 64 : left + 64 + PAIR_GAP] == 128).all()
        np.testing.assert_array_equal(body[:, left + 64 + PAIR_GAP : left + pair_w],
                                      near[result.generated_indices[i]])
    in_order = read(save_memorization_picture(generated, train, result, tmp_path / "o.png",
                                              n=2, closest_first=False, scale=1))
    # ceil(sqrt(2)) = 2 pairs a row, of 8 x 8 images at one pixel per pixel.
    assert in_order.shape == (LABEL_HEIGHT + 8 + 2 * PAIR_PADDING,
                              2 * (2 * 8 + PAIR_GAP + PAIR_PADDING) + PAIR_PADDING)
    np.testing.assert_array_equal(in_order[LABEL_HEIGHT + PAIR_PADDING :][:8, PAIR_PADDING:][:, :8],
                                  to_bytes(generated[:1], 1)[0])


def test_histogram_png(tmp_path: Path) -> None:
    g = torch.Generator().manual_seed(0)
    train, heldout = torch.randn(300, 4, generator=g), torch.randn(100, 4, generator=g)
    for generated in (torch.randn(100, 4, generator=g), train[:100]):
        result = nearest_training_neighbours(generated, train, heldout)
        with Image.open(save_memorization_histogram(result, tmp_path / "h" / "d.png")) as im:
            assert im.format == "PNG" and im.size == (700, 400)
    alone = nearest_training_neighbours(train[:10], train)  # all distances 0, no held-out
    with Image.open(save_memorization_histogram(alone, tmp_path / "a.png", bins=5)) as im:
        assert im.size == (700, 400)


def test_bad_arguments(tmp_path: Path) -> None:
    train = torch.zeros(5, 1, 4, 4)
    train[4] = 1.0
    generated = torch.ones(3, 1, 4, 4)  # nearest: training image 4
    result = nearest_training_neighbours(generated.flatten(1), train.flatten(1))
    out = tmp_path / "x.png"
    with pytest.raises(TypeError, match=r"result must be a MemorizationResult .*got dict"):
        save_memorization_picture(generated, train, {}, out)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="result holds 3 nearest neighbours but generated has 2"):
        save_memorization_picture(generated[:2], train, result, out)
    with pytest.raises(ValueError, match="points at training image 4 but train has 3"):
        save_memorization_picture(generated, train[:3], result, out)
    with pytest.raises(ValueError, match=r"\(C, H, W\) = \(1, 4, 4\), got \(3, 4, 4\)"):
        save_memorization_picture(generated, torch.zeros(5, 3, 4, 4), result, out)
    with pytest.raises(ValueError, match=r"generated must have shape \(N, C, H, W\)"):
        save_memorization_picture(generated.flatten(1), train, result, out)
    with pytest.raises(ValueError, match=r"n must be a positive int \(>= 1\), got 0"):
        save_memorization_picture(generated, train, result, out, n=0)
    with pytest.raises(TypeError, match="closest_first must be a bool, got str"):
        save_memorization_picture(generated, train, result, out, closest_first="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"bins must be a positive int \(>= 1\), got 0"):
        save_memorization_histogram(result, out, bins=0)
    assert not out.exists()
