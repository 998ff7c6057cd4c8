"""Stacked MNIST: each channel is one of the given digits, the label its class triple."""

from __future__ import annotations

import pytest
import torch

from gankit.data import ImageDataset, digits, stacked_mnist


@pytest.fixture(scope="module")
def source() -> ImageDataset:
    return digits("test")  # 300 8×8 digits stand in for MNIST: the stacking is the same


def test_channels_are_source_digits_and_labels_their_triples(source: ImageDataset) -> None:
    data = stacked_mnist(source, 400, generator=torch.Generator().manual_seed(3))
    assert data.images.shape == (400, 3, 8, 8) and data.num_classes == 1000
    flat = source.images.reshape(len(source), -1)
    for i in range(0, 400, 37):
        triple = []
        for c in range(3):
            match = (flat == data.images[i, c].reshape(1, -1)).all(dim=1)
            assert match.any()  # the channel is an exact copy of a source digit
            triple.append(int(source.labels[match][0]))
        assert int(data.labels[i]) == 100 * triple[0] + 10 * triple[1] + triple[2]


def test_draws_are_seeded_and_cover_the_modes(source: ImageDataset) -> None:
    a = stacked_mnist(source, 20000, generator=torch.Generator().manual_seed(0))
    b = stacked_mnist(source, 20000, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    counts = torch.bincount(a.labels, minlength=1000)
    assert int((counts > 0).sum()) == 1000  # 20 per mode on average; none is missing
    first = torch.bincount(a.labels // 100, minlength=10).double() / 20000
    assert torch.allclose(first, torch.full((10,), 0.1, dtype=torch.float64), atol=0.02)


def test_bad_input(source: ImageDataset) -> None:
    with pytest.raises(TypeError, match="digits must be an ImageDataset, got Tensor"):
        stacked_mnist(source.images, 10)  # type: ignore[arg-type]
    colour = ImageDataset(torch.zeros(4, 3, 8, 8), torch.zeros(4, dtype=torch.long), ["a"])
    with pytest.raises(ValueError, match=r"grey \(1 channel\) with 10 classes, got shape"):
        stacked_mnist(colour, 10)
    with pytest.raises(ValueError, match="n must be"):
        stacked_mnist(source, 0)
