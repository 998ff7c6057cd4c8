"""Steps per second of ``gankit.Trainer`` against a handwritten training loop.

The handwritten loop is written the seed material's way (the PyTorch DCGAN
example and d2l): BCE-with-logits against label tensors (or the WGAN-GP
formulas written out), ``zero_grad()`` / ``backward()`` / ``step()``, one fake
batch per iteration reused for the generator update, data already on the
device. The Trainer runs the same models, data, loss and optimizer.

Variants, interleaved in every repeat so that machine noise hits all alike:
- ``hand``: the handwritten loop;
- ``default``: the Trainer with its default callbacks (progress bar, divergence
  guard) plus a CSV log every 10 steps;
- ``all_callbacks``: every built-in callback on at sensible intervals;
- ``fast``: the Trainer's speed options (``torch.compile`` where the loss allows,
  channels-last for convolutional models, fused Adam, bf16 autocast where it
  helps), against the *eager* handwritten loop.

Run (writes JSON)::

    python benchmarks/speed.py --out benchmarks/results/speed.json

``--quick`` runs a few steps of each case, for the smoke test.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit import Trainer
from gankit.callbacks import (
    EMA,
    Callback,
    CollapseMonitor,
    CSVLogger,
    LossPlot,
    ModelCheckpoint,
    SampleGrid,
)
from gankit.losses import NSGAN, WGANGP
from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator


@dataclass
class Case:
    """One benchmark case: models, data and loss, built fresh for each variant."""

    name: str
    make_models: Callable[[], tuple[nn.Module, nn.Module]]
    data: Tensor
    labels: Tensor | None
    batch_size: int
    loss: str  # "nsgan" or "wgangp"
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    d_steps: int = 1
    conv: bool = False
    fast: dict[str, Any] = field(default_factory=dict)


def _digits(size: int) -> tuple[Tensor, Tensor]:
    from gankit.data import digits

    ds = digits(split="train", size=size)
    return ds.images, ds.labels


def make_cases(quick: bool) -> list[Case]:
    """The five cases of the performance issue."""
    from gankit.data import ring

    ring_data = ring().dataset(20_000, generator=torch.Generator().manual_seed(0))
    d8, y8 = _digits(8)
    d32, y32 = _digits(32)
    d16, y16 = _digits(16)
    cases = [
        Case(
            "mlp_ring",
            lambda: (
                MLPGenerator(2, (2,), hidden=(128, 128), output_activation=None),
                MLPDiscriminator((2,), hidden=(128, 128)),
            ),
            ring_data, None, 256, "nsgan",
        ),
        Case(
            "vanilla_mlp_digits",
            lambda: (MLPGenerator(128, (1, 8, 8)), MLPDiscriminator((1, 8, 8))),
            d8, None, 64, "nsgan",
        ),
        Case(
            "dcgan_32",
            lambda: (
                DCGANGenerator(100, (1, 32, 32), base_channels=32),
                DCGANDiscriminator((1, 32, 32), base_channels=32),
            ),
            d32, None, 64, "nsgan", conv=True,
            fast={"compile": True, "channels_last": True, "precision": "bf16"},
        ),
        Case(
            "wgan_gp_d5",
            lambda: (
                DCGANGenerator(64, (1, 16, 16), base_channels=32),
                DCGANDiscriminator((1, 16, 16), base_channels=32, norm_layer="layer_norm"),
            ),
            d16, None, 64, "wgangp", lr=1e-4, betas=(0.5, 0.9), d_steps=5, conv=True,
            # The penalty differentiates D twice: torch.compile cannot, so eager here.
            fast={"channels_last": True, "precision": "bf16"},
        ),
        Case(
            "conditional_dcgan_16",
            lambda: (
                DCGANGenerator(64, (1, 16, 16), base_channels=32, num_classes=10),
                DCGANDiscriminator((1, 16, 16), base_channels=32, num_classes=10),
            ),
            d16, y16, 64, "nsgan", conv=True,
            fast={"compile": True, "channels_last": True, "precision": "bf16"},
        ),
    ]
    del y8, y32
    return cases


# --------------------------------------------------------------------------- hand
def hand_loop(case: Case, G: nn.Module, D: nn.Module, steps: int, seed: int,
              warm: int = 2) -> float:
    """The seed material's loop; returns seconds for ``steps`` iterations after ``warm``."""
    torch.manual_seed(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=case.lr, betas=case.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=case.lr, betas=case.betas)
    n, b = case.data.shape[0], case.batch_size
    ones, zeros = torch.ones(b), torch.zeros(b)
    latent = G.latent_dim  # type: ignore[attr-defined]
    cond = case.labels is not None

    def call(m: nn.Module, x: Tensor, y: Tensor | None) -> Tensor:
        return m(x, y) if cond else m(x)

    def batch() -> tuple[Tensor, Tensor | None]:
        idx = torch.randint(0, n, (b,))
        return case.data[idx], (case.labels[idx] if case.labels is not None else None)

    start = time.perf_counter()
    for it in range(warm + steps):
        if it == warm:
            start = time.perf_counter()
        for _ in range(case.d_steps):
            real, y = batch()
            z = torch.randn(b, latent)
            fake = call(G, z, y)
            if case.loss == "nsgan":
                d_loss = F.binary_cross_entropy_with_logits(call(D, real, y), ones) + (
                    F.binary_cross_entropy_with_logits(call(D, fake.detach(), y), zeros)
                )
            else:
                eps = torch.rand(b, *([1] * (real.dim() - 1)))
                mix = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
                grad = torch.autograd.grad(call(D, mix, y).sum(), mix, create_graph=True)[0]
                gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
                d_loss = call(D, fake.detach(), y).mean() - call(D, real, y).mean() + 10 * gp
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
        out = call(D, fake, y)
        if case.loss == "nsgan":
            g_loss = F.binary_cross_entropy_with_logits(out, ones)
        else:
            g_loss = -out.mean()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- trainer
def make_trainer(case: Case, G: nn.Module, D: nn.Module, variant: str, out: Path,
                 seed: int) -> Trainer:
    fast = variant == "fast"
    fused = {"fused": True} if fast else {}

    def opt(p: list[nn.Parameter]) -> torch.optim.Optimizer:
        return torch.optim.Adam(p, lr=case.lr, betas=case.betas, **fused)

    callbacks: list[Any] = [CSVLogger(out / "log.csv", every=10), StepTimer()]
    if variant == "all_callbacks":
        # Pictures, checkpoints and the collapse check fire once in every timed window.
        callbacks += [
            EMA(0.999),
            LossPlot(out / "losses.png", every=10, plot_every=PERIOD),
            SampleGrid(out / "samples", every=PERIOD, n=64),
            ModelCheckpoint(out / "ckpt", every=PERIOD, keep_last=1, save_on_fit_end=False),
            CollapseMonitor(every=PERIOD, n=256),
        ]
    loss = NSGAN() if case.loss == "nsgan" else WGANGP()
    options = case.fast if fast else {}
    return Trainer(G, D, loss, g_optimizer=opt, d_optimizer=opt, d_steps=case.d_steps,
                   callbacks=callbacks, seed=seed, **options)


#: Interval of the expensive callbacks, and length of the timed window.
PERIOD = 200


class StepTimer(Callback):
    """Times a window of steps inside one ``fit`` call (fit start and end excluded)."""

    def __init__(self) -> None:
        self.start_step = self.stop_step = -1
        self.t0 = self.t1 = 0.0

    def on_step_end(self, trainer: Trainer, metrics: Any) -> None:
        if trainer.step == self.start_step:
            self.t0 = time.perf_counter()
        elif trainer.step == self.stop_step:
            self.t1 = time.perf_counter()


def trainer_run(trainer: Trainer, case: Case, steps: int, warm: int = 2) -> float:
    """Seconds for ``steps`` steps after ``warm`` steps, inside one ``fit`` call."""
    data = case.data if case.labels is None else (case.data, case.labels)
    timer = next(cb for cb in trainer.callbacks if isinstance(cb, StepTimer))
    timer.start_step = trainer.step + warm
    timer.stop_step = timer.start_step + steps
    trainer.fit(data, steps=timer.stop_step, batch_size=case.batch_size)
    return timer.t1 - timer.t0


# --------------------------------------------------------------------------- main
def measure(case: Case, steps: int, repeats: int, warmup: int) -> dict[str, Any]:
    variants = ["hand", "default", "all_callbacks", "fast"]
    times: dict[str, list[float]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        state: dict[str, Any] = {}
        for v in variants:
            torch.manual_seed(0)
            G, D = case.make_models()
            if v == "hand":
                state[v] = (G, D)
                hand_loop(case, G, D, warmup, seed=0)
            else:
                tr = make_trainer(case, G, D, v, Path(tmp) / v, seed=0)
                state[v] = tr
                trainer_run(tr, case, warmup)
        for r in range(repeats):
            order = variants if r % 2 == 0 else variants[::-1]
            for v in order:
                if v == "hand":
                    G, D = state[v]
                    t = hand_loop(case, G, D, steps, seed=r + 1)
                else:
                    t = trainer_run(state[v], case, steps)
                times[v].append(steps / t)
    med = {v: statistics.median(times[v]) for v in variants}
    ratios = {
        v: statistics.median(a / h for a, h in zip(times[v], times["hand"]))
        for v in variants if v != "hand"
    }
    return {
        "steps_per_s": times,
        "median_steps_per_s": med,
        "median_ratio_vs_hand": ratios,
        "fast_options": {k: v for k, v in case.fast.items()} | {"fused_adam": True},
        "batch_size": case.batch_size,
        "d_steps": case.d_steps,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/speed.json")
    parser.add_argument("--steps", type=int, default=PERIOD, help="steps per timed window")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--cases", default="", help="comma-separated subset of case names")
    parser.add_argument("--quick", action="store_true", help="a few steps, for smoke tests")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.repeats, args.warmup = 2, 1, 1
    torch.set_num_threads(args.threads)
    results: dict[str, Any] = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "threads": args.threads,
            "torch": torch.__version__,
            "python": platform.python_version(),
            "cuda": torch.cuda.is_available(),
        },
        "settings": {"steps": args.steps, "repeats": args.repeats, "warmup": args.warmup},
        "targets": {"default": 0.98, "all_callbacks": 0.95, "fast_dcgan_wgan": 1.3},
        "cases": {},
    }
    wanted = {c for c in args.cases.split(",") if c}
    for case in make_cases(args.quick):
        if wanted and case.name not in wanted:
            continue
        if args.quick:
            case.fast = {k: v for k, v in case.fast.items() if k != "compile"}
        results["cases"][case.name] = measure(case, args.steps, args.repeats, args.warmup)
        r = results["cases"][case.name]["median_ratio_vs_hand"]
        print(f"{case.name:24s} " + "  ".join(f"{k}={v:.3f}" for k, v in r.items()), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
