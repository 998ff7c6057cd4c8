"""Every config in examples/configs loads, trains for 2 steps, and writes its run folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gankit.cli.main import main
from gankit.config import build_experiment, load_config, loads_toml
from gankit.training import load_checkpoint_file, load_generator

CONFIGS = sorted((Path(__file__).parents[2] / "examples" / "configs").glob("*.toml"))
FAST = ["--steps", "2", "--set", "callbacks.csv.every=1", "--set", "eval.num_samples=64",
        "--set", "callbacks.samples.enabled=false", "--set", "callbacks.loss_plot.enabled=false",
        "--set", "eval.plot=false", "--set", "trainer.progress_bar=false"]


def test_the_examples_are_there() -> None:
    names = {p.stem for p in CONFIGS}
    assert {"ring", "d2l_gaussian", "vanilla_mlp", "dcgan", "wgan_gp", "wgan_gp_grid",
            "conditional", "custom_loss"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_example_trains_two_steps(path: Path, tmp_path: Path) -> None:
    out = tmp_path / path.stem
    assert main(["train", str(path), "--out", str(out), *FAST]) == 0
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
