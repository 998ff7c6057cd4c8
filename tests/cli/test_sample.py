"""``gankit sample``: formats by suffix, determinism, labels, and clean errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.cli.main import main
from gankit.training import load_generator

from ._two_runs import train_ring_and_conditional


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory, tiny_text: str) -> dict[str, Path]:
    return train_ring_and_conditional(tmp_path_factory.mktemp("sample"), tiny_text)


def test_pt_is_a_tensor_of_samples_from_the_seeded_noise(checkpoints: dict[str, Path],
                                                         tmp_path: Path) -> None:
    out = tmp_path / "s.pt"
    assert main(["sample", str(checkpoints["ring"]), "-n", "10", "--out", str(out),
                 "--seed", "3"]) == 0
    samples = torch.load(out, weights_only=True)
    assert isinstance(samples, torch.Tensor) and samples.shape == (10, 2)
    model = load_generator(checkpoints["ring"])  # EMA weights, as the command uses
    with torch.no_grad():
        expected = model(torch.randn(10, 2, generator=torch.Generator().manual_seed(3)))
    assert torch.equal(samples, expected)


def test_same_seed_same_samples_other_seed_other_samples(checkpoints: dict[str, Path],
                                                         tmp_path: Path) -> None:
    paths = [tmp_path / f"{i}.pt" for i in range(3)]
    for path, seed in zip(paths, ["1", "1", "2"]):
        assert main(["sample", str(checkpoints["ring"]), "--out", str(path), "--seed", seed]) == 0
    a, b, c = (torch.load(p, weights_only=True) for p in paths)
    assert a.shape == (64, 2) and torch.equal(a, b) and not torch.equal(a, c)


def test_npy_holds_the_same_numbers(checkpoints: dict[str, Path], tmp_path: Path) -> None:
    for suffix in (".pt", ".npy"):
        assert main(["sample", str(checkpoints["ring"]), "-n", "5",
                     "--out", str(tmp_path / f"s{suffix}")]) == 0
    array = np.load(tmp_path / "s.npy")
    assert array.shape == (5, 2) and array.dtype == np.float32
    np.testing.assert_array_equal(array, torch.load(tmp_path / "s.pt", weights_only=True).numpy())


def test_no_ema_uses_the_raw_weights(checkpoints: dict[str, Path], tmp_path: Path) -> None:
    assert main(["sample", str(checkpoints["ring"]), "-n", "4", "--no-ema",
                 "--out", str(tmp_path / "raw.pt")]) == 0
    model = load_generator(checkpoints["ring"], ema=False)
    with torch.no_grad():
        expected = model(torch.randn(4, 2, generator=torch.Generator().manual_seed(0)))
    assert torch.equal(torch.load(tmp_path / "raw.pt", weights_only=True), expected)


def test_png_scatter_for_points_and_grid_for_images(checkpoints: dict[str, Path],
                                                    tmp_path: Path) -> None:
    from PIL import Image

    assert main(["sample", str(checkpoints["ring"]), "--out", str(tmp_path / "pts.png")]) == 0
    assert main(["sample", str(checkpoints["cond"]), "-n", "16",
                 "--out", str(tmp_path / "grid.png")]) == 0
    with Image.open(tmp_path / "grid.png") as grid:
        # 4 x 4 tiles of 8 x 8 pixels, enlarged 8 times to 64 x 64 (nearest neighbour),
        # with 2-pixel padding: 4 * 64 + 5 * 2 = 266.
        assert grid.size == (266, 266)
    with Image.open(tmp_path / "pts.png") as scatter:
        assert scatter.size[0] > 100


def test_conditional_labels_cycle_and_uniform_noise(checkpoints: dict[str, Path],
                                                    tmp_path: Path) -> None:
    out = tmp_path / "c.pt"
    assert main(["sample", str(checkpoints["cond"]), "-n", "6", "--labels", "3", "7",
                 "--out", str(out), "--seed", "5"]) == 0
    samples = torch.load(out, weights_only=True)
    assert samples.shape == (6, 1, 8, 8)
    model = load_generator(checkpoints["cond"])
    z = torch.rand(6, 8, generator=torch.Generator().manual_seed(5)) * 2 - 1  # U[-1, 1]
    with torch.no_grad():
        expected = model(z, torch.tensor([3, 7, 3, 7, 3, 7]))
    assert torch.equal(samples, expected)


@pytest.mark.parametrize(
    ("which", "args", "message"),
    [
        ("ring", ["--out", "x.gif"], "--out must end in one of .npy, .png, .pt (the format), "
                                     "got 'x.gif'"),
        ("ring", ["-n", "0", "--out", "x.pt"], "-n must be a positive number of samples, got 0"),
        ("ring", ["--labels", "1", "--out", "x.pt"], "the generator is unconditional"),
        ("cond", ["--labels", "10", "--out", "x.pt"], "--labels must lie in [0, 10), got [10]"),
    ],
)
def test_usage_errors_exit_2(checkpoints: dict[str, Path], tmp_path: Path, which: str,
                             args: list[str], message: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    assert main(["sample", str(checkpoints[which]), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gankit: error: ") and message.replace("x.gif", str(
        tmp_path / "x.gif")) in err
    assert "Traceback" not in err


@pytest.mark.parametrize("damage", ["truncated", "missing", "not-gankit"])
def test_bad_checkpoints_exit_1_without_traceback(checkpoints: dict[str, Path], tmp_path: Path,
                                                  damage: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pt"
    if damage == "truncated":
        data = checkpoints["ring"].read_bytes()
        bad.write_bytes(data[: len(data) // 3])
    elif damage == "not-gankit":
        torch.save({"weights": torch.zeros(2)}, bad)
    assert main(["sample", str(bad), "--out", str(tmp_path / "s.pt")]) == 1
    err = capsys.readouterr().err
    expected = {"truncated": "truncated or corrupt", "missing": "does not exist",
                "not-gankit": "is not a gankit checkpoint"}[damage]
    assert err.startswith("gankit: error: ") and expected in err and "Traceback" not in err
    assert not (tmp_path / "s.pt").exists()
