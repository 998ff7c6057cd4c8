"""The end-of-run evaluation against float64 NumPy references."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.cli.evaluate import evaluate_run
from gankit.config import build_experiment
from gankit.visualize import save_samples_picture

EVAL = {"enabled": True, "every": None, "num_samples": 400, "seed": 3, "mode_coverage": True,
        "threshold": 3.0, "plot": False}


def experiment(data: dict, tmp_path: Path, steps: int = 30):
    config = {
        "data": data,
        "generator": {"name": "MLPGenerator", "latent_dim": 2, "hidden": [16],
                      "output_activation": "none", "norm_layer": "none"},
        "discriminator": {"name": "MLPDiscriminator", "hidden": [16]},
        "loss": {"name": "NSGAN"},
        "trainer": {"steps": steps, "batch_size": 64, "progress_bar": False},
        "callbacks": {name: {"enabled": False} for name in
                      ("csv", "checkpoint", "samples", "loss_plot")},
    }
    exp = build_experiment(config, tmp_path)
    exp.trainer.fit(exp.data.data, **exp.fit_kwargs)
    return exp


def seeded_samples(exp, n: int, seed: int) -> np.ndarray:
    z = torch.randn(n, 2, generator=torch.Generator().manual_seed(seed))
    return exp.trainer.sample(n, noise=z).double().numpy()


def test_mode_coverage_matches_a_numpy_reference(tmp_path: Path) -> None:
    exp = experiment({"name": "ring", "std": 0.2}, tmp_path)
    metrics = evaluate_run(exp.trainer, exp.data, EVAL, tmp_path)
    x = seeded_samples(exp, 400, 3)
    means = exp.data.source.means.double().numpy()
    dist = np.sqrt(((x[:, None, :] - means[None]) ** 2).sum(-1)) / 0.2  # (n, K), in units of σ
    nearest, mode = dist.min(1), dist.argmin(1)
    hq = nearest < 3.0
    counts = np.bincount(mode[hq], minlength=8)
    p = counts / max(counts.sum(), 1)
    rev_kl = float(np.sum(p[p > 0] * np.log(8 * p[p > 0]))) if counts.sum() else np.log(8)
    assert metrics["counts"] == counts.tolist()
    assert metrics["modes_covered"] == int((counts > 0).sum())
    assert metrics["high_quality_fraction"] == pytest.approx(hq.mean())
    assert metrics["reverse_kl"] == pytest.approx(rev_kl, abs=1e-9)
    assert json.loads((tmp_path / "metrics.json").read_text())["counts"] == counts.tolist()


def test_gaussian_moments_match_numpy(tmp_path: Path) -> None:
    exp = experiment({"name": "gaussian_2d"}, tmp_path)
    metrics = evaluate_run(exp.trainer, exp.data, EVAL, tmp_path)
    x = seeded_samples(exp, 400, 3)
    np.testing.assert_allclose(metrics["sample_mean"], x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(metrics["sample_covariance"], np.cov(x.T), rtol=1e-6)
    np.testing.assert_allclose(metrics["target_covariance"], [[1.01, 1.95], [1.95, 4.25]],
                               rtol=1e-6)
    assert "modes_covered" not in metrics


def test_non_finite_samples_are_reported(tmp_path: Path) -> None:
    exp = experiment({"name": "ring"}, tmp_path, steps=1)
    with torch.no_grad():
        for p in exp.trainer.generator.parameters():
            p.fill_(float("nan"))
    with pytest.raises(ValueError, match="non-finite samples at step 1"):
        evaluate_run(exp.trainer, exp.data, EVAL, tmp_path)


def test_pictures_only_for_points_and_images(tmp_path: Path) -> None:
    assert save_samples_picture(torch.zeros(4, 3), tmp_path / "x.png") is None
    assert save_samples_picture(torch.zeros(4, 2, 8, 8), tmp_path / "y.png") is None
    assert not (tmp_path / "x.png").exists()
    path = save_samples_picture(torch.zeros(4, 3, 8, 8), tmp_path / "z.png")
    assert path == tmp_path / "z.png" and path.stat().st_size > 0


def test_gankit_evaluate_reproduces_the_end_of_run_metrics(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gankit.cli.main import main

    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run), "--set", "eval.every=10"]) == 0
    trained = json.loads((run / "metrics.json").read_text())
    capsys.readouterr()
    # The run folder means its newest checkpoint, last.pt: the same generator, the same code.
    assert main(["evaluate", str(run), "--no-plot"]) == 0
    printed = json.loads(capsys.readouterr().out)
    again = json.loads((run / "eval" / "last" / "metrics.json").read_text())
    shared = {k: v for k, v in trained.items() if k not in ("train_seconds", "timing")}
    assert again == shared
    assert printed == {k: v for k, v in shared.items() if not isinstance(v, list)}
    assert not (run / "eval" / "last" / "samples.png").exists()
    # eval.every logged the same metrics during training, under the loggers' columns.
    header = (run / "log.csv").read_text().splitlines()[0].split(",")
    assert "eval/modes_covered" in header and "eval/high_quality_fraction" in header


def test_gankit_evaluate_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gankit.cli.main import main

    assert main(["evaluate", str(tmp_path / "missing.pt")]) == 2
    assert "does not exist" in capsys.readouterr().err
    lone = tmp_path / "lone.pt"
    lone.write_bytes(b"not a checkpoint")
    assert main(["evaluate", str(lone)]) == 2
    assert "give --config CONFIG" in capsys.readouterr().err
