"""Lazy regularisation (StyleGAN2): R1 and the gradient penalty on every k-th D update, times k."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from gankit import Trainer
from gankit.callbacks import Callback
from gankit.config import build_experiment
from gankit.losses import NSGAN, WGAN, GANBatch, GradientPenalty, R1Penalty
from gankit.losses.penalties import lazy_factor
from gankit.models import MLPDiscriminator, MLPGenerator

W = torch.tensor([3.0, 4.0], dtype=torch.float64)  # D(x) = x·w: ||∇D||² = 25 everywhere


def _batch(d_update: int | None) -> GANBatch:
    real = torch.randn(5, 2, dtype=torch.float64)
    fake = torch.randn(5, 2, dtype=torch.float64)
    return GANBatch(lambda x: x @ W, real, fake, d_update=d_update)


@pytest.mark.parametrize("every", [1, 2, 16])
def test_lazy_r1_is_every_times_r1_on_its_updates_and_zero_between(every: int) -> None:
    term = R1Penalty(weight=2.0, every=every)
    for index in range(2 * every + 1):
        value = term.discriminator_terms(_batch(index))["r1"]
        expected = every * (2.0 / 2) * 25.0 if index % every == 0 else 0.0
        assert value.item() == pytest.approx(expected), index
    assert term.discriminator_terms(_batch(None))["r1"].item() == pytest.approx(every * 25.0)


def test_lazy_gradient_penalty_follows_the_same_schedule() -> None:
    term = GradientPenalty(weight=10.0, every=4)  # ||∇D|| = 5: (5 - 1)² = 16 per sample
    values = [term.discriminator_terms(_batch(i))["gp"].item() for i in range(6)]
    assert values == pytest.approx([4 * 10 * 16.0, 0, 0, 0, 4 * 10 * 16.0, 0])


def test_lazy_factor_schedule() -> None:
    assert [lazy_factor(3, _batch(i)) for i in range(7)] == [3, 0, 0, 3, 0, 0, 3]


def test_lazy_terms_repr_config_and_validation() -> None:
    assert repr(NSGAN() + R1Penalty(0.1, every=16)) == "NSGAN() + R1Penalty(weight=0.1, every=16)"
    assert repr(R1Penalty(0.1)) == "R1Penalty(weight=0.1)"  # old checkpoints' loss repr holds
    assert GradientPenalty(every=2).get_config() == {"weight": 10.0, "target": 1.0, "every": 2}
    for bad in (0, -3, 1.5):
        with pytest.raises((TypeError, ValueError), match="every must be a positive int"):
            R1Penalty(every=bad)  # type: ignore[arg-type]


class _RecordD(Callback):
    def __init__(self) -> None:
        self.r1: list[float] = []

    def on_discriminator_step_end(self, trainer: Any, metrics: Any) -> None:
        self.r1.append(float(metrics["d/r1"]))


def test_the_trainer_counts_discriminator_updates_for_the_schedule() -> None:
    torch.manual_seed(0)
    g, d = MLPGenerator(2, (2,), hidden=(8,)), MLPDiscriminator((2,), hidden=(8,))
    record = _RecordD()
    trainer = Trainer(g, d, WGAN() + R1Penalty(1.0, every=3), d_steps=2, seed=0,
                      progress_bar=False, callbacks=[record])
    trainer.fit(torch.randn(64, 2), steps=5, batch_size=8)
    active = [i for i, v in enumerate(record.r1) if v != 0.0]
    assert len(record.r1) == 10 and active == [0, 3, 6, 9]


def test_a_config_reaches_every(tmp_path: Path) -> None:
    cfg = {"data": {"name": "ring"},
           "generator": {"name": "MLPGenerator", "latent_dim": 2, "hidden": [8]},
           "discriminator": {"name": "MLPDiscriminator", "hidden": [8]},
           "loss": {"terms": [{"name": "NSGAN"}, {"name": "R1Penalty", "weight": 0.5,
                                                  "every": 16}]},
           "trainer": {"steps": 1, "progress_bar": False}}
    exp = build_experiment(cfg, tmp_path)
    assert repr(exp.trainer.loss) == "NSGAN() + R1Penalty(weight=0.5, every=16)"
    assert exp.config["loss"]["terms"][1]["every"] == 16
