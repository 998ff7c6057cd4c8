import gzip
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gankit.data import DataError, DataNotFoundError, ImageDataset, mnist_idx, read_idx


def _idx_bytes(array: np.ndarray) -> bytes:
    """IDX encoding written out by hand: 0x0000 08 d, d big-endian uint32 dims, raw bytes."""
    header = bytes([0, 0, 0x08, array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(folder: Path, name: str, array: np.ndarray, gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    blob = _idx_bytes(array)
    file = folder / (name + ".gz" if gz else name)
    file.write_bytes(gzip.compress(blob) if gz else blob)
    return file


def _fake(n: int, h: int = 28, w: int = 28, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # both ends of the range
    return images, rng.integers(0, 10, size=n, dtype=np.uint8)


def _check(data: ImageDataset, images: np.ndarray, labels: np.ndarray) -> None:
    assert isinstance(data, ImageDataset)
    assert data.images.dtype == torch.float32 and data.labels.dtype == torch.int64
    assert data.shape == (1, *images.shape[1:])
    expected = (images.astype(np.float64) / 127.5 - 1.0)[:, None]
    np.testing.assert_allclose(data.images.numpy(), expected, rtol=0, atol=1e-7)
    np.testing.assert_array_equal(data.labels.numpy(), labels)
    assert data.images.min().item() == -1.0 and data.images.max().item() == 1.0


def test_raw_train_files_round_trip(tmp_path: Path) -> None:
    images, labels = _fake(5)
    _write(tmp_path, "train-images-idx3-ubyte", images)
    _write(tmp_path, "train-labels-idx1-ubyte", labels)
    data = mnist_idx(tmp_path)
    _check(data, images, labels)
    assert data.classes == tuple("0123456789")


def test_gzipped_test_files_round_trip_with_non_square_images(tmp_path: Path) -> None:
    images, labels = _fake(3, h=4, w=6)
    _write(tmp_path, "t10k-images-idx3-ubyte", images, gz=True)
    _write(tmp_path, "t10k-labels-idx1-ubyte", labels, gz=True)
    _check(mnist_idx(str(tmp_path), split="test"), images, labels)


def test_torchvision_layout_is_found(tmp_path: Path) -> None:
    images, labels = _fake(2)
    _write(tmp_path / "MNIST" / "raw", "t10k-images-idx3-ubyte", images, gz=True)
    _write(tmp_path / "MNIST" / "raw", "t10k-labels-idx1-ubyte", labels)
    _check(mnist_idx(tmp_path, split="test"), images, labels)


def test_uncompressed_file_is_preferred(tmp_path: Path) -> None:
    images, labels = _fake(2, seed=1)
    other, _ = _fake(2, seed=2)
    _write(tmp_path, "train-images-idx3-ubyte", images)
    _write(tmp_path, "train-images-idx3-ubyte", other, gz=True)
    _write(tmp_path, "train-labels-idx1-ubyte", labels)
    _check(mnist_idx(tmp_path), images, labels)


def test_read_idx_reads_any_dimension_count(tmp_path: Path) -> None:
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    file = _write(tmp_path, "x", array)
    np.testing.assert_array_equal(read_idx(file, 0x00000803), array)
    with pytest.raises(ValueError, match=re.escape("magic must be 0x000008dd")):
        read_idx(file, 0x00000D03)  # float IDX data is not supported


@settings(deadline=None, max_examples=25)
@given(
    shape=st.tuples(st.integers(0, 4), st.integers(1, 5), st.integers(1, 5)),
    gz=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_any_idx_image_file_round_trips(shape: tuple[int, int, int], gz: bool, seed: int) -> None:
    array = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    with tempfile.TemporaryDirectory() as folder:
        file = _write(Path(folder), "images", array, gz=gz)
        back = read_idx(file, 0x00000803)
    assert back.dtype == np.uint8 and back.shape == shape
    np.testing.assert_array_equal(back, array)


def _pair(tmp_path: Path, n_labels: int = 4) -> tuple[Path, Path]:
    images, _ = _fake(4)
    return (
        _write(tmp_path, "train-images-idx3-ubyte", images),
        _write(tmp_path, "train-labels-idx1-ubyte", _fake(n_labels)[1]),
    )


def test_truncated_file_is_named(tmp_path: Path) -> None:
    image_file, _ = _pair(tmp_path)
    image_file.write_bytes(image_file.read_bytes()[:-1])
    message = f"{image_file} is truncated: {4 * 28 * 28 + 15} bytes, but its header"
    with pytest.raises(DataError, match=re.escape(message)):
        mnist_idx(tmp_path)


def test_file_shorter_than_its_header_is_named(tmp_path: Path) -> None:
    _, label_file = _pair(tmp_path)
    label_file.write_bytes(label_file.read_bytes()[:6])
    with pytest.raises(DataError, match=re.escape(f"{label_file} is truncated: 6 bytes")):
        mnist_idx(tmp_path)


def test_padded_file_is_named(tmp_path: Path) -> None:
    _, label_file = _pair(tmp_path)
    label_file.write_bytes(label_file.read_bytes() + b"\x00")
    with pytest.raises(DataError, match=re.escape(f"{label_file} is longer than its header says")):
        mnist_idx(tmp_path)


def test_wrong_magic_is_named(tmp_path: Path) -> None:
    image_file, label_file = _pair(tmp_path)
    image_file.write_bytes(label_file.read_bytes())  # a labels file where images belong
    message = f"{image_file} has IDX magic number 0x00000801, expected 0x00000803"
    with pytest.raises(DataError, match=re.escape(message)):
        mnist_idx(tmp_path)


def test_truncated_gzip_is_named(tmp_path: Path) -> None:
    images, labels = _fake(4)
    image_file = _write(tmp_path, "train-images-idx3-ubyte", images, gz=True)
    _write(tmp_path, "train-labels-idx1-ubyte", labels)
    image_file.write_bytes(image_file.read_bytes()[:-20])
    with pytest.raises(DataError, match=re.escape(f"{image_file} is not a valid gzip file")):
        mnist_idx(tmp_path)


def test_count_mismatch_names_both_files(tmp_path: Path) -> None:
    image_file, label_file = _pair(tmp_path, n_labels=3)
    message = f"{image_file} holds 4 images but {label_file} holds 3 labels"
    with pytest.raises(DataError, match=re.escape(message)):
        mnist_idx(tmp_path)


def test_labels_beyond_num_classes_are_rejected(tmp_path: Path) -> None:
    images, _ = _fake(2)
    _write(tmp_path, "train-images-idx3-ubyte", images)
    label_file = _write(tmp_path, "train-labels-idx1-ubyte", np.array([3, 12]))
    with pytest.raises(DataError, match=re.escape(f"{label_file} has label 12, outside [0, 10)")):
        mnist_idx(tmp_path)
    assert mnist_idx(tmp_path, num_classes=13).num_classes == 13


def test_missing_file_says_what_and_where(tmp_path: Path) -> None:
    _write(tmp_path, "t10k-images-idx3-ubyte", _fake(1)[0])
    message = (
        f"expected t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz) in {tmp_path}, "
        "missing t10k-labels-idx1-ubyte; download MNIST from its home page"
    )
    with pytest.raises(DataNotFoundError, match=re.escape(message)):
        mnist_idx(tmp_path, split="test")


def test_missing_folder_is_a_file_not_found_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    message = (
        f"mnist_idx(split='train'): the folder {missing} does not exist; it must hold "
        "train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz); download MNIST"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        mnist_idx(missing)


def test_a_file_instead_of_a_folder_is_rejected(tmp_path: Path) -> None:
    file = _write(tmp_path, "train-images-idx3-ubyte", _fake(1)[0])
    with pytest.raises(DataError, match=re.escape(f"{file} is a file, expected a folder")):
        mnist_idx(file)


def test_bad_arguments_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape("split must be 'train' or 'test', got 'all'")):
        mnist_idx(tmp_path, split="all")
    with pytest.raises(TypeError, match=re.escape("path must be a str or os.PathLike, got int")):
        mnist_idx(3)  # type: ignore[arg-type]
