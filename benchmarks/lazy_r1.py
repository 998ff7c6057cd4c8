"""Lazy R1 (StyleGAN2): the speed of discriminator updates with R1 on every update or every 16th.

The case is the image benchmark's R1 recipe on bundled MNIST
(``benchmarks/image_quality.py --recipe best_r1``): DCGAN shapes at 32 base
channels, NSGAN plus R1 (γ = 1), batch 64. Each variant trains the same models
from the same seed for ``--steps`` generator updates (one discriminator update
each), timing the whole :meth:`gankit.Trainer.fit` call as a user times it,
with the default options, and splitting each step at the trainer's hooks: the
discriminator's part runs from the end of the previous step (the start of
``fit``) to ``on_discriminator_step_end`` (the real batch, the fake batch, the
loss terms, backward and the optimizer step), the generator's part from there
to ``on_step_end``. ``d_update_ratio`` is the discriminator's seconds per
update with ``every=1`` over those with ``every=16``; ``step_ratio`` the same
for whole steps. Variants are interleaved in every repeat; the median of
``--repeats`` is kept.

The FD side of the target (lazy R1 within 5 % of every-step R1) is measured by
``image_quality.py --recipe best_r1`` against ``--recipe best_r1_lazy``.

Run (writes JSON)::

    python benchmarks/lazy_r1.py --out benchmarks/results/lazy_r1.json

``--quick`` runs a few steps of each variant, for the smoke test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import torch
from _common import machine_info, write_json

from gankit import Trainer
from gankit.callbacks import Callback
from gankit.data import mnist_bundled
from gankit.losses import NSGAN, Loss, R1Penalty
from gankit.models import DCGANDiscriminator, DCGANGenerator

VARIANTS: dict[str, Any] = {
    "no_r1": lambda: NSGAN(),
    "r1_every_1": lambda: NSGAN() + R1Penalty(1.0),
    "r1_every_16": lambda: NSGAN() + R1Penalty(1.0, every=16),
}


class PhaseClock(Callback):
    """Splits each step's wall time at the discriminator's hook."""

    def __init__(self) -> None:
        self.mark = 0.0
        self.d_seconds = 0.0
        self.g_seconds = 0.0

    def on_fit_start(self, trainer: Any) -> None:
        self.mark = time.perf_counter()

    def on_discriminator_step_end(self, trainer: Any, metrics: Any) -> None:
        now = time.perf_counter()
        self.d_seconds += now - self.mark
        self.mark = now

    def on_step_end(self, trainer: Any, metrics: Any) -> None:
        now = time.perf_counter()
        self.g_seconds += now - self.mark
        self.mark = now


def fit_seconds(loss: Loss, data: Any, steps: int) -> dict[str, float]:
    """Seconds of one ``fit`` of ``steps`` steps, and of its D and G parts."""
    torch.manual_seed(0)
    g = DCGANGenerator(64, data.shape, base_channels=32)
    d = DCGANDiscriminator(data.shape, base_channels=32, norm_layer=None)
    clock = PhaseClock()
    trainer = Trainer(g, d, loss, seed=0, device="cpu", progress_bar=False, callbacks=[clock])
    start = time.perf_counter()
    trainer.fit(data, steps=steps, batch_size=64)
    return {"fit": time.perf_counter() - start, "d": clock.d_seconds, "g": clock.g_seconds}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=160)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: PyTorch's, as a user runs it)")
    parser.add_argument("--quick", action="store_true", help="a few steps, for the smoke test")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    steps, repeats = (32, 1) if args.quick else (args.steps, args.repeats)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    data = mnist_bundled("train")
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    for _ in range(repeats):
        for name, make in VARIANTS.items():
            runs[name].append(fit_seconds(make(), data, steps))
    per_update = {name: {part: statistics.median(r[part] for r in rs) / steps
                         for part in ("fit", "d", "g")} for name, rs in runs.items()}
    ratio = per_update["r1_every_1"]["d"] / per_update["r1_every_16"]["d"]
    result = {
        "benchmark": "lazy_r1",
        "steps": steps,
        "repeats": repeats,
        "batch_size": 64,
        "runs": runs,
        "seconds_per_update": per_update,
        "d_update_ratio": ratio,
        "step_ratio": per_update["r1_every_1"]["fit"] / per_update["r1_every_16"]["fit"],
        "target": {"d_update_ratio": ">= 1.5 (issue 17)", "met": ratio >= 1.5},
        "machine": machine_info(torch.get_num_threads()),
    }
    write_json(result, args.out)
    d = {name: f"{1000 * v['d']:.1f}" for name, v in per_update.items()}
    print(f"ms per D update: {d}; every 1 / every 16 = {ratio:.2f}")
    return result


if __name__ == "__main__":
    main()
