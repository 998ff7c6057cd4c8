"""Distributed scenarios, each run as ``python dist_case.py SCENARIO OUT [ARGS]``.

Workers are started with ``torch.multiprocessing.spawn`` (gloo, file-based
rendezvous, one thread each), or by torchrun for the ``fail`` scenario.
"""

from __future__ import annotations

import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gankit import Trainer
from gankit.augment import AdaptiveAugment
from gankit.losses import NSGAN, WGANGP
from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator

B = 8


def build(loss_name: str, world: int) -> tuple[Trainer, torch.Tensor]:
    """``nsgan``, ``wgangp``, or ``accumulate``: WGAN-GP in 2 micro-batches per process."""
    torch.manual_seed(0)
    G = MLPGenerator(3, (2,), hidden=(16, 16), norm_layer=None)
    D = MLPDiscriminator((2,), hidden=(16, 16))
    data = torch.randn(96, 2, generator=torch.Generator().manual_seed(1))
    loss = NSGAN() if loss_name == "nsgan" else WGANGP()
    d_steps = 1 if loss_name == "nsgan" else 5
    accumulate = 2 if loss_name == "accumulate" and world > 1 else 1
    augment = None
    if loss_name == "ada":  # images, and ADA's p moving every D update
        G = DCGANGenerator(3, (1, 8, 8), base_channels=4, norm_layer=None)
        D = DCGANDiscriminator((1, 8, 8), base_channels=4, norm_layer=None)
        data = torch.rand(96, 1, 8, 8, generator=torch.Generator().manual_seed(1)) * 2 - 1
        augment = AdaptiveAugment(speed_kimg=0.05, interval=1, p=0.5)
    trainer = Trainer(G, D, loss, d_steps=d_steps, seed=5, progress_bar=False,
                      distributed=world > 1, accumulate=accumulate, augment=augment)
    return trainer, data


def weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    out = {f"G.{k}": v.clone() for k, v in trainer.generator.state_dict().items()}
    out.update({f"D.{k}": v.clone() for k, v in trainer.discriminator.state_dict().items()})
    if trainer.augment is not None:
        out.update({f"augment.{k}": v.clone() for k, v in trainer.augment.state_dict().items()})
    return out


def worker(rank: int, world: int, init_file: str, task: str, out: str, extra: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank,
                            world_size=world)
    try:
        loss_name, mode = task.split(":")
        trainer, data = build(loss_name, world)
        if mode == "full":
            trainer.fit(data, steps=int(extra), batch_size=B)
        elif mode == "part":
            steps, ckpt = extra.split(",")
            trainer.fit(data, steps=int(steps), batch_size=B)
            if trainer.is_global_zero:
                trainer.save_checkpoint(ckpt)
            dist.barrier()
        elif mode == "resume":
            steps, ckpt = extra.split(",")
            trainer.load_checkpoint(ckpt)
            trainer.fit(data, steps=int(steps), batch_size=B)
        torch.save(weights(trainer), f"{out}.rank{rank}")
        dist.barrier()  # nobody tears the group down while a peer still talks to it
    finally:
        dist.destroy_process_group()


def spawn(world: int, task: str, out: str, extra: str) -> None:
    init_file = f"{out}.init"
    if os.path.exists(init_file):
        os.remove(init_file)
    mp.spawn(worker, args=(world, init_file, task, out, extra), nprocs=world, join=True)


def single(task: str, out: str, steps: int) -> None:
    """One process, global batch 2B (4B for ``accumulate``): the reference for two processes."""
    torch.set_num_threads(1)
    loss_name = task.split(":")[0]
    trainer, data = build(loss_name, 1)
    torch.save(weights(trainer), f"{out}.start")
    trainer.fit(data, steps=steps, batch_size=(4 if loss_name == "accumulate" else 2) * B)
    torch.save(weights(trainer), out)


def fail() -> None:
    """Launched by torchrun: rank 1 raises at step 3 while rank 0 trains on."""
    torch.set_num_threads(1)
    from gankit.callbacks import Callback

    class Boom(Callback):
        def on_step_end(self, trainer: Trainer, metrics: object) -> None:
            if trainer.dist.rank == 1 and trainer.step == 3:
                raise RuntimeError("boom on rank 1 at step 3")

    torch.manual_seed(0)
    G = MLPGenerator(3, (2,), hidden=(8,), norm_layer=None)
    D = MLPDiscriminator((2,), hidden=(8,))
    trainer = Trainer(G, D, NSGAN(), seed=0, progress_bar=False, distributed=True,
                      callbacks=[Boom()])
    trainer.fit(torch.randn(64, 2), steps=10_000, batch_size=4)


if __name__ == "__main__":
    scenario = sys.argv[1]
    if scenario == "fail":
        fail()
    elif scenario == "single":
        single(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        spawn(int(scenario), sys.argv[2], sys.argv[3], sys.argv[4])
