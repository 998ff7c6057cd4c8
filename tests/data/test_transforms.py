"""RandomCrop: crops lie inside their images, offsets are uniform, draws are reproducible."""

from __future__ import annotations

import pytest
import torch

from gankit.data import BatchTransform, RandomCrop


def numbered(b: int, c: int, h: int, w: int) -> torch.Tensor:
    """Images whose every pixel value is distinct, so a crop reveals where it was cut."""
    return torch.arange(b * c * h * w, dtype=torch.float64).reshape(b, c, h, w)


def test_each_crop_is_the_window_at_its_drawn_offset() -> None:
    images = numbered(5, 3, 9, 7)
    out = RandomCrop(4)(images, generator=torch.Generator().manual_seed(0))
    assert out.shape == (5, 3, 4, 4) and out.is_contiguous()
    # The same generator state gives the row offsets of all 5 images, then the columns.
    gen = torch.Generator().manual_seed(0)
    top = torch.randint(0, 9 - 4 + 1, (5,), generator=gen)
    left = torch.randint(0, 7 - 4 + 1, (5,), generator=gen)
    for b in range(5):
        i, j = int(top[b]), int(left[b])
        assert torch.equal(out[b], images[b, :, i : i + 4, j : j + 4])


def test_offsets_cover_every_position_inside_the_image_and_only_those() -> None:
    # 8x6 images, 5x5 crops: rows 0..3, columns 0..1. A crop's top-left pixel names its offset.
    images = numbered(1, 1, 8, 6).expand(400, 1, 8, 6)
    out = RandomCrop(5)(images, generator=torch.Generator().manual_seed(1))
    corner = out[:, 0, 0, 0].long()  # value = 6 * row + column
    rows, cols = corner // 6, corner % 6
    assert set(rows.tolist()) == {0, 1, 2, 3} and set(cols.tolist()) == {0, 1}
    # Roughly uniform: 400 / 8 = 50 per cell, each cell well away from 0 and 400.
    counts = torch.bincount(rows * 2 + cols, minlength=8)
    assert bool((counts > 20).all()), counts.tolist()


def test_same_generator_state_same_crops_and_fresh_crops_otherwise() -> None:
    images = numbered(16, 1, 12, 12)
    crop = RandomCrop(8)
    a = crop(images, generator=torch.Generator().manual_seed(5))
    b = crop(images, generator=torch.Generator().manual_seed(5))
    gen = torch.Generator().manual_seed(5)
    first, second = crop(images, generator=gen), crop(images, generator=gen)
    assert torch.equal(a, b) and torch.equal(a, first)
    assert not torch.equal(first, second)
    torch.manual_seed(5)  # no generator: the global RNG, in the same order
    assert torch.equal(crop(images), a)


def test_an_image_of_the_crop_size_is_unchanged() -> None:
    images = numbered(3, 2, 6, 6)
    assert torch.equal(RandomCrop(6)(images), images)


def test_it_is_a_batch_transform_with_its_output_shape() -> None:
    crop = RandomCrop(64)
    assert isinstance(crop, BatchTransform)
    assert crop.output_shape((3, 72, 72)) == (3, 64, 64)
    assert repr(crop) == "RandomCrop(size=64)"


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: RandomCrop(0), ValueError, r"size must be a positive int \(>= 1\), got 0"),
        (lambda: RandomCrop(6.5), TypeError, "size must be a positive int, got float 6.5"),
        (lambda: RandomCrop(8)(numbered(2, 1, 8, 7)), ValueError,
         r"RandomCrop\(size=8\) needs images of at least 8 × 8 pixels, got 8 × 7"),
        (lambda: RandomCrop(8).output_shape((3, 4, 9)), ValueError, "got 4 × 9"),
        (lambda: RandomCrop(2)(numbered(1, 1, 4, 4)[0]), ValueError,
         r"a batch of shape \(B, C, H, W\), got \(1, 4, 4\)"),
        (lambda: RandomCrop(2)([[1.0]]), TypeError, "RandomCrop takes a tensor, got list"),
        (lambda: RandomCrop(2)(numbered(1, 1, 4, 4), generator=0), TypeError,
         "generator must be a torch.Generator or None, got int"),
    ],
)
def test_bad_arguments_are_rejected(make, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()
