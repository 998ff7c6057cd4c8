"""The seed's vanilla GAN: fully connected G and D (Goodfellow et al. 2014) on images.

Reproduces write-up 1 of the seed material, a vanilla GAN trained on CIFAR-10:

    G: z (128) → 256 ReLU → 512 BN ReLU → 1024 BN ReLU → 2048 BN ReLU → C·H·W tanh
    D: flattened image → 1024 ReLU → 512 ReLU → 256 ReLU → 1 (a logit)

with binary cross-entropy, the generator trained against "real" labels (the
non-saturating loss, gankit's ``NSGAN``), ``k`` discriminator steps per
generator step (``--k``, Algorithm 1) and optional normal (N(0, 0.02)) or
Xavier initialisation (``--init``).

By default it trains on scikit-learn's bundled 8×8 digits (training split,
1,497 images, nothing downloaded); ``--mnist PATH`` (a folder with the IDX
files) or ``--cifar10 PATH`` (the extracted python batches) switch to those.

Mode collapse, which the write-up observed, is measured crudely: each of
1,000 generated images takes the label of its nearest training image (pixel
distance), and the script reports how many classes appear and the largest
class's share (10 classes and ≈ 0.1 without collapse), next to the mean
nearest-neighbour distance of generated and of held-out real images.

Deviations: the write-up halves the discriminator's loss ((real + fake)/2);
gankit's NSGAN sums the two terms, which Adam's scale invariance makes
irrelevant. Its batch size and learning rate are not stated in REFERENCES.md;
this script uses batch 64 and Adam lr 2e-4, betas (0.5, 0.999).

Full-length run (the write-up shows sample grids at 100, 200 and 600 epochs):
    python examples/vanilla_mlp.py --cifar10 ~/data/cifar-10-batches-py \\
        --epochs 600 --sample-every 78100 --out runs/vanilla_cifar10
(781 steps per epoch at batch 64, so 78,100 steps = 100 epochs; days on a CPU.)

Run:
    python examples/vanilla_mlp.py                          # digits, 1,000 steps
    python examples/vanilla_mlp.py --k 2 --init xavier --steps 3000
    python examples/vanilla_mlp.py --mnist ~/data/mnist --epochs 50

Measured (2-core CPU shared with other jobs, torch 2.13, one thread): the
default 1,000 steps (43 epochs) took 72 s (45 s of CPU time). With seed 0 the
1,000 samples' nearest training images cover all 10 classes, the largest
with a share of 0.12 (no collapse at this length), at a mean pixel distance
of 2.47, against 2.12 for held-out real digits.

Outputs in --out (default runs/vanilla_mlp): samples/samples_<step>.png
(every --sample-every steps), samples.png (final 8×8 grid), losses.png,
results.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from gankit.callbacks import LossPlot, SampleGrid
from gankit.data import ImageDataset, cifar10, digits, mnist_idx
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import Trainer, seed_everything
from gankit.visualize import save_image_grid


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=None, help="train epochs instead of steps")
    parser.add_argument("--out", type=Path, default=Path("runs/vanilla_mlp"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads; 0 keeps PyTorch's default")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--mnist", type=Path, default=None, help="folder of MNIST IDX files")
    source.add_argument("--cifar10", type=Path, default=None, help="folder of CIFAR-10 batches")
    parser.add_argument("--k", type=int, default=1, help="discriminator steps per generator step")
    parser.add_argument("--init", choices=("dcgan", "xavier", "default"), default="default",
                        help="dcgan = N(0, 0.02); default = PyTorch's")
    parser.add_argument("--latent-dim", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--sample-every", type=int, default=None,
                        help="steps between sample grids (default: a fifth of the run)")
    return parser.parse_args(argv)


def load(args: argparse.Namespace) -> tuple[ImageDataset, ImageDataset]:
    """The training and held-out splits of the chosen data set."""
    if args.mnist is not None:
        return mnist_idx(args.mnist, "train"), mnist_idx(args.mnist, "test")
    if args.cifar10 is not None:
        return cifar10(args.cifar10, "train"), cifar10(args.cifar10, "test")
    return digits("train"), digits("test")


def nearest_neighbours(queries: Tensor, reference: ImageDataset, limit: int = 10_000,
                       ) -> tuple[Tensor, Tensor]:
    """Label of, and pixel distance to, each query's nearest image among ``limit`` references."""
    keep = torch.randperm(len(reference), generator=torch.Generator().manual_seed(0))[:limit]
    ref = reference.images[keep].flatten(1)  # (R, C·H·W)
    labels, dists = [], []
    for chunk in queries.flatten(1).split(256):  # (<=256, C·H·W)
        d, i = torch.cdist(chunk, ref).min(dim=1)
        labels.append(reference.labels[keep][i])
        dists.append(d)
    return torch.cat(labels), torch.cat(dists)


def class_report(fake: Tensor, train: ImageDataset, test: ImageDataset) -> dict[str, Any]:
    """Nearest-neighbour classes of generated images, and distances against a real baseline."""
    fake_labels, fake_dist = nearest_neighbours(fake, train)
    _, test_dist = nearest_neighbours(test.images[: fake.shape[0]], train)
    counts = torch.bincount(fake_labels, minlength=train.num_classes)
    return {
        "nn_class_counts": counts.tolist(),
        "nn_classes_present": int((counts > 0).sum()),
        "nn_largest_class_share": int(counts.max()) / int(counts.sum()),
        "nn_distance_generated": float(fake_dist.mean()),
        "nn_distance_held_out_real": float(test_dist.mean()),
    }


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
    train, test = load(args)
    init = None if args.init == "default" else args.init

    G = MLPGenerator(args.latent_dim, train.shape, init=init)
    D = MLPDiscriminator(train.shape, hidden=(1024, 512, 256), act_layer="relu", init=init)
    steps_per_epoch = len(train) // args.batch_size
    total = args.steps if args.epochs is None else args.epochs * steps_per_epoch
    every = args.sample_every or max(1, total // 5)
    losses = LossPlot(args.out / "losses.png", every=1, plot_every=None)

    def adam(params: list[torch.nn.Parameter]) -> torch.optim.Optimizer:
        return torch.optim.Adam(params, lr=args.lr, betas=(0.5, 0.999))

    trainer = Trainer(G, D, NSGAN(), g_optimizer=adam, d_optimizer=adam, d_steps=args.k,
                      seed=args.seed,
                      callbacks=[losses, SampleGrid(args.out / "samples", every=every, n=64)])
    if args.epochs is None:
        trainer.fit(train, steps=args.steps, batch_size=args.batch_size)
    else:
        trainer.fit(train, epochs=args.epochs, batch_size=args.batch_size)

    fixed = torch.Generator(device=trainer.device).manual_seed(args.seed)
    save_image_grid(trainer.sample(64, noise=trainer.sample_noise(64, generator=fixed)),
                    args.out / "samples.png", nrow=8)
    last = min(100, trainer.step)
    history = losses.history
    results: dict[str, Any] = {
        "data": "mnist" if args.mnist else "cifar10" if args.cifar10 else "digits",
        "image_shape": list(train.shape),
        "steps": trainer.step,
        "epochs": trainer.epoch,
        "k": args.k,
        "final_d_loss": sum(history["d/loss"][1][-last:]) / last,
        "final_g_loss": sum(history["g/loss"][1][-last:]) / last,
    }
    results.update(class_report(trainer.sample(1000).cpu(), train, test))
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{results['data']} {tuple(train.shape)}: {trainer.step} steps ({trainer.epoch} epochs), "
          f"last-{last}-step losses d {results['final_d_loss']:.3f}, "
          f"g {results['final_g_loss']:.3f}")
    print(f"nearest-training-image classes of 1,000 samples: {results['nn_class_counts']} "
          f"({results['nn_classes_present']} classes, largest share "
          f"{results['nn_largest_class_share']:.2f})")
    print(f"mean nearest-neighbour distance: generated {results['nn_distance_generated']:.3f}, "
          f"held-out real {results['nn_distance_held_out_real']:.3f}")
    print(f"wrote {args.out}/samples.png, samples/, losses.png, results.json")
    return results


if __name__ == "__main__":
    main()
