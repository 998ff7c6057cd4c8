"""Sample quality on the held-out digits: vanilla MLP GAN, DCGAN and WGAN-GP against the real floor.

Each model trains on the training split of ``gankit.data.digits`` (1,497 8×8
images in [−1, 1]) and is scored against the 300 held-out images, which no
model (and not the feature extractor) has seen:

- **Features**: the penultimate layer (128 tanh units) of gankit's built-in
  digits classifier (``gankit.metrics.digits_model``; trained on the
  training split, ~0.98 held-out accuracy; cached, nothing downloaded).
- **Fréchet distance** (FD), **precision/recall** (k = 3), **density/coverage**
  (k = 5) on those features, with 300 generated samples against the 300
  held-out images, repeated on 4 disjoint sets of 300 samples (mean ± std).
- **Real floor**: the same metrics for 4 disjoint sets of 300 *training*
  images against the held-out images. A perfect generator matches the floor,
  so ``fd_ratio = FD(model) / FD(floor)`` says how close a model gets (1 = as
  good as fresh real data).
- **Parzen log-likelihood** (Goodfellow et al. 2014's protocol, REFERENCES.md),
  in pixel space with pixels scaled to [0, 1] (``(x + 1) / 2``, as the paper's
  MNIST pixels), 64 dimensions: kernels on 10,000 generated samples; σ chosen
  from ``logspace(−1, 0, 10)`` on a validation part of the held-out split (the
  first 10 images of each class, 100 images); the other 200 held-out images
  are scored (mean ± standard error, nats). The paper's validation set had
  1,000 images; the digits offer 300 held-out images in all. The floor's
  kernels are the 1,497 training images (there are no 10,000 real ones).
- **Predicted classes**: KL(histogram of the classifier's predictions on the
  10,000 samples ‖ uniform), in nats; 0 when all ten digits are equally
  frequent (the held-out split is balanced), ln 10 = 2.30 for one digit only.

Models (all batch 64, latent noise N(0, I)):

- ``vanilla``: the seed project's MLP GAN, G = latent 128 → 256 ReLU → 512 BN
  ReLU → 1024 BN ReLU → 2048 BN ReLU → 64 tanh; D = 64 → 1024 → 512 → 256
  (ReLU) → 1; non-saturating BCE; Adam 2e-4, betas (0.5, 0.999).
- ``dcgan``: ``DCGANGenerator(100, (1, 8, 8))`` / ``DCGANDiscriminator`` (64
  base channels; at 8×8 one stride-2 stage each); NSGAN; Adam 2e-4, betas
  (0.5, 0.999). The DCGAN paper's batch is 128; 64 here, like the others.
- ``wgangp``: the same DCGAN generator shapes (latent 128), a DCGAN critic
  with layer norm instead of batch norm; λ = 10, n_critic = 5, Adam 1e-4,
  betas (0.5, 0.9) (the authors' MNIST code).

Run (one thread by default; writes JSON and prints a table)::

    python benchmarks/digits_quality.py --steps 2000 --out benchmarks/results/digits_quality.json

Fewer steps than the papers (CPU budget); the JSON records every setting.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from gankit import Trainer
from gankit.data import digits
from gankit.losses import NSGAN, WGANGP, Loss
from gankit.metrics import (
    density_coverage,
    extract_features,
    frechet_distance,
    parzen_log_likelihood,
    precision_recall,
    select_parzen_sigma,
)
from gankit.metrics.digits_model import digits_classifier, digits_feature_extractor
from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator

MODELS = ("vanilla", "dcgan", "wgangp")
REPEATS = 4  # disjoint sets of held-out size; the training split holds 4 × 300
PARZEN_VALIDATION_PER_CLASS = 10
SHAPE = (1, 8, 8)


def build(name: str) -> dict[str, Any]:
    """Models, loss and optimiser settings of one benchmark model."""
    if name == "vanilla":
        g: nn.Module = MLPGenerator(128, SHAPE)  # 256, 512 BN, 1024 BN, 2048 BN, tanh
        d: nn.Module = MLPDiscriminator(SHAPE, hidden=(1024, 512, 256), act_layer="relu")
        return {"g": g, "d": d, "loss": NSGAN(), "d_steps": 1, "lr": 2e-4, "betas": (0.5, 0.999)}
    if name == "dcgan":
        g, d = DCGANGenerator(100, SHAPE), DCGANDiscriminator(SHAPE)
        return {"g": g, "d": d, "loss": NSGAN(), "d_steps": 1, "lr": 2e-4, "betas": (0.5, 0.999)}
    if name == "wgangp":
        g = DCGANGenerator(128, SHAPE)
        d = DCGANDiscriminator(SHAPE, norm_layer="layer_norm")  # no batch norm in the critic
        return {"g": g, "d": d, "loss": WGANGP(10.0), "d_steps": 5, "lr": 1e-4,
                "betas": (0.5, 0.9)}
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")


def train(name: str, data: Tensor, steps: int, batch_size: int, seed: int) -> tuple[Trainer, float]:
    spec = build(name)
    loss: Loss = spec["loss"]

    def adam(params: list[nn.Parameter]) -> torch.optim.Optimizer:
        return torch.optim.Adam(params, lr=spec["lr"], betas=spec["betas"])

    trainer = Trainer(spec["g"], spec["d"], loss, g_optimizer=adam, d_optimizer=adam,
                      d_steps=spec["d_steps"], seed=seed, device="cpu", progress_bar=False)
    start = time.perf_counter()
    trainer.fit(data, steps=steps, batch_size=batch_size)
    return trainer, time.perf_counter() - start


def generate(trainer: Trainer, n: int, seed: int, chunk: int = 1000) -> Tensor:
    """``n`` samples from fixed noise, in eval mode; ``(n, 1, 8, 8)``."""
    noise = trainer.sample_noise(n, generator=torch.Generator().manual_seed(seed))
    return torch.cat([trainer.sample(len(z), noise=z) for z in noise.split(chunk)])


def parzen_split(test_labels: Tensor) -> tuple[Tensor, Tensor]:
    """Held-out indices: the first 10 of each class for σ selection, the rest for scoring."""
    validation = torch.cat([
        torch.nonzero(test_labels == c).flatten()[:PARZEN_VALIDATION_PER_CLASS]
        for c in range(10)
    ]).sort().values
    mask = torch.ones(len(test_labels), dtype=torch.bool)
    mask[validation] = False
    return validation, torch.nonzero(mask).flatten()


def to_unit(x: Tensor) -> Tensor:
    return ((x.reshape(len(x), -1).to(torch.float64) + 1.0) / 2.0).clamp(0.0, 1.0)  # (N, 64)


def class_kl(logits: Tensor) -> float:
    """KL(histogram of predicted classes ‖ uniform over 10), in nats."""
    counts = torch.bincount(logits.argmax(dim=1), minlength=10).to(torch.float64)
    p = counts[counts > 0] / counts.sum()
    return max(0.0, math.log(10) + float((p * p.log()).sum()))


def mean_std(values: list[float]) -> dict[str, float]:
    t = torch.tensor(values, dtype=torch.float64)
    return {"mean": float(t.mean()), "std": float(t.std()) if len(values) > 1 else 0.0}


def score(
    kernels: Tensor,
    sets: list[Tensor],
    test: Tensor,
    parzen_idx: tuple[Tensor, Tensor],
    features: Callable[[Tensor], Tensor],
    classify: Callable[[Tensor], Tensor],
) -> dict[str, Any]:
    """Every metric for one source: ``sets`` of images for features, ``kernels`` for Parzen."""
    real_f = features(test)
    per_set: dict[str, list[float]] = {k: [] for k in
                                       ("fd", "precision", "recall", "density", "coverage")}
    for subset in sets:
        fake_f = features(subset)
        pr, dc = precision_recall(real_f, fake_f, k=3), density_coverage(real_f, fake_f, k=5)
        per_set["fd"].append(frechet_distance(real_f, fake_f))
        per_set["precision"].append(pr.precision)
        per_set["recall"].append(pr.recall)
        per_set["density"].append(dc.density)
        per_set["coverage"].append(dc.coverage)
    validation, scored = parzen_idx
    centres = to_unit(kernels)
    selection = select_parzen_sigma(centres, to_unit(test[validation]))
    parzen = parzen_log_likelihood(centres, to_unit(test[scored]), selection.sigma)
    out: dict[str, Any] = {k: mean_std(v) for k, v in per_set.items()}
    out["parzen"] = {"mean": parzen.mean, "stderr": parzen.stderr, "sigma": parzen.sigma,
                     "kernels": len(kernels)}
    out["predicted_class_kl"] = class_kl(classify(kernels))
    return out


def write_json(obj: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def table(result: dict[str, Any]) -> str:
    rows = [("real floor", result["floor"])] + [(n, m["metrics"]) for n, m in
                                                result["models"].items()]
    lines = ["| source | FD | FD / floor | precision | recall | density | coverage | "
             "Parzen (nats) | class KL | train s |", "|" + "---|" * 10]
    for name, m in rows:
        train_s = result["models"].get(name, {}).get("train_seconds")
        cells = [
            name,
            f"{m['fd']['mean']:.2f} ± {m['fd']['std']:.2f}",
            f"{m.get('fd_ratio', 1.0):.1f}",
            *(f"{m[k]['mean']:.3f}" for k in ("precision", "recall", "density", "coverage")),
            f"{m['parzen']['mean']:.1f} ± {m['parzen']['stderr']:.1f}",
            f"{m['predicted_class_kl']:.3f}",
            "-" if train_s is None else f"{train_s:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="generator updates per model")
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated subset of {','.join(MODELS)}")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/digits_quality.json"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--parzen-samples", type=int, default=10_000,
                        help="generated samples carrying the Parzen kernels")
    parser.add_argument("--cache-dir", default=None,
                        help="digits classifier cache (default $GANKIT_CACHE or ~/.cache/gankit)")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(args.models) - set(MODELS))
    if unknown or not args.models:
        parser.error(f"--models must name some of {', '.join(MODELS)}, got {args.models}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    train_set, test_set = digits("train"), digits("test")
    t0 = time.perf_counter()
    classifier = digits_classifier(8, cache_dir=args.cache_dir)
    classifier_seconds = time.perf_counter() - t0
    with torch.no_grad():
        accuracy = float((classifier(test_set.images).argmax(1) == test_set.labels).double().mean())

    extractor = digits_feature_extractor(8, cache_dir=args.cache_dir)  # cached by now

    def features(x: Tensor) -> Tensor:
        return extract_features(extractor, x)  # float64 (N, 128)

    def classify(x: Tensor) -> Tensor:
        with torch.no_grad():
            return torch.cat([classifier(c) for c in x.split(1000)])

    n_test = len(test_set)
    parzen_idx = parzen_split(test_set.labels)
    order = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(args.seed))
    floor_sets = [train_set.images[order[i * n_test:(i + 1) * n_test]] for i in range(REPEATS)]
    floor = score(train_set.images, floor_sets, test_set.images, parzen_idx, features, classify)

    models: dict[str, Any] = {}
    for name in args.models:
        trainer, train_seconds = train(name, train_set.images, args.steps, args.batch_size,
                                       args.seed)
        t0 = time.perf_counter()
        n = max(args.parzen_samples, REPEATS * n_test)
        samples = generate(trainer, n, seed=args.seed + 1)
        sets = [samples[i * n_test:(i + 1) * n_test] for i in range(REPEATS)]
        metrics = score(samples[:args.parzen_samples], sets, test_set.images, parzen_idx,
                        features, classify)
        metrics["fd_ratio"] = metrics["fd"]["mean"] / floor["fd"]["mean"]
        metrics["parzen_gap_to_floor"] = metrics["parzen"]["mean"] - floor["parzen"]["mean"]
        spec = build(name)
        models[name] = {
            "metrics": metrics,
            "train_seconds": train_seconds,
            "eval_seconds": time.perf_counter() - t0,
            "steps": args.steps,
            "d_steps": spec["d_steps"],
            "lr": spec["lr"],
            "betas": list(spec["betas"]),
            "loss": repr(spec["loss"]),
            "g_params": sum(p.numel() for p in trainer.generator.parameters()),
            "d_params": sum(p.numel() for p in trainer.discriminator.parameters()),
        }
        print(f"{name}: trained {args.steps} steps in {train_seconds:.0f} s, "
              f"FD {metrics['fd']['mean']:.2f} (floor {floor['fd']['mean']:.2f})", flush=True)

    result = {
        "benchmark": "digits_quality",
        "settings": {
            "steps": args.steps, "batch_size": args.batch_size, "seed": args.seed,
            "threads": args.threads, "models": args.models, "image_shape": list(SHAPE),
            "train_images": len(train_set), "held_out_images": n_test,
            "feature_sets": REPEATS, "feature_set_size": n_test,
            "precision_recall_k": 3, "density_coverage_k": 5,
            "parzen_samples": args.parzen_samples, "parzen_space": "pixels (x + 1) / 2 in [0, 1]",
            "parzen_sigmas": "logspace(-1, 0, 10)",
            "parzen_validation": len(parzen_idx[0]), "parzen_scored": len(parzen_idx[1]),
        },
        "classifier": {"held_out_accuracy": accuracy, "feature_dim": 128,
                       "seconds_to_load_or_train": classifier_seconds},
        "floor": floor,
        "models": models,
        "wall_seconds": time.perf_counter() - started,
        "torch": torch.__version__,
        "platform": platform.platform(),
    }
    result["table"] = table(result)
    write_json(result, args.out)
    print(result["table"])
    return result


if __name__ == "__main__":
    main()
