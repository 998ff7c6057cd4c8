"""Memory: peak RSS of the demo and of DCGAN on digits, and RSS flat over 10,000 steps.

Each measurement runs in a fresh subprocess so that peaks do not mix. The
flatness check trains the ring MLP for 10,000 steps with every built-in
callback on (pictures every 200 steps, checkpoints every 500), samples the
resident set size every 500 steps, and fits a line to the second half
(after allocator warm-up): a graph kept alive by a log, history or callback
would grow by kilobytes every step. It also records how many jobs waited on
the background writer (bounded by its ``max_pending``).

Run (writes JSON)::

    python benchmarks/memory.py --out benchmarks/results/memory.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_demo(steps: int) -> dict[str, Any]:
    from gankit.cli.main import main

    with tempfile.TemporaryDirectory() as tmp:
        args = ["demo", "--out", tmp]
        if steps:
            args += ["--steps", str(steps)]
        main(args)
    return {"peak_rss_mib": _peak_mib()}


def child_dcgan(steps: int) -> dict[str, Any]:
    from gankit import NSGAN, DCGANDiscriminator, DCGANGenerator, Trainer
    from gankit.data import digits

    data = digits(split="train", size=16)
    G = DCGANGenerator(64, (1, 16, 16), base_channels=32)
    D = DCGANDiscriminator((1, 16, 16), base_channels=32)
    trainer = Trainer(G, D, NSGAN(), seed=0, progress_bar=False)
    trainer.fit(data, steps=steps, batch_size=64)
    return {"peak_rss_mib": _peak_mib()}


def child_flat(steps: int, every: int) -> dict[str, Any]:
    from gankit import NSGAN, MLPDiscriminator, MLPGenerator, R1Penalty, Trainer
    from gankit.callbacks import (
        EMA,
        Callback,
        CollapseWarning,
        CSVLogger,
        LossPlot,
        ModelCheckpoint,
        SampleGrid,
    )
    from gankit.data import ring

    rss: list[tuple[int, float]] = []
    pending: list[int] = []

    class Probe(Callback):
        def on_step_end(self, trainer: Trainer, metrics: Any) -> None:
            pending.append(trainer.writer.pending)
            if trainer.step % every == 0:
                rss.append((trainer.step, _rss_mib()))

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        callbacks = [
            EMA(0.999),
            CSVLogger(out / "log.csv", every=10),
            # The performance issue's set: pictures every 200 steps, checkpoints every 500.
            LossPlot(out / "losses.png", every=10, plot_every=200),
            SampleGrid(out / "samples", every=200, n=256),
            ModelCheckpoint(out / "ckpt", every=500, keep_last=2),
            CollapseWarning(every=1000),
            Probe(),
        ]
        G = MLPGenerator(2, (2,), hidden=(128, 128), output_activation=None)
        D = MLPDiscriminator((2,), hidden=(128, 128))
        trainer = Trainer(G, D, NSGAN() + 0.1 * R1Penalty(), callbacks=callbacks, seed=0,
                          progress_bar=False)
        trainer.fit(ring(), steps=steps, batch_size=256)
    half = [(s, m) for s, m in rss if s > steps // 2]
    xs = torch.tensor([s for s, _ in half], dtype=torch.float64)
    ys = torch.tensor([m for _, m in half], dtype=torch.float64)
    slope = float(((xs - xs.mean()) * (ys - ys.mean())).sum() / ((xs - xs.mean()) ** 2).sum())
    return {
        "rss_mib_by_step": rss,
        "slope_kib_per_1000_steps_second_half": slope * 1000 * 1024,
        "growth_mib_second_half": float(ys[-1] - ys[0]),
        # One step's autograd graph here holds over 1 MiB of activations (batch 256 x
        # 128 units x ~10 tensors), so a graph kept per step would add > 1 GiB per
        # 1,000 steps. Picture events leave ~1 MiB allocator steps (matplotlib);
        # LossPlot's float history adds ~0.2 MiB per 1,000 steps.
        "flat_threshold_kib_per_1000_steps": 1024,
        "flat": abs(slope * 1000 * 1024) < 1024,
        # The background writer's queue (jobs queued or running after each step).
        "writer_max_pending": trainer.writer.max_pending,
        "writer_peak_pending": max(pending),
        "writer_jobs": trainer.writer.jobs_done,
    }


def run_child(kind: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, *args],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/memory.json")
    parser.add_argument("--steps", type=int, default=10_000, help="steps of the flatness run")
    parser.add_argument("--dcgan-steps", type=int, default=300)
    parser.add_argument("--demo-steps", type=int, default=0, help="0: the demo's full length")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.child:
        kind, *rest = args.child
        if kind == "demo":
            result = child_demo(int(rest[0]))
        elif kind == "dcgan":
            result = child_dcgan(int(rest[0]))
        else:
            result = child_flat(int(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return result
    every = max(1, args.steps // 20)
    results = {
        "demo": run_child("demo", str(args.demo_steps)),
        "dcgan_digits_16": run_child("dcgan", str(args.dcgan_steps)) | {
            "steps": args.dcgan_steps, "batch_size": 64},
        "flat_over_steps": run_child("flat", str(args.steps), str(every)) | {
            "steps": args.steps},
        "torch": torch.__version__,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results["flat_over_steps"].items()
                      if k != "rss_mib_by_step"}))
    print("demo peak RSS MiB:", round(results["demo"]["peak_rss_mib"], 1),
          " DCGAN peak RSS MiB:", round(results["dcgan_digits_16"]["peak_rss_mib"], 1))
    return results


if __name__ == "__main__":
    main()
