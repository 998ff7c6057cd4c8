import re
import sys

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from gankit.data import ImageDataset, digits, digits_split_indices


@pytest.fixture(scope="module")
def sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    bunch = load_digits()
    return bunch.images, bunch.target


def _bilinear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """1-D bilinear weights with half-pixel centres (align_corners=False), float64."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        src = max((i + 0.5) * n_in / n_out - 0.5, 0.0)
        lo = int(np.floor(src))
        hi = min(lo + 1, n_in - 1)
        m[i, lo] += 1 - (src - lo)
        m[i, hi] += src - lo
    return m


def test_split_sizes_and_types() -> None:
    train, test, everything = digits("train"), digits("test"), digits("all")
    assert (len(train), len(test), len(everything)) == (1497, 300, 1797)
    for data in (train, test, everything):
        assert isinstance(data, ImageDataset)
        assert data.images.dtype == torch.float32 and data.labels.dtype == torch.int64
        assert data.shape == (1, 8, 8)
        assert data.classes == tuple("0123456789")
    assert torch.bincount(test.labels).tolist() == [30] * 10  # stratified


def test_all_is_sklearn_scaled_to_unit_range(sklearn_digits) -> None:
    images, target = sklearn_digits
    data = digits("all")
    expected = (images / 8.0 - 1.0).astype(np.float32)  # exact: p / 8 is exact in float32
    np.testing.assert_array_equal(data.images[:, 0].numpy(), expected)
    np.testing.assert_array_equal(data.labels.numpy(), target)
    assert data.images.min().item() == -1.0 and data.images.max().item() == 1.0


def test_split_is_a_disjoint_cover_following_the_documented_rule(sklearn_digits) -> None:
    images, target = sklearn_digits
    train_idx, test_idx = digits_split_indices(target)
    assert np.intersect1d(train_idx, test_idx).size == 0
    np.testing.assert_array_equal(np.union1d(train_idx, test_idx), np.arange(1797))
    # Independent re-statement: walk RandomState(0)'s permutation, keep the first 30 per class.
    taken: dict[int, list[int]] = {k: [] for k in range(10)}
    for index in np.random.RandomState(0).permutation(1797):
        if len(taken[target[index]]) < 30:
            taken[target[index]].append(int(index))
    np.testing.assert_array_equal(test_idx, sorted(i for v in taken.values() for i in v))
    test = digits("test")
    np.testing.assert_array_equal(test.images[:, 0].numpy(), images[test_idx] / 8.0 - 1.0)
    np.testing.assert_array_equal(digits("train").labels.numpy(), target[train_idx])


def test_split_never_changes() -> None:
    # Regression pin: results on the held-out digits are compared across
    # versions, so these first held-out indices must stay as they are.
    _, test_idx = digits_split_indices(load_digits().target)
    assert test_idx[:8].tolist() == [4, 5, 6, 9, 14, 18, 19, 34]


def test_calls_are_identical() -> None:
    a, b = digits("train", size=16), digits("train", size=16)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)


@pytest.mark.parametrize("size", [16, 32])
def test_resize_is_bilinear_with_half_pixel_centres(size: int, sklearn_digits) -> None:
    data = digits("test", size=size)
    assert data.shape == (1, size, size)
    assert data.images.min() >= -1.0 and data.images.max() <= 1.0
    _, test_idx = digits_split_indices(sklearn_digits[1])
    m = _bilinear_matrix(8, size)
    small = sklearn_digits[0][test_idx] / 8.0 - 1.0  # (N, 8, 8) float64
    expected = np.einsum("ij,njk,lk->nil", m, small, m)
    np.testing.assert_allclose(data.images[:, 0].numpy(), expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("split", ["val", "Train", None])
def test_unknown_split_is_rejected(split) -> None:
    message = f"split must be 'train' or 'test' or 'all', got {split!r}"
    with pytest.raises(ValueError, match=re.escape(message)):
        digits(split)


@pytest.mark.parametrize("size", [12, 64, 16.0, True])
def test_unsupported_size_is_rejected(size) -> None:
    with pytest.raises(ValueError, match=re.escape(f"size must be 8, 16 or 32, got {size!r}")):
        digits(size=size)


def test_missing_scikit_learn_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=re.escape('pip install "gankit[extras]"')):
        digits()
