import builtins
import codecs
import io
import os
import pickle
import re
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.data import CIFAR10_CLASSES, DataError, DataNotFoundError, ImageDataset, cifar10


def _batch(n: int, seed: int) -> dict[bytes, object]:
    rng = np.random.default_rng(seed)
    return {
        b"batch_label": b"fake batch",
        b"labels": [int(k) for k in rng.integers(0, 10, size=n)],
        b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def _dump(file: Path, obj: object) -> Path:
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("wb") as stream:
        pickle.dump(obj, stream, protocol=2)  # the real batches are protocol 2
    return file


def _train_folder(folder: Path, n: int = 2) -> list[dict[bytes, object]]:
    batches = [_batch(n, seed) for seed in range(5)]
    for i, batch in enumerate(batches, start=1):
        _dump(folder / f"data_batch_{i}", batch)
    return batches


def test_train_batches_round_trip_in_order(tmp_path: Path) -> None:
    batches = _train_folder(tmp_path)
    data = cifar10(tmp_path)
    assert isinstance(data, ImageDataset)
    assert len(data) == 10 and data.shape == (3, 32, 32)
    assert data.images.dtype == torch.float32 and data.labels.dtype == torch.int64
    assert data.classes == CIFAR10_CLASSES and data.classes[0] == "airplane"
    rows = np.concatenate([b[b"data"] for b in batches]).astype(np.float64)
    expected = rows.reshape(10, 3, 32, 32) / 127.5 - 1
    np.testing.assert_allclose(data.images.numpy(), expected, rtol=0, atol=1e-7)
    assert data.labels.tolist() == [k for b in batches for k in b[b"labels"]]


def test_rows_are_red_green_blue_planes_row_major(tmp_path: Path) -> None:
    y, x = np.mgrid[0:32, 0:32]
    red, green, blue = (y * 8) % 256, (x * 8) % 256, np.full((32, 32), 255)  # (32, 32) each
    row = np.concatenate([red.ravel(), green.ravel(), blue.ravel()]).astype(np.uint8)
    _dump(tmp_path / "test_batch", {b"data": row[None], b"labels": [7]})
    image = cifar10(tmp_path, split="test").images[0].double().numpy()  # (3, 32, 32)
    for channel, plane in enumerate((red, green, blue)):
        np.testing.assert_allclose(image[channel], plane / 127.5 - 1, rtol=0, atol=1e-7)
    assert image[0, 5, 0] != image[0, 0, 5]  # rows, not columns, vary in the red plane


def test_extracted_archive_folder_is_found(tmp_path: Path) -> None:
    batch = _batch(3, seed=9)
    _dump(tmp_path / "cifar-10-batches-py" / "test_batch", batch)
    data = cifar10(tmp_path, split="test")
    assert data.labels.tolist() == batch[b"labels"]


def test_str_keys_and_numpy_1_array_names_are_accepted(tmp_path: Path) -> None:
    batch = _batch(2, seed=4)
    blob = pickle.dumps({"data": batch[b"data"], "labels": batch[b"labels"]}, protocol=2)
    # Arrays pickled by numpy 1.x (as the real files were) name numpy.core.multiarray.
    assert b"numpy._core.multiarray\n" in blob
    blob = blob.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
    (tmp_path / "test_batch").write_bytes(blob)
    data = cifar10(tmp_path, split="test")
    np.testing.assert_allclose(
        data.images.reshape(2, -1).double().numpy(), batch[b"data"] / 127.5 - 1, atol=1e-7
    )


class _Python2Pickler(pickle._Pickler):
    """Writes ``bytes`` as Python 2 ``str`` (BINSTRING opcodes), as the real batches have them."""

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_py2_str(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def test_python2_style_batch_like_the_real_files(tmp_path: Path) -> None:
    batch = _batch(3, seed=5)
    stream = io.BytesIO()
    _Python2Pickler(stream, protocol=2).dump(batch)
    blob = stream.getvalue().replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
    assert b"_codecs" not in blob and pickle.SHORT_BINSTRING + b"\x04data" in blob
    (tmp_path / "test_batch").write_bytes(blob)
    data = cifar10(tmp_path, split="test")
    expected = batch[b"data"].astype(np.float64) / 127.5 - 1
    np.testing.assert_allclose(data.images.reshape(3, -1).double().numpy(), expected, atol=1e-7)
    assert data.labels.tolist() == batch[b"labels"]


class _Payload:
    """Pickles as a call to ``function(*args)``: what a doctored batch would contain."""

    def __init__(self, function, *args) -> None:
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


def _payloads(marker: Path) -> dict[str, _Payload]:
    return {
        "os.system": _Payload(os.system, f"touch '{marker}'"),
        "builtins.exec": _Payload(builtins.exec, f"open({str(marker)!r}, 'w').close()"),
        "builtins.open": _Payload(builtins.open, str(marker), "w"),
    }


@pytest.mark.parametrize(
    ("name", "pickled_as"),
    [
        ("os.system", r"(posix|nt)\.system"),
        ("builtins.exec", r"(__builtin__|builtins)\.exec"),
        ("builtins.open", r"(__builtin__|builtins|io)\.open"),
    ],
)
def test_malicious_pickle_runs_no_code(tmp_path: Path, name: str, pickled_as: str) -> None:
    # The payload is live: plain pickle.load runs it and creates the marker.
    live = tmp_path / "live-marker"
    with _dump(tmp_path / "live" / "test_batch", {b"data": _payloads(live)[name]}).open("rb") as f:
        pickle.load(f)
    assert live.exists()
    # The loader refuses the same file before calling anything.
    marker = tmp_path / "marker"
    evil = {b"data": _payloads(marker)[name], b"labels": []}
    file = _dump(tmp_path / "evil" / "test_batch", evil)
    pattern = re.escape(f"cannot read the CIFAR-10 batch {file}: it references ") + pickled_as
    with pytest.raises(DataError, match=pattern + ", which is not allowed"):
        cifar10(file.parent, split="test")
    assert not marker.exists()


def test_codecs_encode_is_only_allowed_for_latin1(tmp_path: Path) -> None:
    file = _dump(tmp_path / "test_batch", {b"data": _Payload(codecs.encode, "abc", "rot13")})
    with pytest.raises(DataError, match=re.escape("only the latin-1 encoding of a string")):
        cifar10(tmp_path, split="test")
    assert file.exists()


def test_truncated_batch_is_named(tmp_path: Path) -> None:
    file = _dump(tmp_path / "test_batch", _batch(4, seed=0))
    file.write_bytes(file.read_bytes()[:1000])
    with pytest.raises(DataError, match=re.escape(f"cannot read the CIFAR-10 batch {file}")):
        cifar10(tmp_path, split="test")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([1, 2], "holds a list, expected a CIFAR-10 batch dict"),
        ({b"data": np.zeros((2, 3072), np.uint8)}, "expected 'data' and 'labels'"),
        ({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]},
         "'data' must be a uint8 array (N, 3072), got uint8 (2, 100)"),
        ({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]},
         "'data' must be a uint8 array (N, 3072), got float32 (2, 3072)"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]},
         "'labels' must be 2 integers (one per image)"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]},
         "labels must lie in [0, 10), got values in [0, 10]"),
    ],
)
def test_malformed_batch_is_named(tmp_path: Path, content: object, message: str) -> None:
    file = _dump(tmp_path / "test_batch", content)
    with pytest.raises(DataError, match=re.escape(f"{file}") + ".*" + re.escape(message)):
        cifar10(tmp_path, split="test")


def test_missing_batches_are_listed_with_where_to_get_them(tmp_path: Path) -> None:
    for i in (1, 2, 3):
        _dump(tmp_path / f"data_batch_{i}", _batch(1, seed=i))
    message = (
        f"expected data_batch_1, data_batch_2, data_batch_3, data_batch_4, data_batch_5 in "
        f"{tmp_path} or {tmp_path / 'cifar-10-batches-py'}, missing data_batch_4, data_batch_5; "
        "download the 'CIFAR-10 python version' from https://www.cs.toronto.edu/~kriz/cifar.html"
    )
    with pytest.raises(DataNotFoundError, match=re.escape(message)):
        cifar10(tmp_path)


def test_missing_folder_is_a_file_not_found_error(tmp_path: Path) -> None:
    message = (
        f"cifar10(split='test'): the folder {tmp_path / 'cifar'} does not exist; it must hold "
        "test_batch; download the 'CIFAR-10 python version'"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        cifar10(tmp_path / "cifar", split="test")


def test_unknown_split_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape("split must be 'train' or 'test', got 'val'")):
        cifar10(tmp_path, split="val")
