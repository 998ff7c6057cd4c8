"""save_samples_picture with real images: real on the left, generated on the right."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.visualize import make_grid, save_samples_picture
from gankit.visualize._png import LABEL_HEIGHT
from gankit.visualize.samples import PANEL_GAP


def read(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "PNG"
        return np.asarray(im)


@pytest.mark.parametrize("c", [1, 3])
def test_real_left_generated_right_enlarged_alike(tmp_path: Path, c: int) -> None:
    torch.manual_seed(0)
    real, fake = torch.rand(6, c, 8, 8) * 2 - 1, torch.rand(4, c, 8, 8) * 2 - 1
    picture = read(save_samples_picture(fake, tmp_path / "rvg.png", real=real, nrow=3))
    left = make_grid(real, nrow=3, scale=8).numpy()  # 8 x 8 digits: 8 x 8 blocks of 64 px
    right = make_grid(fake, nrow=3, scale=8).numpy()
    assert left.shape == (2 * 66 + 2, 3 * 66 + 2, c) and right.shape == left.shape
    assert picture.shape[:2] == (LABEL_HEIGHT + left.shape[0],
                                 left.shape[1] + PANEL_GAP + right.shape[1])
    body = picture[LABEL_HEIGHT:].reshape(left.shape[0], -1, c)
    np.testing.assert_array_equal(body[:, : left.shape[1]], left)
    np.testing.assert_array_equal(body[:, left.shape[1] + PANEL_GAP :], right)
    assert (body[:, left.shape[1] : left.shape[1] + PANEL_GAP] == 255).all()  # white gap
    strip = picture[:LABEL_HEIGHT]
    assert (strip < 128).any() and (strip == 255).mean() > 0.8  # black labels on white


def test_unequal_grids_are_top_aligned_and_title_adds_a_line(tmp_path: Path) -> None:
    real, fake = torch.zeros(9, 1, 28, 28), torch.ones(4, 1, 28, 28)
    picture = read(save_samples_picture(fake, tmp_path / "t.png", real=real, title="step 7"))
    left = make_grid(real, scale=3).numpy()[:, :, 0]  # 3 x 3 of 84 px
    right = make_grid(fake, scale=3).numpy()[:, :, 0]  # 2 x 2 of 84 px
    assert picture.shape == (2 * LABEL_HEIGHT + left.shape[0],
                             left.shape[1] + PANEL_GAP + right.shape[1])
    body = picture[2 * LABEL_HEIGHT :]
    x = left.shape[1] + PANEL_GAP
    np.testing.assert_array_equal(body[: right.shape[0], x:], right)
    assert (body[right.shape[0] :, x:] == 255).all()  # below the shorter grid: white
    explicit = read(save_samples_picture(fake, tmp_path / "s.png", real=real, scale=1))
    assert explicit.shape == (LABEL_HEIGHT + 3 * 30 + 2, 3 * 30 + 2 + PANEL_GAP + 2 * 30 + 2)


def test_images_alone_keep_the_plain_grid(tmp_path: Path) -> None:
    fake = torch.rand(4, 3, 8, 8) * 2 - 1
    np.testing.assert_array_equal(read(save_samples_picture(fake, tmp_path / "g.png")),
                                  make_grid(fake, scale=8).numpy())
    titled = read(save_samples_picture(fake, tmp_path / "h.png", title="hello"))
    np.testing.assert_array_equal(titled[LABEL_HEIGHT:], make_grid(fake, scale=8).numpy())


def test_real_must_match_the_samples(tmp_path: Path) -> None:
    fake = torch.zeros(4, 1, 8, 8)
    with pytest.raises(ValueError, match=r"samples' shape \(C, H, W\) = \(1, 8, 8\), "
                                         r"got \(1, 16, 16\)"):
        save_samples_picture(fake, tmp_path / "x.png", real=torch.zeros(4, 1, 16, 16))
    with pytest.raises(ValueError, match=r"real must have shape \(N, C, H, W\) with N >= 1, "
                                         r"got \(4, 2\)"):
        save_samples_picture(fake, tmp_path / "x.png", real=torch.zeros(4, 2))
    with pytest.raises(TypeError, match=r"real must be a floating-point tensor, got torch\.uint8"):
        save_samples_picture(fake, tmp_path / "x.png", real=torch.zeros(4, 1, 8, 8).byte())
    assert not (tmp_path / "x.png").exists()


def test_without_pillow_the_error_names_the_extra(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'pip install "gankit\[extras\]"'):
        save_samples_picture(torch.zeros(2, 1, 4, 4), tmp_path / "x.png",
                             real=torch.zeros(2, 1, 4, 4))


def test_the_panel_labels_can_name_two_generators(tmp_path: Path) -> None:
    a, b = torch.zeros(4, 1, 8, 8), torch.ones(4, 1, 8, 8)
    default = read(save_samples_picture(b, tmp_path / "d.png", real=a))
    named = read(save_samples_picture(b, tmp_path / "n.png", real=a,
                                      labels=("without DiffAugment", "with DiffAugment")))
    assert named.shape == default.shape
    np.testing.assert_array_equal(named[LABEL_HEIGHT:], default[LABEL_HEIGHT:])  # same panels
    assert not np.array_equal(named[:LABEL_HEIGHT], default[:LABEL_HEIGHT])  # other words
    with pytest.raises(TypeError, match=r"labels must be two strings \(left, right\), got "
                                        r"\('only one',\)"):
        save_samples_picture(b, tmp_path / "x.png", real=a, labels=("only one",))  # type: ignore[arg-type]
