"""Time per training step against batch size and image size (DCGAN, NSGAN, CPU).

For each batch size in 64..1024 (at 16×16) and each image size in 8..64 (at
batch 64), the Trainer runs a short warm-up and then a timed stretch of steps.
The JSON holds milliseconds per step and per sample, so it shows where the
cost stops growing linearly.

Run (writes JSON)::

    python benchmarks/scaling.py --out benchmarks/results/scaling.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch

from gankit import NSGAN, DCGANDiscriminator, DCGANGenerator, Trainer


def time_per_step(size: int, batch: int, steps: int, warmup: int, channels: int) -> float:
    torch.manual_seed(0)
    G = DCGANGenerator(64, (1, size, size), base_channels=channels)
    D = DCGANDiscriminator((1, size, size), base_channels=channels)
    data = torch.rand(max(2048, batch * 2), 1, size, size) * 2 - 1
    trainer = Trainer(G, D, NSGAN(), seed=0, progress_bar=False)
    trainer.fit(data, steps=warmup, batch_size=batch)
    start = time.perf_counter()
    trainer.fit(data, steps=warmup + steps, batch_size=batch)
    return (time.perf_counter() - start) / steps


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/scaling.json")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--channels", type=int, default=32, help="DCGAN base channels")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--batches", default="64,128,256,512,1024")
    parser.add_argument("--sizes", default="8,16,32,64")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    by_batch = []
    for b in (int(v) for v in args.batches.split(",")):
        t = time_per_step(16, b, args.steps, args.warmup, args.channels)
        by_batch.append({"batch_size": b, "image_size": 16, "ms_per_step": 1e3 * t,
                         "us_per_sample": 1e6 * t / b})
        print(by_batch[-1], flush=True)
    by_size = []
    for s in (int(v) for v in args.sizes.split(",")):
        t = time_per_step(s, 64, args.steps, args.warmup, args.channels)
        by_size.append({"batch_size": 64, "image_size": s, "ms_per_step": 1e3 * t,
                        "us_per_pixel_sample": 1e6 * t / (64 * s * s)})
        print(by_size[-1], flush=True)
    results = {"threads": args.threads, "torch": torch.__version__,
               "base_channels": args.channels, "by_batch": by_batch, "by_image_size": by_size}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
