"""Steps per second of ``gankit.Trainer`` against a handwritten training loop.

The handwritten loop is written the seed material's way (the PyTorch DCGAN
example and d2l): BCE-with-logits against label tensors (or the WGAN-GP
formulas written out), ``zero_grad()`` / ``backward()`` / ``step()``, one fake
batch per iteration reused for the generator update, data already on the
device. The Trainer runs the same models, data, loss and optimizer.

Two modes:
- ``fit`` (as users time it): the whole call, ``Trainer(...)`` plus
  ``fit(data, steps=N)`` from start to return, with the Trainer's defaults
  (progress lines, divergence guard) and torch's default thread count, against
  the handwritten loop timed from making its optimizers to its last step. Each
  run builds fresh models; the fast variant's time includes ``torch.compile``.
- ``window``: a window of ``--steps`` steps inside one long ``fit`` call (setup
  and the first steps excluded), on ``--threads`` threads.

Variants, interleaved in every repeat so that machine noise hits all alike:
- ``hand``: the handwritten loop;
- ``default``: the Trainer with its default callbacks (progress bar, divergence
  guard; the window mode adds a CSV log every 10 steps);
- ``all_callbacks``: the fit mode's set is the performance issue's: progress,
  CSV every 10 steps, sample grid and loss plot every 200, checkpoint every
  500; the window mode adds EMA and the collapse monitor, all once per window;
- ``fast``: the Trainer's speed options (``torch.compile`` where the loss allows,
  channels-last for convolutional models, fused Adam, bf16 autocast where the
  CPU has bf16 instructions, a lazy gradient penalty for WGAN-GP), against the
  *eager* handwritten loop.

Run (writes JSON)::

    python benchmarks/speed.py --out benchmarks/results/speed.json

``--mode fit`` or ``--mode window`` runs one mode; ``--quick`` runs a few
steps of each case, for the smoke test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
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
from gankit.losses import NSGAN, WGAN, WGANGP, GradientPenalty
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
    lazy_gp: int = 1  # the fast variant's gradient penalty: every lazy_gp-th critic update
    fit_steps: int = 200  # steps of one whole fit() call in the "fit" mode


def _bf16() -> dict[str, Any]:
    """``precision="bf16"`` where the CPU has bf16 instructions (else emulated: slower)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        flags = ""
    has = torch.cuda.is_available() or any(f in flags for f in ("avx512_bf16", "amx_bf16"))
    return {"precision": "bf16"} if has else {}


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
            ring_data, None, 256, "nsgan", fit_steps=1000,
        ),
        Case(
            "vanilla_mlp_digits",
            lambda: (MLPGenerator(128, (1, 8, 8)), MLPDiscriminator((1, 8, 8))),
            d8, None, 64, "nsgan", fit_steps=200,
        ),
        Case(
            "dcgan_32",
            lambda: (
                DCGANGenerator(100, (1, 32, 32), base_channels=32),
                DCGANDiscriminator((1, 32, 32), base_channels=32),
            ),
            d32, None, 64, "nsgan", conv=True,
            fast={"compile": True, "channels_last": True, **_bf16()},
        ),
        Case(
            "wgan_gp_d5",
            lambda: (
                DCGANGenerator(64, (1, 16, 16), base_channels=32),
                DCGANDiscriminator((1, 16, 16), base_channels=32, norm_layer="layer_norm"),
            ),
            d16, None, 64, "wgangp", lr=1e-4, betas=(0.5, 0.9), d_steps=5, conv=True,
            fit_steps=60,
            # The penalty differentiates D twice: torch.compile cannot, so eager here;
            # the penalty is lazy instead (every 4th critic update, 4x weight).
            fast={"channels_last": True, **_bf16()}, lazy_gp=4,
        ),
        Case(
            "conditional_dcgan_16",
            lambda: (
                DCGANGenerator(64, (1, 16, 16), base_channels=32, num_classes=10),
                DCGANDiscriminator((1, 16, 16), base_channels=32, num_classes=10),
            ),
            d16, y16, 64, "nsgan", conv=True, fit_steps=300,
            fast={"compile": True, "channels_last": True, **_bf16()},
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
    loss = make_loss(case, fast)
    options = case.fast if fast else {}
    return Trainer(G, D, loss, g_optimizer=opt, d_optimizer=opt, d_steps=case.d_steps,
                   callbacks=callbacks, seed=seed, **options)


def make_loss(case: Case, fast: bool) -> Any:
    """NSGAN, WGAN-GP, or for the fast variant WGAN with a lazy gradient penalty."""
    if case.loss == "nsgan":
        return NSGAN()
    if fast and case.lazy_gp > 1:
        return WGAN() + GradientPenalty(10.0, every=case.lazy_gp)
    return WGANGP()


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


# --------------------------------------------------------------------------- fit mode
def fast_options(case: Case) -> dict[str, Any]:
    """What the fast variant of ``case`` turns on."""
    out = dict(case.fast) | {"fused_adam": True}
    if case.loss == "wgangp" and case.lazy_gp > 1:
        out["lazy_gp_every"] = case.lazy_gp
    return out


def fit_callbacks(variant: str, out: Path) -> list[Any]:
    """The issue's callback sets: none beyond the defaults, or all of them on."""
    if variant != "all_callbacks":
        return []
    return [
        CSVLogger(out / "log.csv", every=10),
        LossPlot(out / "losses.png", every=10, plot_every=PERIOD),
        SampleGrid(out / "samples", every=PERIOD, n=64),
        ModelCheckpoint(out / "ckpt", every=500, keep_last=2),
    ]


def hand_fit(case: Case, steps: int, seed: int) -> float:
    """Seconds of the handwritten loop from its first line (optimizers made) to its end."""
    torch.manual_seed(seed)
    G, D = case.make_models()
    return hand_loop(case, G, D, steps, seed=seed, warm=0)


def trainer_fit(case: Case, variant: str, out: Path, steps: int, seed: int) -> float:
    """Seconds of ``Trainer(...)`` plus ``fit(...)``, as a user times them.

    The Trainer keeps its defaults (progress lines, divergence guard), the
    thread count is torch's default, and the whole call is timed: setup, the
    first step's warm-up and, for the fast variant, ``torch.compile``.
    """
    torch.manual_seed(seed)
    G, D = case.make_models()
    fast = variant == "fast"
    fused = {"fused": True} if fast else {}

    def opt(p: list[nn.Parameter]) -> torch.optim.Optimizer:
        return torch.optim.Adam(p, lr=case.lr, betas=case.betas, **fused)

    data = case.data if case.labels is None else (case.data, case.labels)
    options = case.fast if fast else {}
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        start = time.perf_counter()
        trainer = Trainer(G, D, make_loss(case, fast), g_optimizer=opt, d_optimizer=opt,
                          d_steps=case.d_steps, callbacks=fit_callbacks(variant, out),
                          seed=seed, **options)
        trainer.fit(data, steps=steps, batch_size=case.batch_size)
        return time.perf_counter() - start


def measure_fit(case: Case, steps: int, repeats: int) -> dict[str, Any]:
    """Whole-run steps/s of every variant, interleaved, after one short untimed run each."""
    variants = ["hand", "default", "all_callbacks", "fast"]
    times: dict[str, list[float]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        def run(v: str, n: int, r: int) -> float:
            if v == "hand":
                return hand_fit(case, n, seed=r)
            return trainer_fit(case, v, Path(tmp) / f"{v}_{r}", n, seed=r)

        for v in variants:  # one-time costs of the process (allocator, thread pools)
            run(v, min(steps, 5), 1000)
        for r in range(repeats):
            for v in variants if r % 2 == 0 else variants[::-1]:
                times[v].append(steps / run(v, steps, r))
    return {
        "steps": steps,
        "steps_per_s": times,
        "median_steps_per_s": {v: statistics.median(t) for v, t in times.items()},
        "median_ratio_vs_hand": {
            v: statistics.median(a / h for a, h in zip(times[v], times["hand"]))
            for v in variants if v != "hand"
        },
        "fast_options": fast_options(case),
        "batch_size": case.batch_size,
        "d_steps": case.d_steps,
    }


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
        "fast_options": fast_options(case),
        "batch_size": case.batch_size,
        "d_steps": case.d_steps,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/speed.json")
    parser.add_argument("--mode", choices=("fit", "window", "both"), default="both",
                        help="fit: whole fit() calls as users time them; window: steps "
                        "inside one fit() call")
    parser.add_argument("--steps", type=int, default=PERIOD, help="steps per timed window")
    parser.add_argument("--fit-steps", type=int, default=None,
                        help="steps of each whole fit() call (default: per case)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--fit-repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads of the window mode (the fit mode keeps torch's default)")
    parser.add_argument("--cases", default="", help="comma-separated subset of case names")
    parser.add_argument("--quick", action="store_true", help="a few steps, for smoke tests")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.repeats, args.warmup = 2, 1, 1
        args.fit_steps, args.fit_repeats = 3, 1
    default_threads = torch.get_num_threads()
    results: dict[str, Any] = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "threads": args.threads or default_threads,
            "default_threads": default_threads,
            "torch": torch.__version__,
            "python": platform.python_version(),
            "cuda": torch.cuda.is_available(),
        },
        "settings": {"steps": args.steps, "repeats": args.repeats, "warmup": args.warmup,
                     "fit_repeats": args.fit_repeats},
        "targets": {"default": 0.98, "all_callbacks": 0.95, "fast_dcgan_wgan": 1.3},
    }
    wanted = {c for c in args.cases.split(",") if c}
    cases = [c for c in make_cases(args.quick) if not wanted or c.name in wanted]
    if args.quick:
        for case in cases:
            case.fast = {k: v for k, v in case.fast.items() if k != "compile"}
    if args.mode in ("fit", "both"):
        results["fit"] = {}
        for case in cases:
            torch.set_num_threads(default_threads)
            r = measure_fit(case, args.fit_steps or case.fit_steps, args.fit_repeats)
            results["fit"][case.name] = r
            _report("fit", case.name, r)
    if args.mode in ("window", "both"):
        results["cases"] = {}
        torch.set_num_threads(args.threads or default_threads)
        for case in cases:
            r = measure(case, args.steps, args.repeats, args.warmup)
            results["cases"][case.name] = r
            _report("window", case.name, r)
        torch.set_num_threads(default_threads)
    out = Path(args.out)
    if args.mode != "both" and out.is_file():  # keep the other mode's last results
        other = "cases" if args.mode == "fit" else "fit"
        previous = json.loads(out.read_text())
        if other in previous:
            results[other] = previous[other]
            results.setdefault("previous_settings", previous.get("settings"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return results


def _report(mode: str, name: str, result: dict[str, Any]) -> None:
    ratios = result["median_ratio_vs_hand"]
    print(f"{mode:6s} {name:22s} " + "  ".join(f"{k}={v:.3f}" for k, v in ratios.items()),
          flush=True)


if __name__ == "__main__":
    main()
