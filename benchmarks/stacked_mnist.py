"""Mode collapse on real digits: Stacked MNIST's 1,000 modes, against PacGAN's Table 2.

Protocol (VEEGAN's, as PacGAN runs it; REFERENCES.md):

- Each training image stacks three random digits of the bundled MNIST training
  split (:func:`gankit.data.mnist_bundled`, 4,000 digits) as its R, G and B
  channels (:func:`gankit.data.stacked_mnist`): 128,000 stacks of 3×28×28,
  drawn with ``torch.Generator().manual_seed(seed)``; 1,000 modes.
- Each seed is scored on 26,000 generated samples: gankit's offline MNIST
  classifier (:func:`gankit.metrics.mnist_classifier`, 0.978 held-out accuracy)
  labels each channel; the modes holding at least one sample are counted and
  the KL divergence of the mode histogram to uniform is computed
  (:func:`gankit.metrics.stacked_mnist_modes`).
- **Real-data floor**: 26,000 fresh stacks of the 1,000 *held-out* digits,
  scored the same way; the classifier's errors and the finite sample keep even
  real data above KL 0 (a perfect uniform draw of 26,000 has KL ≈ 999 / 52,000
  = 0.019).

PacGAN used MNIST's 60,000 training digits and its own pretrained classifier;
here the stacks come from 4,000 real digits (nothing is downloaded), so a
generator meets fewer distinct images per mode.

Recipes (shapes from :mod:`gankit.models`; batch 64; NSGAN; Adam 2e-4):

- ``dcgan``: ``DCGANGenerator(100, (3, 28, 28))`` and ``DCGANDiscriminator``,
  64 base channels, batch norm, betas (0.5, 0.999).
- ``best``: 32 base channels (latent 64), a packed discriminator (PacGAN's
  ``pack = 2``, no batch norm in D), betas (0.5, 0.99), an EMA of G over the
  second half of the run.

Run (one thread by default; writes JSON after every seed)::

    python benchmarks/stacked_mnist.py --recipe best --seeds 3 \\
        --out benchmarks/results/stacked_mnist_best.json
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

import torch
from _common import (
    check_seed_arguments,
    machine_info,
    mean_and_sem,
    seed_parser,
    targets_met,
    write_json,
)
from image_quality import Recipe, generate, train

from gankit.data import mnist_bundled, stacked_mnist
from gankit.metrics import mnist_classifier, stacked_mnist_modes

TRAIN_STACKS = 128_000
EVAL_SAMPLES = 26_000
PACGAN_TABLE2 = {  # modes (of 1,000) and KL, mean ± s.e. over 10 trials (as issue 16 quotes)
    "DCGAN": {"modes": "99.0", "kl": "3.40"},
    "VEEGAN": {"modes": "150.0", "kl": "2.95"},
    "PacDCGAN2": {"modes": "1000.0 ± 0.0", "kl": "0.06 ± 0.003"},
    "PacDCGAN4": {"modes": "1000.0 ± 0.0", "kl": "0.07 ± 0.005"},
}
TARGETS = {"modes_covered": (">=", 1000.0), "kl": ("<=", 0.05)}

RECIPES: dict[str, Recipe] = {
    "dcgan": Recipe(
        "DCGANGenerator(100) / DCGANDiscriminator, 64 base channels, batch norm in both; "
        "NSGAN; Adam 2e-4 (0.5, 0.999)",
        "dcgan", steps={"stacked_mnist": 3000},
    ),
    "best": Recipe(
        "DCGAN shapes at 32 base channels (latent 64); PacGAN's packed D (pack 2) without "
        "batch norm; NSGAN; Adam 2e-4 (0.5, 0.99); an EMA of G over the second half",
        "dcgan", latent_dim=64, g_channels=32, d_channels=32, d_norm=None, pack=2,
        betas=(0.5, 0.99), ema_decay=0.999, steps={"stacked_mnist": 4000},
    ),
}


def run_seed(recipe: Recipe, seed: int, steps: int, classifier: torch.nn.Module
             ) -> dict[str, Any]:
    data = stacked_mnist(mnist_bundled("train"), TRAIN_STACKS,
                         generator=torch.Generator().manual_seed(seed))
    start = time.perf_counter()
    trainer = train(recipe, data, steps, seed)
    train_seconds = time.perf_counter() - start
    samples = generate(trainer, EVAL_SAMPLES, seed=10_000 + seed)
    result = stacked_mnist_modes(samples, classifier)
    return {"seed": seed, "modes_covered": result.modes_covered, "kl": result.kl,
            "train_seconds": train_seconds, "seconds": time.perf_counter() - start}


def real_floor(classifier: torch.nn.Module) -> dict[str, Any]:
    stacks = stacked_mnist(mnist_bundled("test"), EVAL_SAMPLES,
                           generator=torch.Generator().manual_seed(12345))
    result = stacked_mnist_modes(stacks.images, classifier)
    return {"modes_covered": result.modes_covered, "kl": result.kl,
            "digits": 1000, "samples": EVAL_SAMPLES}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = seed_parser(__doc__.splitlines()[0], default_seeds=3)
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="best")
    args = parser.parse_args(argv)
    check_seed_arguments(parser, args)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    recipe = RECIPES[args.recipe]
    steps = recipe.steps["stacked_mnist"] if args.steps is None else args.steps
    classifier = mnist_classifier()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    result: dict[str, Any] = {
        "benchmark": "stacked_mnist",
        "recipe": args.recipe,
        "recipe_settings": dataclasses.asdict(recipe),
        "steps": steps,
        "seeds": seeds,
        "completed_seeds": 0,
        "note": args.note,
        "protocol": {"train_stacks": TRAIN_STACKS, "source_digits": 4000,
                     "eval_samples": EVAL_SAMPLES, "num_modes": 1000,
                     "departure": "stacks of the 4,000 bundled MNIST training digits and "
                                  "gankit's MNIST classifier, not all 60,000 and PacGAN's"},
        "floor": real_floor(classifier),
        "pacgan_table2": PACGAN_TABLE2,
        "targets": {k: f"{op} {v}" for k, (op, v) in TARGETS.items()},
        "machine": machine_info(args.threads),
        "runs": [],
    }
    for seed in seeds:
        run = run_seed(recipe, seed, steps, classifier)
        result["runs"].append(run)
        result["completed_seeds"] = len(result["runs"])
        stats = {k: mean_and_sem([float(r[k]) for r in result["runs"]])
                 for k in ("modes_covered", "kl", "seconds")}
        result["mean"] = {k: s["mean"] for k, s in stats.items()}
        result["sem"] = {k: s["sem"] for k, s in stats.items()}
        result["targets_met"] = targets_met(TARGETS, result["mean"])
        result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        write_json(result, args.out)
        print(f"stacked_mnist/{args.recipe} seed {seed}: {run['modes_covered']} modes, "
              f"KL {run['kl']:.3f}, {run['seconds']:.0f} s", flush=True)
    return result


if __name__ == "__main__":
    main()
