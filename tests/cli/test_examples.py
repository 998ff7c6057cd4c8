"""Every config in examples/configs loads, trains for 2 steps, and writes its run folder."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gankit.cli.main import main
from gankit.config import ConfigError, build_experiment, load_config, loads_toml
from gankit.training import load_checkpoint_file, load_generator

CONFIGS = sorted((Path(__file__).parents[2] / "examples" / "configs").glob("*.toml"))
FAST = ["--steps", "2", "--set", "callbacks.csv.every=1", "--set", "eval.num_samples=64",
        "--set", "callbacks.samples.enabled=false", "--set", "callbacks.loss_plot.enabled=false",
        "--set", "eval.plot=false", "--set", "trainer.progress_bar=false"]
# Configs that train on the user's own folder: the test makes one and shrinks the models.
FOLDER = {"celeba_folder": ["--set", "trainer.batch_size=4",
                            "--set", "generator.base_channels=8",
                            "--set", "discriminator.base_channels=8"]}


def face_folder(folder: Path, n: int = 6) -> Path:
    """``n`` CelebA-sized (178 wide, 218 high) JPEGs with distinct noise patterns."""
    folder.mkdir(parents=True)
    for k in range(n):
        pixels = np.random.default_rng(k).integers(0, 256, size=(218, 178, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{k:06d}.jpg")
    return folder


def extra_arguments(path: Path, tmp_path: Path) -> list[str]:
    if path.stem not in FOLDER:
        return []
    return ["--set", f"data.path={face_folder(tmp_path / 'faces')}", *FOLDER[path.stem]]


def test_the_examples_are_there() -> None:
    names = {p.stem for p in CONFIGS}
    assert {"ring", "d2l_gaussian", "vanilla_mlp", "dcgan", "wgan_gp", "wgan_gp_grid",
            "conditional", "custom_loss", "celeba_folder", "data_efficient"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_example_trains_two_steps(path: Path, tmp_path: Path) -> None:
    out = tmp_path / path.stem
    assert main(["train", str(path), "--out", str(out), *FAST,
                 *extra_arguments(path, tmp_path)]) == 0
    with (out / "log.csv").open(newline="") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1, 2]
    ckpt = load_checkpoint_file(out / "checkpoints" / "last.pt")
    assert ckpt["step"] == 2
    generator = load_generator(out / "checkpoints" / "last.pt")
    resolved = loads_toml((out / "config.toml").read_text())
    assert list(generator.out_shape) == resolved["generator"]["out_shape"]
    assert json.loads((out / "metrics.json").read_text())["step"] == 2


def test_d2l_config_matches_the_book(tmp_path: Path) -> None:
    exp = build_experiment(load_config(CONFIGS[[p.stem for p in CONFIGS].index(
        "d2l_gaussian")]), tmp_path)
    g, d = exp.trainer.generator, exp.trainer.discriminator
    assert sum(p.numel() for p in g.parameters()) == 2 * 2 + 2  # Linear(2, 2)
    assert sum(p.numel() for p in d.parameters()) == (2 * 5 + 5) + (5 * 3 + 3) + (3 + 1)
    assert exp.trainer.d_optimizer.defaults["lr"] == 0.05
    assert exp.trainer.g_optimizer.defaults["lr"] == 0.005
    assert exp.fit_kwargs == {"steps": None, "epochs": 20, "batch_size": 8}
    assert tuple(exp.data.data.shape) == (1000, 2)


def test_wgan_gp_config_matches_the_paper(tmp_path: Path) -> None:
    exp = build_experiment(load_config(CONFIGS[[p.stem for p in CONFIGS].index("wgan_gp")]),
                           tmp_path)
    assert exp.trainer.d_steps == 5
    for opt in (exp.trainer.g_optimizer, exp.trainer.d_optimizer):
        assert opt.defaults["lr"] == 1e-4 and opt.defaults["betas"] == (0.5, 0.9)
    assert exp.config["loss"] == {"name": "WGANGP", "weight": 10.0}


def test_celeba_folder_config_names_its_missing_path(tmp_path: Path) -> None:
    # The folder is the user's: without --set data.path the run stops and names the key.
    with pytest.raises(ConfigError, match=r"'data\.path': missing"):
        build_experiment(load_config(CONFIGS[[p.stem for p in CONFIGS].index("celeba_folder")]),
                         tmp_path)


def test_celeba_folder_config_trains_in_a_gankit_subprocess(tmp_path: Path) -> None:
    config = CONFIGS[[p.stem for p in CONFIGS].index("celeba_folder")]
    faces, out = face_folder(tmp_path / "faces"), tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "gankit", "train", str(config), "--out", str(out),
         "--set", f"data.path={faces}", *FAST, *FOLDER["celeba_folder"]],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    resolved = loads_toml((out / "config.toml").read_text())
    assert resolved["data"] == {"name": "image_folder", "path": str(faces), "size": 64,
                                "crop": "random", "crop_scale": 1.125, "channels": 3}
    assert resolved["loss"] == {"name": "NSGAN", "label_noise": 0.05}
    assert resolved["generator"]["out_shape"] == [3, 64, 64]
    with (out / "log.csv").open(newline="") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1, 2]
