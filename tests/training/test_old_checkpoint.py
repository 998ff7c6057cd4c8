"""Checkpoints written before the redesign of issue 15 still load and resume exactly.

The fixture ``fixtures/checkpoint_0.1.0_step4.pt`` was written by gankit 0.1.0
(commit 0f5588b, by ``fixtures/make_0.1.0_fixture.py``): an MLP GAN on the ring
trained 4 steps with EMA and an evaluation callback. The same script then
trained on to step 6 and stored the raw and EMA generators' outputs on fixed
noise, and the evaluation history, in ``checkpoint_0.1.0_step6_reference.pt``:
the reference that resuming the old file today must reproduce bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import torch

from gankit import Trainer, seed_everything
from gankit.callbacks import EMA, Evaluation, MetricEval
from gankit.data import ring
from gankit.losses import NSGAN, R1Penalty
from gankit.metrics import ModeCoverage
from gankit.models import MLPDiscriminator, MLPGenerator

FIXTURES = Path(__file__).parent / "fixtures"


def _trainer() -> tuple[Trainer, Evaluation]:
    seed_everything(0)
    generator = MLPGenerator(4, (2,), hidden=(16,))
    discriminator = MLPDiscriminator((2,), hidden=(16,))
    mixture = ring()
    # Today's spelling of 0.1.0's ModeCoverageEval(mixture.means, mixture.std, n=64).
    modes = MetricEval(ModeCoverage(mixture.means, mixture.std), n=64,
                       keys=("modes_covered", "high_quality_fraction", "reverse_kl"))
    evaluation = Evaluation({"modes": modes}, every=2)
    trainer = Trainer(generator, discriminator, NSGAN() + R1Penalty(weight=0.5), seed=0,
                      progress_bar=False, callbacks=[EMA(decay=0.9), evaluation])
    return trainer, evaluation


def test_a_checkpoint_of_gankit_0_1_0_resumes_bit_for_bit() -> None:
    reference = torch.load(FIXTURES / "checkpoint_0.1.0_step6_reference.pt", weights_only=True)
    trainer, evaluation = _trainer()
    trainer.load_checkpoint(FIXTURES / "checkpoint_0.1.0_step4.pt")
    assert trainer.step == 4
    assert [e["step"] for e in evaluation.history] == [2, 4]
    trainer.fit(ring(), steps=6, batch_size=32)
    z = torch.randn(8, 4, generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        assert torch.equal(trainer.generator(z), reference["generator"])
    assert torch.equal(trainer.sample(8, noise=z), reference["ema"])
    history = [[e["step"], e["eval/modes/modes_covered"]] for e in evaluation.history]
    assert torch.equal(torch.tensor(history), reference["history"])
