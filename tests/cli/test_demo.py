"""``gankit demo``: a short run writes every file; the full run finds all 8 modes."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from gankit.cli.demo import DEMO_CONFIG
from gankit.cli.main import main
from gankit.config import build_experiment, loads_toml
from gankit.training import load_checkpoint_file

RING_TOML = Path(__file__).parents[2] / "examples" / "configs" / "ring.toml"
FILES = ["samples.png", "losses.png", "log.csv", "metrics.json", "checkpoints/last.pt",
         "config.toml"]


def test_examples_ring_toml_is_the_demo_config() -> None:
    assert RING_TOML.read_text() == DEMO_CONFIG


def test_demo_config_is_the_pacgan_ring_with_the_pacgan_metric(tmp_path: Path) -> None:
    config = build_experiment(loads_toml(DEMO_CONFIG), tmp_path).config
    assert config["data"] == {"name": "ring", "num_modes": 8, "radius": 1.0, "std": 0.01}
    assert config["eval"]["num_samples"] == 2500 and config["eval"]["threshold"] == 3.0
    assert config["eval"]["mode_coverage"] is True


def test_short_demo_writes_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--steps", "50", "--out", str(out)]) == 0
    for name in FILES:
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["step"] == 50 and metrics["num_samples"] == 2500
    assert metrics["num_modes"] == 8 and 0 <= metrics["modes_covered"] <= 8
    assert 0.0 <= metrics["high_quality_fraction"] <= 1.0
    assert 0.0 <= metrics["reverse_kl"] <= math.log(8) + 1e-9
    assert sum(metrics["counts"]) == round(metrics["high_quality_fraction"] * 2500)
    assert metrics["train_seconds"] > 0
    timing = metrics["timing"]  # where the time went, for the run report
    assert timing["train_seconds"] == metrics["train_seconds"] and timing["steps_per_s"] > 0
    assert {"DivergenceGuard", "ModelCheckpoint", "SampleGrid"} <= set(timing["callback_seconds"])
    assert timing["writer_seconds"] > 0
    assert loads_toml((out / "config.toml").read_text())["trainer"]["steps"] == 50
    assert load_checkpoint_file(out / "checkpoints/last.pt")["step"] == 50
    printed = capsys.readouterr().out
    assert "modes covered:" in printed and "high-quality samples:" in printed
    for name in FILES:
        assert str(out / name) in printed


def test_demo_seed_and_set(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--steps", "4", "--seed", "11", "--out", str(out),
                 "--set", "callbacks.csv.every=2", "--set", "eval.plot=false"]) == 0
    resolved = loads_toml((out / "config.toml").read_text())
    assert resolved["trainer"]["seed"] == 11 and resolved["callbacks"]["csv"]["every"] == 2


@pytest.mark.slow
def test_full_demo_finds_all_eight_modes(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    start = time.perf_counter()
    assert main(["demo", "--out", str(out)]) == 0
    seconds = time.perf_counter() - start
    metrics = json.loads((out / "metrics.json").read_text())
    print(f"full demo: {seconds:.1f} s, {metrics}")
    assert metrics["modes_covered"] == 8
    assert metrics["high_quality_fraction"] >= 0.8
    assert min(metrics["counts"]) > 0
