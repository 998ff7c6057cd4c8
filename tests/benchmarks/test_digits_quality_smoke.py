"""benchmarks/digits_quality.py and benchmarks/d2l_gaussian.py run and write their JSON.

A few steps only; the real figures come from full runs (benchmarks/results/).
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_bench", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The same folder as tests/metrics/test_digits_classifier.py: trained once a session.
    return tmp_path_factory.getbasetemp() / "digits-classifier-cache"


def test_digits_quality_writes_its_table(tmp_path: Path, cache_dir: Path) -> None:
    pytest.importorskip("sklearn")
    bench = _load("digits_quality")
    out = tmp_path / "quality.json"
    result = bench.main([
        "--steps", "2", "--parzen-samples", "1300", "--out", str(out),
        "--cache-dir", str(cache_dir),
    ])
    saved = json.loads(out.read_text())
    assert saved["settings"]["steps"] == 2
    assert saved["settings"]["parzen_validation"] == 100
    assert saved["settings"]["parzen_scored"] == 200
    assert set(saved["models"]) == {"vanilla", "dcgan", "wgangp"}
    assert saved["classifier"]["held_out_accuracy"] >= 0.95
    floor = saved["floor"]
    sigmas = np.logspace(-1, 0, 10)
    for entry in [floor] + [m["metrics"] for m in saved["models"].values()]:
        for key in ("fd", "precision", "recall", "density", "coverage"):
            assert math.isfinite(entry[key]["mean"]) and entry[key]["std"] >= 0
        assert 0 <= entry["precision"]["mean"] <= 1 and 0 <= entry["coverage"]["mean"] <= 1
        assert np.isclose(sigmas, entry["parzen"]["sigma"]).any()
        assert 0 <= entry["predicted_class_kl"] <= math.log(10) + 1e-12
    assert floor["parzen"]["kernels"] == 1497
    for model in saved["models"].values():
        metrics = model["metrics"]
        assert metrics["parzen"]["kernels"] == 1300
        assert metrics["fd_ratio"] == pytest.approx(metrics["fd"]["mean"] / floor["fd"]["mean"])
        assert model["train_seconds"] > 0 and model["steps"] == 2
    assert saved["models"]["wgangp"]["d_steps"] == 5
    assert saved["models"]["wgangp"]["betas"] == [0.5, 0.9]
    assert "| real floor |" in saved["table"] and result["table"] == saved["table"]


def test_digits_quality_parzen_split_is_stratified() -> None:
    bench = _load("digits_quality")
    labels = torch.arange(10).repeat_interleave(30)[torch.randperm(300)]
    validation, scored = bench.parzen_split(labels)
    assert torch.bincount(labels[validation], minlength=10).tolist() == [10] * 10
    assert sorted(torch.cat([validation, scored]).tolist()) == list(range(300))


def test_d2l_gaussian_writes_errors(tmp_path: Path) -> None:
    bench = _load("d2l_gaussian")
    out = tmp_path / "d2l.json"
    bench.main(["--seeds", "1", "--epochs", "1", "--points", "64", "--out", str(out)])
    saved = json.loads(out.read_text())
    np.testing.assert_allclose(saved["target"]["cov"], [[1.01, 1.95], [1.95, 4.25]], rtol=1e-6)
    assert set(saved["runs"]) == {"data", "d2l", "gankit_defaults"}
    assert saved["runs"]["d2l"][0]["steps"] == 8  # 64 points / batch 8, one epoch

    # The floor: the data's own mean and covariance errors, against numpy.
    from gankit.data import gaussian_2d

    data = gaussian_2d().dataset(64, generator=torch.Generator().manual_seed(0))
    x = data.double().numpy()
    floor = saved["runs"]["data"][0]["empirical"]
    assert floor["mean_error"] == pytest.approx(np.linalg.norm(x.mean(0) - [1.0, 2.0]))
    expected_cov = np.array([[1.01, 1.95], [1.95, 4.25]])
    assert floor["cov_error"] == pytest.approx(
        np.linalg.norm(np.cov(x, rowvar=False) - expected_cov), rel=1e-6
    )

    # The linear generator's closed form agrees with 100,000 samples.
    d2l = saved["runs"]["d2l"][0]
    assert set(d2l) >= {"empirical", "closed_form", "learned_mean", "learned_cov"}
    assert "closed_form" not in saved["runs"]["gankit_defaults"][0]
    for key in ("mean_error", "cov_error"):
        assert d2l["empirical"][key] == pytest.approx(d2l["closed_form"][key], abs=0.05)
    summary = saved["summary"]["d2l"]["empirical/cov_error"]
    assert summary["mean"] == pytest.approx(d2l["empirical"]["cov_error"])
