"""A tiny real training run on the ring, for the tracker tests (a few seconds on a CPU)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gankit import Trainer
from gankit.callbacks import Callback
from gankit.data import ring
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator


def tiny_trainer(callbacks: Sequence[Callback]) -> Trainer:
    generator = MLPGenerator(latent_dim=2, hidden=(8,), out_shape=(2,))
    discriminator = MLPDiscriminator((2,), hidden=(8,))
    return Trainer(generator, discriminator, NSGAN(), callbacks=list(callbacks),
                   progress_bar=False, seed=0, device="cpu", handle_signals=False)


def fit(trainer: Trainer, steps: int) -> Trainer:
    return trainer.fit(ring(), steps=steps, batch_size=16)


def resumed(callbacks: Sequence[Callback], checkpoint: Path, steps: int) -> Trainer:
    trainer = tiny_trainer(callbacks)
    trainer.load_checkpoint(checkpoint)
    return fit(trainer, steps)
