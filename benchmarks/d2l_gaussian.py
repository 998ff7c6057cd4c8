"""How well a GAN estimates d2l's 2-D Gaussian: the error of the learned mean and covariance.

Dive into Deep Learning's GAN section (REFERENCES.md) fits a GAN to 1,000
points ``x = zA + b``, ``z ~ N(0, I₂)``, ``A = [[1, 2], [−0.1, 0.5]]``,
``b = (1, 2)``, so the target is ``N(b, AᵀA)`` with
``AᵀA = [[1.01, 1.95], [1.95, 4.25]]``. Two configurations, on the same data:

- ``d2l``: the book's settings. G = Linear(2, 2)
  (``MLPGenerator(2, (2,), hidden=(), output_activation=None, init="dcgan")``),
  D = 2 → 5 tanh → 3 tanh → 1 (``MLPDiscriminator((2,), hidden=(5, 3),
  act_layer="tanh", init="dcgan")``), weights N(0, 0.02) and biases 0; BCE
  on logits with the non-saturating generator loss (gankit's ``NSGAN``);
  Adam lr_D 0.05, lr_G 0.005 with PyTorch's default betas (0.9, 0.999), as
  the book; latent 2; batch 8; 20 epochs (2,500 steps); one D step then one G
  step. The book sums the BCE over the batch and halves D's loss; gankit
  averages: Adam is invariant to that scale (up to its ε).
- ``gankit_defaults``: ``MLPGenerator(2, (2,), hidden=(64, 64),
  output_activation=None)`` (ReLU, batch norm after the second layer) and
  ``MLPDiscriminator((2,), hidden=(64, 64))`` (LeakyReLU 0.2) with their
  default initialisation; the Trainer's default optimisers (Adam 2e-4, betas
  (0.5, 0.999)); NSGAN; the same batch 8 and 20 epochs as ``d2l``.

Errors: ``‖μ̂ − b‖₂`` and ``‖Σ̂ − AᵀA‖_F`` with ``μ̂, Σ̂`` the mean and
covariance of 100,000 generated points (float64; eval mode); for the linear
generator also in closed form (``G(z) = Wz + c`` gives ``μ = c``,
``Σ = WWᵀ``). The floor is the error of the 1,000 training points' own mean
and covariance: a generator that reproduced the data sample exactly would
score that. Each seed draws new data (shared by both configurations) and new
initial weights.

Run::

    python benchmarks/d2l_gaussian.py --out benchmarks/results/d2l_gaussian.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from gankit import Trainer
from gankit.data import gaussian_2d
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator

CONFIGS = ("d2l", "gankit_defaults")
EVAL_SAMPLES = 100_000


def build(name: str) -> dict[str, Any]:
    """Models and optimiser factories (``None``: the Trainer's default) of one configuration."""
    if name == "d2l":
        g = MLPGenerator(2, (2,), hidden=(), output_activation=None, init="dcgan")
        d = MLPDiscriminator((2,), hidden=(5, 3), act_layer="tanh", init="dcgan")
        return {
            "g": g, "d": d,
            "g_optimizer": lambda p: torch.optim.Adam(p, lr=0.005),
            "d_optimizer": lambda p: torch.optim.Adam(p, lr=0.05),
        }
    if name == "gankit_defaults":
        g = MLPGenerator(2, (2,), hidden=(64, 64), output_activation=None)
        d = MLPDiscriminator((2,), hidden=(64, 64))
        return {"g": g, "d": d, "g_optimizer": None, "d_optimizer": None}
    raise ValueError(f"unknown configuration {name!r}; choose from {', '.join(CONFIGS)}")


def moments(x: Tensor) -> tuple[Tensor, Tensor]:
    x = x.to(torch.float64)
    return x.mean(dim=0), torch.cov(x.T)  # (2,), (2, 2) with divisor n − 1


def errors(mean: Tensor, cov: Tensor, b: Tensor, target_cov: Tensor) -> dict[str, float]:
    return {
        "mean_error": float(torch.linalg.vector_norm(mean - b)),
        "cov_error": float(torch.linalg.matrix_norm(cov - target_cov)),  # Frobenius
        "mean_rel_error": float(torch.linalg.vector_norm(mean - b) / torch.linalg.vector_norm(b)),
        "cov_rel_error": float(
            torch.linalg.matrix_norm(cov - target_cov) / torch.linalg.matrix_norm(target_cov)
        ),
    }


def run(name: str, data: Tensor, seed: int, epochs: int, batch_size: int) -> dict[str, Any]:
    spec = build(name)
    dist = gaussian_2d()
    b, target_cov = dist.b.double(), (dist.A.double().T @ dist.A.double())
    trainer = Trainer(spec["g"], spec["d"], NSGAN(), g_optimizer=spec["g_optimizer"],
                      d_optimizer=spec["d_optimizer"], seed=seed, device="cpu",
                      progress_bar=False)
    start = time.perf_counter()
    trainer.fit(data, epochs=epochs, batch_size=batch_size)
    seconds = time.perf_counter() - start
    noise = trainer.sample_noise(EVAL_SAMPLES, generator=torch.Generator().manual_seed(seed + 1))
    mean, cov = moments(trainer.sample(EVAL_SAMPLES, noise=noise))  # (2,), (2, 2)
    out: dict[str, Any] = {"empirical": errors(mean, cov, b, target_cov)}
    out["learned_mean"], out["learned_cov"] = mean.tolist(), cov.tolist()
    linear = [m for m in trainer.generator.modules() if isinstance(m, nn.Linear)]
    if len(linear) == 1 and spec["g"].output_activation is None:  # G(z) = Wz + c
        w, c = linear[0].weight.detach().double(), linear[0].bias.detach().double()
        out["closed_form"] = errors(c, w @ w.T, b, target_cov)
    out.update(steps=trainer.step, seconds=seconds)
    return out


def summarise(values: list[float]) -> dict[str, float]:
    t = torch.tensor(values, dtype=torch.float64)
    return {"mean": float(t.mean()), "std": float(t.std()) if len(values) > 1 else 0.0,
            "min": float(t.min()), "max": float(t.max())}


def write_json(obj: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs per configuration")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--points", type=int, default=1000, help="training points")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/d2l_gaussian.json"))
    args = parser.parse_args(argv)
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    if not args.configs or set(args.configs) - set(CONFIGS):
        parser.error(f"--configs must name some of {', '.join(CONFIGS)}, got {args.configs}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    dist = gaussian_2d()
    b, target_cov = dist.b.double(), (dist.A.double().T @ dist.A.double())
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in ("data", *args.configs)}
    for seed in range(args.seeds):
        data = dist.dataset(args.points, generator=torch.Generator().manual_seed(seed))
        runs["data"].append({"empirical": errors(*moments(data), b, target_cov)})
        for name in args.configs:
            runs[name].append(run(name, data, seed, args.epochs, args.batch_size))
    summary = {
        name: {
            f"{kind}/{metric}": summarise([r[kind][metric] for r in results])
            for kind in ("empirical", "closed_form") if kind in results[0]
            for metric in ("mean_error", "cov_error", "mean_rel_error", "cov_rel_error")
        }
        for name, results in runs.items()
    }
    result = {
        "benchmark": "d2l_gaussian",
        "target": {"mean": b.tolist(), "cov": target_cov.tolist()},
        "settings": {"seeds": args.seeds, "epochs": args.epochs, "batch_size": args.batch_size,
                     "points": args.points, "eval_samples": EVAL_SAMPLES,
                     "threads": args.threads, "configs": args.configs},
        "summary": summary,
        "runs": runs,
        "wall_seconds": time.perf_counter() - started,
        "torch": torch.__version__,
        "platform": platform.platform(),
    }
    write_json(result, args.out)
    print("| config | ‖μ̂ − b‖ | ‖Σ̂ − AᵀA‖_F | rel. cov error |\n|---|---|---|---|")
    for name, s in summary.items():
        m, c, r = (s[f"empirical/{k}"] for k in ("mean_error", "cov_error", "cov_rel_error"))
        print(f"| {name} | {m['mean']:.3f} ± {m['std']:.3f} | {c['mean']:.3f} ± {c['std']:.3f} "
              f"| {r['mean']:.3f} |")
    return result


if __name__ == "__main__":
    main()
