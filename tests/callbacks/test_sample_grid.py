from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import Tensor, nn

from gankit.callbacks import SampleGrid


def image_generator(latent_dim: int = 4, c: int = 3, h: int = 5, w: int = 5) -> nn.Module:
    return nn.Sequential(nn.Linear(latent_dim, c * h * w), nn.Tanh(), nn.Unflatten(1, (c, h, w)))


class ClassImages(nn.Module):
    """A conditional generator whose images are flat grey levels set by the label."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.seen: list[Tensor] = []

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        self.seen.append(z.clone())
        level = labels.float() / (self.num_classes - 1) * 2 - 1  # class 0 black ... K-1 white
        return level.view(-1, 1, 1, 1).expand(-1, 1, 3, 3) + 0 * z.sum()


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "PNG"
        return np.asarray(im)


def test_grid_from_fixed_noise(tmp_path: Path, make_trainer) -> None:
    G = image_generator()
    trainer = make_trainer(G)
    rng_before = torch.random.get_rng_state()
    grid = SampleGrid(tmp_path, every=5, n=6, nrow=3, seed=11)
    for step in range(1, 11):
        trainer.step = step
        grid.on_step_end(trainer, {})
    assert torch.equal(torch.random.get_rng_state(), rng_before)  # global RNG untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "samples_00000005.png", "samples_00000010.png"
    ]
    first = pixels(tmp_path / "samples_00000005.png")
    side = 5 * 13  # 5 x 5 images enlarged 13 times (nearest neighbour) to at least 64 px
    assert first.shape == (2 * (side + 2) + 2, 3 * (side + 2) + 2, 3)  # (H, W, C)
    # Independently: the same seed gives the same noise; check tile 4's corner pixel.
    noise = torch.randn(6, 4, generator=torch.Generator().manual_seed(11))
    with torch.no_grad():
        expected = np.round((G(noise)[4, :, 0, 0].double().numpy() + 1) * 127.5)
    corner = 2 + side + 2
    block = first[corner : corner + 13, corner : corner + 13]  # pixel (0, 0): a 13 x 13 block
    assert (block == np.asarray(expected, dtype=np.uint8)).all()
    # Fixed noise: an unchanged generator draws the same picture.
    np.testing.assert_array_equal(first, pixels(tmp_path / "samples_00000010.png"))


def test_fit_end_writes_the_final_grid_once(tmp_path: Path, make_trainer) -> None:
    trainer = make_trainer(image_generator(c=1))
    grid = SampleGrid(tmp_path, every=4, n=4)
    trainer.step = 4
    grid.on_step_end(trainer, {})
    (tmp_path / "samples_00000004.png").unlink()
    grid.on_fit_end(trainer)  # already drawn at this step: nothing new
    assert list(tmp_path.iterdir()) == []
    trainer.step = 6
    grid.on_fit_end(trainer)
    side = 5 * 13  # enlarged to at least 64 px
    assert pixels(tmp_path / "samples_00000006.png").shape == (2 * (side + 2) + 2,) * 2
    one_to_one = SampleGrid(tmp_path / "raw", every=4, n=4, scale=1)
    one_to_one.on_fit_end(trainer)
    assert pixels(tmp_path / "raw" / "samples_00000006.png").shape == (2 * 7 + 2, 2 * 7 + 2)


def test_conditional_grid_has_one_row_per_class(tmp_path: Path, make_trainer) -> None:
    G = ClassImages(num_classes=3)
    trainer = make_trainer(G, num_classes=3)
    trainer.step = 1
    SampleGrid(tmp_path, every=1, n=7).on_step_end(trainer, {})  # 7 // 3 = 2 per row
    image = pixels(tmp_path / "samples_00000001.png")
    side = 3 * 22  # 3 x 3 images enlarged 22 times to at least 64 px
    assert image.shape == (3 * (side + 2) + 2, 2 * (side + 2) + 2)
    for row, level in enumerate([0, 128, 255]):  # -1, 0, 1
        for col in range(2):
            top, left = 2 + row * (side + 2), 2 + col * (side + 2)
            assert (image[top:top + side, left:left + side] == level).all()
    z = G.seen[0]
    assert z.shape == (6, 4)
    assert torch.equal(z[0:2], z[2:4]) and torch.equal(z[0:2], z[4:6])  # columns share z
    assert not torch.equal(z[0], z[1])


def test_two_dimensional_data_gives_a_scatter(tmp_path: Path, make_trainer) -> None:
    trainer = make_trainer(nn.Linear(4, 2), last_real=torch.randn(32, 2))
    trainer.step = 3
    SampleGrid(tmp_path / "a", every=3, n=100).on_step_end(trainer, {})
    SampleGrid(tmp_path / "b", every=3, n=100, real=torch.randn(50, 2)).on_step_end(trainer, {})
    trainer.last_real = None
    SampleGrid(tmp_path / "c", every=3, n=100).on_step_end(trainer, {})
    for folder in "abc":
        with Image.open(tmp_path / folder / "samples_00000003.png") as im:
            assert im.format == "PNG" and im.size == (500, 500)


def test_unsupported_samples_and_arguments(tmp_path: Path, make_trainer) -> None:
    trainer = make_trainer(nn.Linear(4, 3))
    trainer.step = 1
    with pytest.raises(ValueError, match=r"images \(N, C, H, W\) or 2-D points \(N, 2\).*\(8, 3\)"):
        SampleGrid(tmp_path, every=1, n=8).on_step_end(trainer, {})
    with pytest.raises(ValueError, match=r"real must be .*points \(N, 2\), got \(5, 3\)"):
        SampleGrid(tmp_path, real=torch.zeros(5, 3))
    with pytest.raises(ValueError, match="n must be a positive int"):
        SampleGrid(tmp_path, n=0)
    with pytest.raises(TypeError, match="seed must be an int, got float"):
        SampleGrid(tmp_path, seed=0.5)  # type: ignore[arg-type]
