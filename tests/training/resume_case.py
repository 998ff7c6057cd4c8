"""Run one resume scenario in its own process: ``python resume_case.py CASE MODE OUT [CKPT]``.

MODE is ``full`` (train to N steps and save the weights), ``part`` (train to k
steps and save a checkpoint) or ``resume`` (load the checkpoint in this fresh
process, train on to N and save the weights). The test compares ``full``
against ``part`` + ``resume`` with ``torch.equal``.
"""

from __future__ import annotations

import sys

import torch
from torch.utils.data import DataLoader, TensorDataset

from gankit import Trainer
from gankit.augment import AdaptiveAugment, DiffAugment
from gankit.callbacks import EMA
from gankit.data import ImageDataset, RandomCrop
from gankit.losses import NSGAN, WGANGP, R1Penalty
from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator

TOTAL, SPLIT = 12, 5


def build(case: str) -> tuple[Trainer, object]:
    torch.manual_seed(1234)
    data_gen = torch.Generator().manual_seed(99)
    if case == "nsgan":
        G = MLPGenerator(4, (2,), hidden=(16, 16))
        D = MLPDiscriminator((2,), hidden=(16, 16), dropout=0.2)
        data: object = torch.randn(200, 2, generator=data_gen)
        trainer = Trainer(G, D, NSGAN(), seed=7, progress_bar=False, callbacks=[EMA(0.9)])
    elif case == "label_noise":
        # The noisy targets are drawn from the global RNG at every D update.
        G = MLPGenerator(4, (2,), hidden=(16,))
        D = MLPDiscriminator((2,), hidden=(16,))
        data = torch.randn(200, 2, generator=data_gen)
        trainer = Trainer(G, D, NSGAN(label_smoothing=0.1, label_noise=0.05), d_steps=2,
                          seed=7, progress_bar=False)
    elif case == "wgangp":
        G = MLPGenerator(4, (2,), hidden=(16,))
        D = MLPDiscriminator((2,), hidden=(16,), norm_layer=None)
        data = torch.randn(300, 2, generator=data_gen)
        trainer = Trainer(G, D, WGANGP(), d_steps=5, seed=7, progress_bar=False)
    elif case == "conditional":
        G = DCGANGenerator(8, (1, 8, 8), base_channels=4, num_classes=3)
        D = DCGANDiscriminator((1, 8, 8), base_channels=4, num_classes=3)
        x = torch.rand(64, 1, 8, 8, generator=data_gen) * 2 - 1
        labels = torch.randint(0, 3, (64,), generator=data_gen)
        data = (x, labels)
        trainer = Trainer(G, D, NSGAN(), seed=7, progress_bar=False)
    elif case == "random_crop":
        # A fresh random 8x8 crop of each 11x11 image in every batch (the source's generator).
        G = DCGANGenerator(8, (1, 8, 8), base_channels=4)
        D = DCGANDiscriminator((1, 8, 8), base_channels=4)
        x = torch.rand(80, 1, 11, 11, generator=data_gen) * 2 - 1
        data = ImageDataset(x, torch.zeros(80, dtype=torch.int64), ("faces",),
                            transform=RandomCrop(8))
        trainer = Trainer(G, D, NSGAN(), seed=7, progress_bar=False)
    elif case == "loader":
        G = MLPGenerator(4, (2,), hidden=(16,))
        D = MLPDiscriminator((2,), hidden=(16,))
        ds = TensorDataset(torch.randn(56, 2, generator=data_gen))
        # 56 / 8 = 7 batches an epoch: the split at step 5 is mid-epoch (of the second).
        data = DataLoader(ds, batch_size=8, shuffle=True)
        trainer = Trainer(G, D, NSGAN(), seed=7, progress_bar=False)
    elif case == "ada":
        # ADA draws its transforms from the global RNG and moves p every 2 D updates.
        G = DCGANGenerator(8, (1, 8, 8), base_channels=4)
        D = DCGANDiscriminator((1, 8, 8), base_channels=4)
        data = torch.rand(64, 1, 8, 8, generator=data_gen) * 2 - 1
        trainer = Trainer(G, D, NSGAN(), d_steps=2, seed=7, progress_bar=False,
                          augment=AdaptiveAugment(target=0.6, speed_kimg=0.1, interval=2,
                                                  p=0.3))
    elif case == "diffaugment":
        G = DCGANGenerator(8, (1, 8, 8), base_channels=4)
        D = DCGANDiscriminator((1, 8, 8), base_channels=4)
        data = torch.rand(64, 1, 8, 8, generator=data_gen) * 2 - 1
        trainer = Trainer(G, D, NSGAN() + R1Penalty(1.0), seed=7, progress_bar=False,
                          augment=DiffAugment())
    elif case == "lazy_r1":
        # R1 on every 3rd D update: the split at step 5 falls between two of them.
        G = MLPGenerator(4, (2,), hidden=(16,), norm_layer=None)
        D = MLPDiscriminator((2,), hidden=(16,))
        data = torch.randn(200, 2, generator=data_gen)
        trainer = Trainer(G, D, NSGAN() + R1Penalty(1.0, every=3), d_steps=2, seed=7,
                          progress_bar=False)
    elif case == "accumulate":
        # 3 loader batches of 8 per update; 56 / 8 = 7 batches, so updates straddle epochs.
        G = MLPGenerator(4, (2,), hidden=(16,))
        D = MLPDiscriminator((2,), hidden=(16,))
        ds = TensorDataset(torch.randn(56, 2, generator=data_gen))
        data = DataLoader(ds, batch_size=8, shuffle=True)
        trainer = Trainer(G, D, WGANGP(), d_steps=2, accumulate=3, seed=7, progress_bar=False)
    else:
        raise SystemExit(f"unknown case {case}")
    return trainer, data


def weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    out = {f"G.{k}": v for k, v in trainer.generator.state_dict().items()}
    if trainer.augment is not None:
        out.update({f"augment.{k}": v for k, v in trainer.augment.state_dict().items()})
    out.update({f"D.{k}": v for k, v in trainer.discriminator.state_dict().items()})
    if trainer.ema_generator is not None:
        out.update({f"EMA.{k}": v for k, v in trainer.ema_generator.state_dict().items()})
    return out


def main(case: str, mode: str, out: str, ckpt: str | None = None) -> None:
    trainer, data = build(case)
    batch = 32
    if mode == "full":
        trainer.fit(data, steps=TOTAL, batch_size=batch)
        torch.save({"weights": weights(trainer), "epoch": trainer.epoch}, out)
    elif mode == "part":
        trainer.fit(data, steps=SPLIT, batch_size=batch)
        trainer.save_checkpoint(out)
    elif mode == "resume":
        assert ckpt is not None
        trainer.load_checkpoint(ckpt)
        assert trainer.step == SPLIT
        trainer.fit(data, steps=TOTAL, batch_size=batch)
        torch.save({"weights": weights(trainer), "epoch": trainer.epoch}, out)


if __name__ == "__main__":
    main(*sys.argv[1:])
