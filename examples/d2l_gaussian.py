"""Dive into Deep Learning's GAN: a linear generator learns a 2-D Gaussian.

The "world's most inefficient estimator of a Gaussian" (d2l, GAN section).
The data are 1,000 points ``x = zA + b`` with ``z ~ N(0, I)``, so
``x ~ N(b, AᵀA)``. The generator is one linear layer ``G(z) = zWᵀ + c``, whose
samples are ``N(c, WWᵀ)``: training succeeds if ``c → b`` and ``WWᵀ → AᵀA``.
After training the script prints the generator's mean and covariance next to
``b`` and ``AᵀA`` with the errors, and saves a scatter of real against
generated points and the loss curves.

Settings (d2l's, REFERENCES.md; the default run is the full run):
    data: 1,000 fixed points; A = [[1, 2], [-0.1, 0.5]], b = [1, 2].
    G: Linear(2, 2); D: 2 → 5 tanh → 3 tanh → 1; weights N(0, 0.02), biases 0.
    latent 2, z ~ N(0, I); batch 8; Adam lr_D 0.05, lr_G 0.005 (PyTorch's
    default betas (0.9, 0.999)); 20 epochs = 20 × 125 = 2,500 steps; one D step,
    then one G step.
    The losses are gankit's NSGAN on logits with mean reduction; d2l uses
    binary cross-entropy with sum reduction and halves the discriminator's.
    Adam is invariant to a constant scale of the loss, so the updates agree up
    to Adam's epsilon. The logged losses differ by that scale: at the
    equilibrium D(x) = 1/2 gankit logs d_loss = 2 ln 2 ≈ 1.386 and
    g_loss = ln 2 ≈ 0.693 (d2l plots both near ln 2 per sample).

Run:
    python examples/d2l_gaussian.py                      # the full d2l run, 2,500 steps
    python examples/d2l_gaussian.py --steps 500 --out runs/d2l_short --seed 1

Measured (2-core CPU, torch 2.13, one thread): the default 2,500 steps take
about 9 s of CPU time; wall time was 26 to 48 s while other jobs loaded both
cores (12 s on a quieter machine). With
seed 0 the generator ends at mean c = [0.957, 2.019] (‖c − b‖ = 0.047) and
covariance WWᵀ = [[0.857, 1.834], [1.834, 4.164]] (Frobenius error 0.24,
4.7 % of ‖AᵀA‖), against b = [1, 2] and AᵀA = [[1.01, 1.95], [1.95, 4.25]].
For scale, the 1,000 training points have mean [0.988, 2.002] (0.013 from b)
and covariance [[1.012, 1.956], [1.956, 4.311]]. The last epoch's losses are
1.386 and 0.693, the equilibrium values: D cannot tell the two apart.

Outputs in --out (default runs/d2l_gaussian): scatter.png (1,000 real and
1,000 generated points), losses.png, results.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from torch import Tensor, nn

from gankit.callbacks import LossPlot
from gankit.data import gaussian_2d
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import Trainer, seed_everything
from gankit.visualize import save_scatter

NUM_POINTS = 1000  # d2l's training set
BATCH_SIZE = 8
STEPS_PER_EPOCH = NUM_POINTS // BATCH_SIZE  # 125
EPOCHS = 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=EPOCHS * STEPS_PER_EPOCH,
                        help="generator updates (default: 20 epochs = 2500)")
    parser.add_argument("--out", type=Path, default=Path("runs/d2l_gaussian"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads; 0 keeps PyTorch's default")
    parser.add_argument("--lr-d", type=float, default=0.05)
    parser.add_argument("--lr-g", type=float, default=0.005)
    return parser.parse_args(argv)


def linear_moments(generator: nn.Module) -> tuple[Tensor, Tensor]:
    """The exact mean ``c`` and covariance ``WWᵀ`` of ``G(z) = zWᵀ + c``, z ~ N(0, I)."""
    layers = [m for m in generator.modules() if isinstance(m, nn.Linear)]
    if len(layers) != 1:
        raise ValueError(f"expected a single linear layer, found {len(layers)}")
    weight = layers[0].weight.detach().double()  # (2, latent)
    return layers[0].bias.detach().double(), weight @ weight.T


def _fmt(t: Tensor) -> str:
    return json.dumps([[round(v, 3) for v in row] for row in t.reshape(-1, t.shape[-1]).tolist()])


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    previous = torch.get_num_threads()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    try:
        return run(args)
    finally:
        torch.set_num_threads(previous)


def run(args: argparse.Namespace) -> dict:
    args.out.mkdir(parents=True, exist_ok=True)
    seed_everything(args.seed)  # before the models: their initial weights are seeded

    dist = gaussian_2d()
    real = dist.dataset(NUM_POINTS, generator=torch.Generator().manual_seed(args.seed))

    G = MLPGenerator(2, (2,), hidden=(), output_activation=None, init="dcgan")
    D = MLPDiscriminator((2,), hidden=(5, 3), act_layer="tanh", init="dcgan")
    losses = LossPlot(args.out / "losses.png", every=1, plot_every=None)
    trainer = Trainer(
        G, D, NSGAN(),
        g_optimizer=lambda p: torch.optim.Adam(p, lr=args.lr_g),
        d_optimizer=lambda p: torch.optim.Adam(p, lr=args.lr_d),
        callbacks=[losses],
        seed=args.seed,
    )
    trainer.fit(real, steps=args.steps, batch_size=BATCH_SIZE)

    fake = trainer.sample(10_000).cpu().double()  # (10000, 2)
    learned_mean, learned_cov = linear_moments(G)
    target_mean, target_cov = dist.mean.double(), dist.covariance.double()
    data = real.double()
    save_scatter(real, fake[:NUM_POINTS], args.out / "scatter.png",
                 title=f"d2l Gaussian after {trainer.step} steps")

    cov_error = torch.linalg.matrix_norm(learned_cov - target_cov)  # Frobenius
    last = min(STEPS_PER_EPOCH, trainer.step)  # the last epoch's steps
    results = {
        "steps": trainer.step,
        "target_mean": target_mean.tolist(),
        "target_covariance": target_cov.tolist(),
        "data_mean": data.mean(0).tolist(),
        "data_covariance": torch.cov(data.T).tolist(),
        "learned_mean": learned_mean.tolist(),
        "learned_covariance": learned_cov.tolist(),
        "sample_mean": fake.mean(0).tolist(),
        "sample_covariance": torch.cov(fake.T).tolist(),
        "mean_error": float(torch.linalg.vector_norm(learned_mean - target_mean)),
        "covariance_error": float(cov_error),
        "relative_covariance_error": float(cov_error / torch.linalg.matrix_norm(target_cov)),
        "data_mean_error": float(torch.linalg.vector_norm(data.mean(0) - target_mean)),
        "final_d_loss": sum(losses.history["d/loss"][1][-last:]) / last,
        "final_g_loss": sum(losses.history["g/loss"][1][-last:]) / last,
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    print(f"after {trainer.step} steps (errors: Euclidean for the mean, Frobenius for the cov)")
    print(f"  mean        target b    {_fmt(target_mean)}")
    print(f"              learned c   {_fmt(learned_mean)}   error {results['mean_error']:.4f}")
    print(f"  covariance  target AᵀA  {_fmt(target_cov)}")
    print(f"              learned WWᵀ {_fmt(learned_cov)}   error "
          f"{results['covariance_error']:.4f} ({100 * results['relative_covariance_error']:.1f} %)")
    print(f"  last-epoch losses: d {results['final_d_loss']:.3f} (2 ln 2 = 1.386), "
          f"g {results['final_g_loss']:.3f} (ln 2 = 0.693)")
    print(f"  wrote {args.out}/scatter.png, losses.png, results.json")
    return results


if __name__ == "__main__":
    main()
