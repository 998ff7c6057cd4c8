import re
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import DataError, DataNotFoundError, ImageDataset, RandomCrop, image_folder
from gankit.training._make_source import make_source


def _save(file: Path, pixels: np.ndarray) -> Path:
    """Save uint8 pixels (H, W, 3) or (H, W); the format follows the extension."""
    file.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP"}[file.suffix.lower()]
    Image.fromarray(pixels.astype(np.uint8)).save(file, format=fmt)
    return file


def _noise(h: int, w: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def _unit(pixels: np.ndarray) -> np.ndarray:
    return pixels.astype(np.float64) / 127.5 - 1.0


def test_class_folders_nested_files_and_mixed_case_extensions(tmp_path: Path) -> None:
    _save(tmp_path / "cat" / "a.png", _noise(8, 8, 0))
    _save(tmp_path / "cat" / "b.JPG", _noise(10, 12, 1))
    _save(tmp_path / "dog" / "x.PNG", _noise(8, 8, 2))
    _save(tmp_path / "dog" / "puppies" / "y.Jpeg", _noise(9, 8, 3))
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    (tmp_path / "empty").mkdir()  # no images: not a class
    _save(tmp_path / ".cache" / "z.png", _noise(8, 8, 4))  # hidden: skipped
    data = image_folder(tmp_path, size=8)
    assert isinstance(data, ImageDataset)
    assert data.classes == ("cat", "dog")
    assert data.labels.tolist() == [0, 0, 1, 1]
    assert data.images.shape == (4, 3, 8, 8) and data.images.dtype == torch.float32
    assert data.images.min() >= -1 and data.images.max() <= 1


def test_png_pixels_are_exact_when_no_resize_is_needed(tmp_path: Path) -> None:
    pixels = _noise(6, 6, 5)
    pixels[0, 0] = (0, 128, 255)
    _save(tmp_path / "only" / "a.png", pixels)
    image = image_folder(tmp_path, size=6).images[0].double().numpy()  # (3, 6, 6)
    np.testing.assert_allclose(image, _unit(pixels).transpose(2, 0, 1), rtol=0, atol=1e-7)
    assert image[:, 0, 0].tolist() == [-1.0, pytest.approx(1 / 255, abs=1e-7), 1.0]


@pytest.mark.parametrize(("h", "w"), [(4, 6), (7, 4)], ids=["wide", "tall"])
def test_centre_crop_to_a_square(tmp_path: Path, h: int, w: int) -> None:
    pixels = _noise(h, w, 6)
    _save(tmp_path / "a.png", pixels)
    image = image_folder(tmp_path, size=4).images[0].double().numpy()
    top, left = (h - 4) // 2, (w - 4) // 2
    crop = pixels[top : top + 4, left : left + 4]
    np.testing.assert_allclose(image, _unit(crop).transpose(2, 0, 1), rtol=0, atol=1e-7)


def test_resize_is_bicubic_after_the_crop(tmp_path: Path) -> None:
    pixels = _noise(10, 16, 7)
    _save(tmp_path / "a.png", pixels)
    expected = Image.fromarray(pixels[:, 3:13]).resize((5, 5), Image.Resampling.BICUBIC)
    image = image_folder(tmp_path, size=5).images[0].double().numpy()
    np.testing.assert_allclose(
        image, _unit(np.asarray(expected)).transpose(2, 0, 1), rtol=0, atol=1e-7
    )


def test_flat_folder_is_one_class_named_after_it(tmp_path: Path) -> None:
    folder = tmp_path / "faces"
    _save(folder / "b.PNG", _noise(5, 5, 8))
    _save(folder / "a.bmp", _noise(5, 5, 9))
    (folder / "README").write_text("skip me")
    data = image_folder(folder, size=5)
    assert data.classes == ("faces",)
    assert data.labels.tolist() == [0, 0]
    first = _unit(np.asarray(Image.open(folder / "a.bmp"))).transpose(2, 0, 1)  # sorted order
    np.testing.assert_allclose(data.images[0].double().numpy(), first, atol=1e-7)


def test_one_channel_is_pillows_luminance(tmp_path: Path) -> None:
    pixels = np.zeros((4, 4, 3), np.uint8)
    pixels[..., 0] = 255  # pure red
    _save(tmp_path / "red.png", pixels)
    data = image_folder(tmp_path, size=4, channels=1)
    assert data.shape == (1, 4, 4)
    luminance = 255 * 299 / 1000  # ITU-R 601-2: L = 0.299 R + 0.587 G + 0.114 B
    assert data.images.double().numpy() == pytest.approx(luminance / 127.5 - 1, abs=1 / 127.5)


def test_rgba_and_palette_images_become_rgb(tmp_path: Path) -> None:
    Image.new("RGBA", (4, 4), (10, 20, 30, 0)).save(tmp_path / "a.png")
    Image.new("P", (4, 4), 3).save(tmp_path / "b.png")
    data = image_folder(tmp_path, size=4)
    assert data.images.shape == (2, 3, 4, 4)
    corner = data.images[0, :, 0, 0].double().numpy()
    np.testing.assert_allclose(corner, _unit(np.array([10, 20, 30])), atol=1e-7)


def test_corrupt_image_is_named(tmp_path: Path) -> None:
    _save(tmp_path / "good.png", _noise(4, 4, 0))
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"this is not a png")
    with pytest.raises(DataError, match=re.escape(f"cannot read the image {bad}")):
        image_folder(tmp_path, size=4)


def test_truncated_image_is_named(tmp_path: Path) -> None:
    file = _save(tmp_path / "cut.JPG", _noise(64, 64, 1))
    file.write_bytes(file.read_bytes()[:200])
    with pytest.raises(DataError, match=re.escape(f"cannot read the image {file}")):
        image_folder(tmp_path, size=4)


def test_loose_images_beside_class_folders_are_rejected(tmp_path: Path) -> None:
    _save(tmp_path / "cat" / "a.png", _noise(4, 4, 0))
    _save(tmp_path / "stray.png", _noise(4, 4, 1))
    with pytest.raises(DataError, match=re.escape(f"{tmp_path} mixes images (stray.png, …)")):
        image_folder(tmp_path, size=4)


def test_folder_without_images_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    with pytest.raises(DataError, match=re.escape(f"{tmp_path} holds no image (extensions .bmp")):
        image_folder(tmp_path, size=4)


def test_missing_folder_is_a_file_not_found_error(tmp_path: Path) -> None:
    message = f"{tmp_path / 'x'} does not exist; it must hold images, directly or in one sub"
    with pytest.raises(DataNotFoundError, match=re.escape(message)):
        image_folder(tmp_path / "x", size=4)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"size": 0}, ValueError, "size must be a positive int (>= 1), got 0"),
        ({"size": 4.0}, TypeError, "size must be a positive int, got float 4.0"),
        ({"size": 4, "channels": 4}, ValueError, "channels must be 1 or 3, got 4"),
        ({"size": 4, "channels": True}, ValueError, "channels must be 1 or 3, got True"),
        ({"size": 4, "crop": "rnd"}, ValueError, "crop must be 'center' or 'random', got 'rnd'"),
        ({"size": 4, "crop": None}, TypeError,
         "crop must be 'center' or 'random', got NoneType None"),
        ({"size": 4, "crop_scale": 1.5}, ValueError,
         "crop_scale=1.5 applies to crop='random' only"),
        ({"size": 4, "crop": "random", "crop_scale": 0.9}, ValueError,
         "crop_scale must be a finite number >= 1, got 0.9"),
        ({"size": 4, "crop": "random", "crop_scale": float("inf")}, ValueError,
         "crop_scale must be a finite number >= 1, got inf"),
        ({"size": 4, "crop": "random", "crop_scale": "1.2"}, TypeError,
         "crop_scale must be a number >= 1, got str '1.2'"),
    ],
)
def test_bad_arguments_are_rejected(tmp_path: Path, kwargs, error, message) -> None:
    with pytest.raises(error, match=re.escape(message)):
        image_folder(tmp_path, **kwargs)


def test_missing_pillow_names_the_extra(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # makes the import fail
    with pytest.raises(ImportError, match=re.escape('pip install "gankit[extras]"')):
        image_folder(tmp_path, size=4)


# --------------------------------------------------------------------------- random crops
def _faces(folder: Path, n: int = 6) -> Path:
    """``n`` CelebA-sized (178 × 218) PNGs, each a distinct pattern: a gradient, a
    per-image colour and a bright square whose place differs from image to image."""
    yy, xx = np.mgrid[0:218, 0:178]
    for k in range(n):
        pixels = np.stack([(xx + 20 * k) % 256, (yy * 255) // 217,
                           np.full_like(xx, 40 * k)], axis=-1)
        pixels[30 + 25 * k : 60 + 25 * k, 20 + 20 * k : 50 + 20 * k] = 255
        _save(folder / f"{k:06d}.png", pixels)
    return folder


def _windows(stored: torch.Tensor, size: int) -> torch.Tensor:
    """Every size × size window of one stored image: (rows, cols, C, size, size)."""
    return stored.unfold(1, size, 1).unfold(2, size, 1).permute(1, 2, 0, 3, 4)


def _offset(stored: torch.Tensor, crop: torch.Tensor) -> tuple[int, int]:
    """The unique (row, column) offset at which ``crop`` is a window of ``stored``."""
    windows = _windows(stored, crop.shape[-1])
    hits = (windows == crop).flatten(2).all(-1).nonzero().tolist()
    assert len(hits) == 1, hits  # the crop is inside the image, at exactly one place
    return hits[0][0], hits[0][1]


def test_random_crop_keeps_larger_images_and_serves_size(tmp_path: Path) -> None:
    data = image_folder(_faces(tmp_path), size=16, crop="random")
    assert data.images.shape == (6, 3, 18, 18)  # round(1.125 · 16)
    assert data.shape == (3, 16, 16) and isinstance(data.transform, RandomCrop)
    # The stored images are the centre squares resized to 18, as crop="center" at 18 gives.
    assert torch.equal(data.images, image_folder(tmp_path, size=18).images)
    assert image_folder(tmp_path, size=64, crop="random").images.shape[-1] == 72
    assert image_folder(tmp_path, size=10, crop="random", crop_scale=1.0).images.shape[-1] == 10


def test_centre_crop_stays_the_default_with_no_transform(tmp_path: Path) -> None:
    _faces(tmp_path)
    default = image_folder(tmp_path, size=16)
    assert default.transform is None and default.images.shape == (6, 3, 16, 16)
    assert torch.equal(default.images, image_folder(tmp_path, size=16, crop="center").images)
    torch.manual_seed(0)
    batch, _ = make_source(default, 6).next()  # the trainer serves the stored images
    assert sorted(batch.sum(dim=(1, 2, 3)).tolist()) == sorted(
        default.images.sum(dim=(1, 2, 3)).tolist())


def test_trainer_batches_are_fresh_crops_inside_the_images(tmp_path: Path) -> None:
    data = image_folder(_faces(tmp_path), size=16, crop="random")
    torch.manual_seed(0)
    source = make_source(data, 6)  # batch = the whole data set: every image every batch
    offsets = []
    for _ in range(4):
        batch, labels = source.next()
        assert batch.shape == (6, 3, 16, 16) and labels is not None
        # Which image each crop came from: its stored image holds it as a window.
        offsets.append(sorted(
            (k, _offset(data.images[k], crop)) for crop in batch
            for k in range(6) if (_windows(data.images[k], 16) == crop).flatten(2).all(-1).any()
        ))
    assert all(sorted(k for k, _ in o) == list(range(6)) for o in offsets)
    assert all(0 <= i <= 2 and 0 <= j <= 2 for o in offsets for _, (i, j) in o)
    assert len({tuple(o) for o in offsets}) == 4  # every batch is cropped afresh


def test_random_crops_are_reproducible_under_the_seed(tmp_path: Path) -> None:
    data = image_folder(_faces(tmp_path), size=16, crop="random")

    def batches(seed: int) -> list[torch.Tensor]:
        torch.manual_seed(seed)  # the trainer seeds the global RNG, which seeds the source
        source = make_source(data, 3)
        return [source.next()[0] for _ in range(5)]

    a, b, c = batches(1), batches(1), batches(2)
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(torch.equal(x, y) for x, y in zip(a, c, strict=True))


def test_random_crop_position_survives_a_state_dict_round_trip(tmp_path: Path) -> None:
    data = image_folder(_faces(tmp_path), size=16, crop="random")
    torch.manual_seed(3)
    source = make_source(data, 4)
    for _ in range(3):  # mid-way through the second epoch (6 // 4 = 1 batch an epoch)
        source.next()
    state = source.state_dict()
    assert "transform_state" in state
    expected = [source.next()[0] for _ in range(3)]
    torch.manual_seed(99)  # a different seed: the state must win
    restored = make_source(data, 4)
    restored.load_state_dict(state)
    assert all(torch.equal(restored.next()[0], x) for x in expected)
    # A checkpoint of plain data does not resume augmented data, nor the reverse.
    plain = make_source(image_folder(tmp_path, size=18), 4)
    with pytest.raises(ValueError, match="data was augmented by a transform but fit"):
        plain.load_state_dict(state)
    with pytest.raises(ValueError, match="data was not augmented but fit"):
        restored.load_state_dict(plain.state_dict())
