"""benchmarks/toy_modes.py runs end to end and writes a consistent JSON (20 steps per run)."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def toy_modes(load_benchmark: Callable[[str], ModuleType]) -> ModuleType:
    load_benchmark("_common")
    return load_benchmark("toy_modes")


@pytest.mark.parametrize("dataset,num_modes", [("ring", 8), ("grid", 25)])
@pytest.mark.parametrize("recipe", ["plain", "best"])
def test_toy_modes_writes_consistent_json(
    toy_modes: ModuleType, tmp_path: Path, dataset: str, num_modes: int, recipe: str
) -> None:
    out = tmp_path / f"{dataset}_{recipe}.json"
    returned = toy_modes.main(
        ["--dataset", dataset, "--recipe", recipe, "--seeds", "1", "--steps", "20",
         "--out", str(out)]
    )
    result = json.loads(out.read_text())
    assert result == json.loads(json.dumps(returned))
    assert result["dataset"] == dataset and result["recipe"] == recipe
    assert result["completed_seeds"] == 1 and result["seeds"] == [0]
    assert result["dataset_constants"]["num_modes"] == num_modes
    assert result["dataset_constants"]["eval_samples"] == 2500
    assert result["dataset_constants"]["std"] == (0.01 if dataset == "ring" else 0.05)
    assert result["machine"]["threads"] == 1 and result["machine"]["torch"]
    assert result["protocol_departures"] and "400 epochs" in result["protocol_departures"][0]
    assert set(result["pacgan_table1"]) == {"GAN", "ALI", "PacGAN2", "PacGAN3", "PacGAN4"}
    settings = dataclasses.asdict(toy_modes.RECIPES[recipe][dataset])
    assert result["recipe_settings"] == json.loads(json.dumps(settings))
    scales = {("best", "ring"): 0.2, ("best", "grid"): 0.5}  # the best recipes rescale data
    assert result["recipe_settings"]["data_scale"] == scales.get((recipe, dataset), 1.0)

    (run,) = result["runs"]
    assert run["steps"] == 20 and run["wall_time_s"] > 0
    assert 0 <= run["modes_covered"] <= num_modes
    assert 0.0 <= run["high_quality_fraction"] <= 1.0
    assert 0.0 <= run["reverse_kl"] <= math.log(num_modes) + 1e-9
    assert sum(run["counts"]) == round(run["high_quality_fraction"] * 2500)
    assert run["modes_covered"] == sum(c > 0 for c in run["counts"])
    for key in ("modes_covered", "high_quality_fraction", "reverse_kl", "wall_time_s", "steps"):
        assert result["mean"][key] == pytest.approx(run[key])
        assert result["sem"][key] == 0.0


def test_summary_is_mean_and_standard_error(toy_modes: ModuleType) -> None:
    runs = [
        {"modes_covered": 8, "high_quality_fraction": 0.5, "reverse_kl": 0.1,
         "wall_time_s": 1.0, "steps": 10},
        {"modes_covered": 6, "high_quality_fraction": 0.9, "reverse_kl": 0.3,
         "wall_time_s": 3.0, "steps": 10},
    ]
    mean, sem = toy_modes.summarise(runs)
    assert mean["modes_covered"] == pytest.approx(7.0)
    assert mean["high_quality_fraction"] == pytest.approx(0.7)
    # two values a, b: std = |a - b| / sqrt(2), s.e. = std / sqrt(2) = |a - b| / 2
    assert sem["modes_covered"] == pytest.approx(1.0)
    assert sem["reverse_kl"] == pytest.approx(0.1)
    assert sem["steps"] == 0.0


def test_unknown_recipe_is_rejected(toy_modes: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        toy_modes.main(["--dataset", "ring", "--recipe", "nope", "--out", str(tmp_path / "x")])
    with pytest.raises(ValueError, match="dataset must be 'ring' or 'grid', got 'moon'"):
        toy_modes.make_dataset("moon")


def test_data_scale_trains_on_scaled_data_and_scores_in_data_units(
    toy_modes: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    seen: dict[str, torch.Tensor] = {}
    real_coverage = toy_modes.mode_coverage

    class FakeTrainer:
        step = 3

        def fit(self, data: torch.Tensor, **kwargs: object) -> None:
            seen["fit"] = data

        def sample_noise(self, n: int, generator: torch.Generator) -> torch.Tensor:
            return torch.zeros(n, 2)

        def sample(self, n: int, noise: torch.Tensor) -> torch.Tensor:
            return torch.ones(n, 2)  # what G outputs, in the model's units

    def fake_coverage(samples: torch.Tensor, means: torch.Tensor, std: float,
                      threshold: float) -> object:
        seen["scored"] = samples
        return real_coverage(samples, means, std, threshold=threshold)

    monkeypatch.setattr(toy_modes, "build_trainer", lambda *a, **k: FakeTrainer())
    monkeypatch.setattr(toy_modes, "mode_coverage", fake_coverage)
    recipe = dataclasses.replace(toy_modes.RECIPES["plain"]["ring"], data_scale=0.25)
    run = toy_modes.run_seed("ring", recipe, seed=0, steps=3)
    data = toy_modes.make_dataset("ring").dataset(
        toy_modes.TRAIN_POINTS, generator=torch.Generator().manual_seed(0)
    )
    torch.testing.assert_close(seen["fit"], data * 4.0)  # trained on data / 0.25
    torch.testing.assert_close(seen["scored"], torch.full((2500, 2), 0.25))  # back in data units
    assert run["steps"] == 3


def test_committed_results_were_made_by_the_current_recipes(toy_modes: ModuleType) -> None:
    # A recipe changed without re-running the benchmark would leave the README, the docs and
    # these files describing runs the script no longer makes.
    results = Path(__file__).resolve().parents[2] / "benchmarks" / "results"
    files = sorted(results.glob("toy_modes_*.json"))
    assert len(files) >= 4
    for file in files:
        result = json.loads(file.read_text())
        recipe = toy_modes.RECIPES[result["recipe"]][result["dataset"]]
        expected = json.loads(json.dumps(dataclasses.asdict(recipe)))
        assert result["recipe_settings"] == expected, file.name
        assert result["completed_seeds"] == len(result["runs"]) == len(result["seeds"]) == 10
