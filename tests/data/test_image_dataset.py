import re

import pytest
import torch
from torch.utils.data import DataLoader

from gankit.data import ImageDataset, RandomCrop


def _images(n: int = 4) -> torch.Tensor:
    return torch.linspace(-1, 1, n * 2 * 3 * 5).reshape(n, 2, 3, 5)


def test_items_length_shape_and_classes() -> None:
    images, labels = _images(), torch.tensor([2, 0, 1, 2])
    data = ImageDataset(images, labels, ["a", "b", "c"])
    assert len(data) == 4
    assert data.shape == (2, 3, 5)
    assert data.num_classes == 3
    assert data.classes == ("a", "b", "c")
    image, label = data[3]
    assert torch.equal(image, images[3])
    assert label.item() == 2
    assert repr(data) == "ImageDataset(num_images=4, shape=(2, 3, 5), num_classes=3)"


def test_a_dataloader_batches_it() -> None:
    data = ImageDataset(_images(), torch.tensor([0, 1, 0, 1]), ["x", "y"])
    x, y = next(iter(DataLoader(data, batch_size=3)))
    assert x.shape == (3, 2, 3, 5)
    assert y.tolist() == [0, 1, 0]


def test_a_transform_sets_the_served_shape_and_crops_each_item() -> None:
    images = _images(4)  # (4, 2, 3, 5)
    data = ImageDataset(images, torch.tensor([0, 1, 0, 1]), ["x", "y"], transform=RandomCrop(3))
    assert data.shape == (2, 3, 3) and data.images.shape == (4, 2, 3, 5)
    assert repr(data) == ("ImageDataset(num_images=4, shape=(2, 3, 3), num_classes=2, "
                          "transform=RandomCrop(size=3))")
    torch.manual_seed(0)  # dataset[i] crops with the global RNG
    image, label = data[2]
    torch.manual_seed(0)
    assert torch.equal(image, RandomCrop(3)(images[2:3])[0]) and label.item() == 0
    x, _ = next(iter(DataLoader(data, batch_size=4)))  # so a DataLoader augments too
    assert x.shape == (4, 2, 3, 3)


def test_a_transform_must_fit_the_images() -> None:
    labels = torch.zeros(4, dtype=torch.int64)
    with pytest.raises(ValueError, match=re.escape("needs images of at least 4 × 4 pixels, "
                                                   "got 3 × 5")):
        ImageDataset(_images(), labels, ["a"], transform=RandomCrop(4))
    with pytest.raises(TypeError, match=r"transform must be a batch transform such as "
                                        r"gankit\.data\.RandomCrop .*got function"):
        ImageDataset(_images(), labels, ["a"], transform=lambda x: x)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("images", "labels", "classes", "error", "message"),
    [
        (_images().double(), torch.zeros(4, dtype=torch.int64), ["a"], TypeError,
         "images must be a float32 tensor, got a tensor of dtype torch.float64"),
        (_images()[0], torch.zeros(2, dtype=torch.int64), ["a"], ValueError,
         "images must have shape (N, C, H, W), got (2, 3, 5)"),
        (_images(), torch.zeros(4, dtype=torch.int32), ["a"], TypeError,
         "labels must be an int64 tensor, got a tensor of dtype torch.int32"),
        (_images(), [0, 0, 0, 0], ["a"], TypeError, "labels must be an int64 tensor, got list"),
        (_images(), torch.zeros(3, dtype=torch.int64), ["a"], ValueError,
         "labels must have shape (4,) to match images, got (3,)"),
        (_images(), torch.zeros(4, dtype=torch.int64), [], ValueError,
         "classes must name at least one class"),
        (_images(), torch.zeros(4, dtype=torch.int64), "ab", TypeError,
         "classes must be a sequence of strings"),
        (_images(), torch.tensor([0, 1, 2, 0]), ["a", "b"], ValueError,
         "labels must lie in [0, 2) for 2 classes, got values in [0, 2]"),
        (_images() * 2, torch.zeros(4, dtype=torch.int64), ["a"], ValueError,
         "images must lie in [-1, 1], got values in [-2.0, 2.0]"),
    ],
)
def test_bad_contents_are_rejected(images, labels, classes, error, message) -> None:
    with pytest.raises(error, match=re.escape(message)):
        ImageDataset(images, labels, classes)


def test_stratified_subset_keeps_ceil_f_n_of_each_class_with_classes_and_transform() -> None:

    labels = torch.tensor([0] * 7 + [1] * 3 + [2] * 10)
    images = torch.linspace(-1, 1, 20)[:, None, None, None].expand(20, 1, 6, 6).contiguous()
    data = ImageDataset(images, labels, ("a", "b", "c"), transform=RandomCrop(4))
    half = data.stratified_subset(0.5, seed=3)
    assert torch.bincount(half.labels).tolist() == [4, 2, 5]  # ⌈3.5⌉, ⌈1.5⌉, ⌈5⌉
    assert half.classes == data.classes and half.transform is data.transform
    # Each kept image still carries its own label (image value k ↔ index k).
    index = ((half.images[:, 0, 0, 0] + 1) / 2 * 19).round().long()
    assert torch.equal(labels[index], half.labels)
    small = data.stratified_subset(0.2, seed=3)
    assert set(small.images[:, 0, 0, 0].tolist()) <= set(half.images[:, 0, 0, 0].tolist())
    with pytest.raises(ValueError, match=r"fraction must be a number in \(0, 1\], got 1.5"):
        data.stratified_subset(1.5)
