"""A user's own training script for ``test_interrupts.py``: ``python interrupt_case.py MODE OUT``.

It has what users write themselves: a stateful callback (a deque of recent
losses that steers the discriminator's learning rate) and a custom loss term
that draws random numbers. MODE is ``full`` (train to TOTAL and save
``full.pt``), ``cut`` (train to TOTAL; on SIGINT or SIGTERM save ``cut.pt``
after the step in progress and exit with 128 + the signal) or ``resume`` (load
``cut.pt`` and train on to TOTAL, saving ``resumed.pt``).
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path
from typing import Any

import torch

from gankit import Trainer, TrainingInterrupted, seed_everything
from gankit.callbacks import Callback
from gankit.losses import NSGAN, LossTerm
from gankit.models import MLPDiscriminator, MLPGenerator

TOTAL = 200


class RandomCentering(LossTerm):
    """Pulls randomly weighted fake logits towards zero (uses the trainer's RNG)."""

    name = "centering"

    def discriminator(self, batch):  # type: ignore[no-untyped-def]
        w = batch.rand(batch.fake.shape[0])
        return (w * batch.fake_logits).mean() ** 2


class LossWindowLR(Callback):
    """Keeps the last 5 discriminator losses; sets D's lr from their mean."""

    def __init__(self, started: Path) -> None:
        self.window: deque[float] = deque(maxlen=5)
        self.changes = 0
        self.started = started

    def on_step_end(self, trainer: Any, metrics: Any) -> None:
        self.window.append(float(metrics["d/loss"]))
        if trainer.step == 3:
            self.started.write_text("training")
        if trainer.step % 7 == 0:
            mean = sum(self.window) / len(self.window)
            for group in trainer.d_optimizer.param_groups:
                group["lr"] = 1e-3 if mean > 1.3 else 5e-4
            self.changes += 1

    def state_dict(self) -> dict[str, Any]:
        return {"window": self.window, "changes": self.changes}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.window = state["window"]
        self.changes = state["changes"]


def build(out: Path) -> tuple[Trainer, torch.Tensor]:
    seed_everything(5)
    G = MLPGenerator(4, (2,), hidden=(32, 32))
    D = MLPDiscriminator((2,), hidden=(32, 32))
    data = torch.randn(512, 2) * 0.5 + 1.0
    trainer = Trainer(G, D, NSGAN() + 0.5 * RandomCentering(), d_steps=3,
                      callbacks=LossWindowLR(out / "started"), progress_bar=False)
    return trainer, data


def main(mode: str, out: Path) -> int:
    torch.set_num_threads(1)
    trainer, data = build(out)
    if mode == "resume":
        trainer.load_checkpoint(out / "cut.pt")
    try:
        trainer.fit(data, steps=TOTAL, batch_size=64)
    except TrainingInterrupted as stop:
        trainer.save_checkpoint(out / "cut.pt")
        return 128 + stop.signum
    names = {"full": "full.pt", "cut": "uncut.pt", "resume": "resumed.pt"}
    trainer.save_checkpoint(out / names[mode])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
