"""Image runs report quality: FD, KID, IS, precision/recall, density/coverage in metrics.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gankit.cli.evaluate import evaluate_run
from gankit.config import build_experiment
from gankit.config.data import build_data
from gankit.config.evaluation import build_evaluation, image_metrics
from gankit.data import digits
from gankit.metrics import ImageQuality, digits_classifier

IMAGE_KEYS = {"fd", "kid", "kid_std", "inception_score", "inception_score_std", "precision",
              "recall", "density", "coverage"}
EVAL = {"enabled": True, "every": None, "num_samples": 300, "seed": 2, "mode_coverage": True,
        "threshold": 3.0, "image_metrics": True, "max_real": 10000, "plot": False}

DIGITS_RUN = """\
[data]
name = "digits"

[generator]
name = "DCGANGenerator"
latent_dim = 16
base_channels = 8

[discriminator]
name = "DCGANDiscriminator"
base_channels = 8

[loss]
name = "NSGAN"

[trainer]
steps = 6
batch_size = 32
seed = 1
device = "cpu"
progress_bar = false

[callbacks.csv]
every = 1

[callbacks.loss_plot]
enabled = false
plot_every = "none"

[callbacks.samples]
enabled = false

[eval]
num_samples = 300
every = 3
plot = true
"""


def _digits_experiment(tmp_path: Path):
    config = {
        "data": {"name": "digits"},
        "generator": {"name": "DCGANGenerator", "latent_dim": 16, "base_channels": 8},
        "discriminator": {"name": "DCGANDiscriminator", "base_channels": 8},
        "loss": {"name": "NSGAN"},
        "trainer": {"steps": 4, "batch_size": 32, "progress_bar": False, "device": "cpu"},
        "callbacks": {name: {"enabled": False} for name in
                      ("csv", "checkpoint", "samples", "loss_plot")},
    }
    exp = build_experiment(config, tmp_path)
    exp.trainer.fit(exp.data.data, **exp.fit_kwargs)
    return exp


def test_digits_metrics_equal_image_quality_on_the_held_out_split(tmp_path: Path) -> None:
    exp = _digits_experiment(tmp_path)
    metrics = evaluate_run(exp.trainer, exp.data, EVAL, tmp_path)
    assert set(metrics) >= IMAGE_KEYS
    # The same samples scored by hand against the 300 held-out digits.
    noise = exp.trainer.sample_noise(300, generator=torch.Generator().manual_seed(2))
    samples = exp.trainer.sample(300, noise=noise).float()
    expected = ImageQuality.from_classifier(digits_classifier(8), digits("test").images)
    reference = expected.score(samples).as_dict()
    for key in IMAGE_KEYS:
        assert metrics[key] == pytest.approx(reference[key], rel=1e-9, abs=1e-12), key
    assert json.loads((tmp_path / "metrics.json").read_text())["fd"] == pytest.approx(metrics["fd"])


def test_held_out_reference_and_when_image_metrics_apply() -> None:
    spec, _ = build_data({"name": "digits"}, seed=0)
    assert spec.held_out is not None and len(spec.held_out) == 300
    test_spec, _ = build_data({"name": "digits", "split": "test"}, seed=0)
    assert test_spec.held_out is None  # scored against the images it trains on
    metric = image_metrics(EVAL, test_spec)
    assert metric is not None and len(metric.real) == 300
    assert image_metrics({**EVAL, "image_metrics": False}, spec) is None
    assert image_metrics({**EVAL, "max_real": 100}, test_spec).real.shape == (100, 1, 8, 8)
    ring, _ = build_data({"name": "ring"}, seed=0)
    assert image_metrics(EVAL, ring) is None
    no_modes = {**EVAL, "mode_coverage": False}
    assert build_evaluation(no_modes, ring) is None


def test_gankit_train_writes_image_metrics_and_logs_them_every_n_steps(tmp_path: Path) -> None:
    config = tmp_path / "digits.toml"
    config.write_text(DIGITS_RUN)
    run = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([sys.executable, "-m", "gankit", "train", str(config), "--out", str(run)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics) >= IMAGE_KEYS and metrics["step"] == 6
    assert metrics["fd"] > 0 and 1.0 <= metrics["inception_score"] <= 10.0
    assert all(0.0 <= metrics[k] <= 1.0 for k in ("precision", "recall", "coverage"))
    header = (run / "log.csv").read_text().splitlines()[0].split(",")
    assert {"eval/fd", "eval/inception_score", "eval/recall"} <= set(header)
    assert (run / "samples.png").is_file()
    # gankit evaluate on the finished run: the same code on the same generator, the same figures.
    again = subprocess.run([sys.executable, "-m", "gankit", "evaluate", str(run), "--no-plot"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    evaluated = json.loads((run / "eval" / "last" / "metrics.json").read_text())
    assert {k: evaluated[k] for k in IMAGE_KEYS} == {k: metrics[k] for k in IMAGE_KEYS}


class _Images(torch.nn.Module):
    """A "generator" that returns given real images (row i for latent row i)."""

    latent_dim = 4

    def __init__(self, images: torch.Tensor) -> None:
        super().__init__()
        self.images = images
        self.anchor = torch.nn.Parameter(torch.zeros(()))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.images[: len(z)] + 0 * self.anchor


def test_floor_and_memorization_beside_the_figures() -> None:
    spec, _ = build_data({"name": "digits"}, seed=0)
    metric = image_metrics({**EVAL, "num_samples": 200}, spec)
    assert metric is not None and metric.train is not None
    train, held = spec.data.images, spec.held_out.images
    view = type("View", (), {})()

    def evaluate(images: torch.Tensor) -> dict:
        view.generator = view.ema_generator = _Images(images)  # FixedNoise samples through it
        view.device, view.latent_dim, view.num_classes = torch.device("cpu"), 4, None
        view.sample = lambda n, labels=None, noise=None: view.generator(noise)
        view.sample_noise = lambda n, generator=None: torch.randn(n, 4, generator=generator)
        return metric(view)

    copied = evaluate(train)  # copies of training images
    fresh = evaluate(held[:200])  # real images it never saw
    # The floor is the training images' own score against the held-out set (by hand).
    pick = torch.randperm(len(train), generator=torch.Generator().manual_seed(2))[:200]
    by_hand = ImageQuality.from_classifier(digits_classifier(8), held).score(
        train[pick.sort().values]).as_dict()
    assert copied["floor"] == by_hand and fresh["floor"] == by_hand
    mem_copy, mem_fresh = copied["memorization"], fresh["memorization"]
    assert mem_copy["generated_median"] == 0.0 and mem_copy["memorizing"] is True
    assert mem_copy["fraction_closer"] == 1.0 and mem_copy["p_value"] < 1e-6
    assert mem_fresh["memorizing"] is False and 0.5 < mem_fresh["median_ratio"] < 2.0
