"""Data-parallel training on ``torch.distributed``: the trainer's few collective operations.

The mechanism is an explicit all-reduce of gradients after each backward pass,
as StyleGAN2 does, rather than a ``DistributedDataParallel`` wrapper. The
trainer computes gradients with ``torch.autograd.grad`` (so the discriminator
gets none from the generator's update), and a gradient penalty differentiates
``D`` with ``create_graph=True``: DDP's backward hooks see neither. One
all-reduce of one flat buffer per update averages every loss term's gradient,
penalties included, across processes.

Randomness is global: every process holds the same RNG state, draws the noise,
the shuffle and the penalty's mixing weights for the *whole* global batch, and
keeps its own contiguous block. So ``P`` processes with batch ``B`` compute
exactly the step of one process with batch ``P·B``, and one RNG state
describes every process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler

__all__ = [
    "DistContext",
    "agree_on_stop",
    "all_reduce_mean_",
    "average_buffers_",
    "broadcast_module_",
    "distributed_loader",
    "gather",
    "init_distributed",
    "shard",
]


@dataclass(frozen=True)
class DistContext:
    """Where this process stands in the job.

    Attributes:
        rank: This process's rank, ``0`` when not distributed.
        world_size: The number of processes, ``1`` when not distributed.
    """

    rank: int = 0
    world_size: int = 1

    @property
    def enabled(self) -> bool:
        """Whether there is more than one process."""
        return self.world_size > 1


def init_distributed(distributed: bool | None, device: torch.device) -> DistContext:
    """Join (or detect) the process group.

    Args:
        distributed: ``None`` uses an already initialised process group if there
            is one; ``True`` also initialises one from torchrun's environment
            variables (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``...); ``False``
            trains in this process alone.
        device: The training device: NCCL is used on CUDA, gloo on the CPU.

    Raises:
        RuntimeError: If ``distributed=True`` but no process group exists and the
            torchrun environment variables are missing.
    """
    if distributed is False or not dist.is_available():
        if distributed:
            raise RuntimeError("torch.distributed is not available in this build of torch")
        return DistContext()
    if not dist.is_initialized():
        if not distributed:
            return DistContext()
        missing = [k for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
                   if k not in os.environ]
        if missing:
            raise RuntimeError(
                "distributed=True needs a process group or torchrun's environment; "
                f"missing {missing}. Launch with `torchrun --nproc_per_node=N ...`"
            )
        backend = "nccl" if device.type == "cuda" else "gloo"
        timeout = timedelta(seconds=float(os.environ.get("GANKIT_DIST_TIMEOUT", "300")))
        dist.init_process_group(backend=backend, timeout=timeout)
    return DistContext(rank=dist.get_rank(), world_size=dist.get_world_size())


def broadcast_module_(module: nn.Module) -> None:
    """Copy rank 0's parameters and buffers to every process, in place."""
    tensors = [t.data for t in module.parameters()] + [b.data for b in module.buffers()]
    for t in tensors:
        dist.broadcast(t, src=0)


def all_reduce_mean_(tensors: list[Tensor], world_size: int) -> None:
    """Average ``tensors`` across processes in place, with one flat all-reduce.

    Shape:
        - tensors: any shapes, one dtype and device.
    """
    if not tensors:
        return
    flat = torch.cat([t.reshape(-1) for t in tensors])
    dist.all_reduce(flat)
    flat.div_(world_size)
    offset = 0
    for t in tensors:
        n = t.numel()
        t.copy_(flat[offset : offset + n].view_as(t))
        offset += n


def average_buffers_(module: nn.Module, world_size: int) -> None:
    """Average the floating-point buffers (BatchNorm running statistics) across processes.

    BatchNorm normalises each process's batch with that batch's own statistics
    (use SyncBatchNorm on CUDA for global statistics); the running estimates
    are averaged after every step so that all processes keep identical models.
    """
    buffers = [b for b in module.buffers() if b.is_floating_point()]
    all_reduce_mean_(buffers, world_size)


def gather(t: Tensor, ctx: DistContext) -> Tensor:
    """Every process's ``t`` concatenated in rank order: the global batch's values.

    Shape:
        - t: ``(B, *S)`` on each process; output: ``(P·B, *S)``.
    """
    if not ctx.enabled:
        return t
    parts = [torch.empty_like(t) for _ in range(ctx.world_size)]
    torch.distributed.all_gather(parts, t.contiguous())
    return torch.cat(parts)


def shard(t: Tensor | None, ctx: DistContext) -> Tensor | None:
    """This process's contiguous block of a global batch.

    Shape:
        - t: ``(P·B, *S)``; output: ``(B, *S)``.
    """
    if t is None or not ctx.enabled:
        return t
    n = t.shape[0] // ctx.world_size
    return t[ctx.rank * n : (ctx.rank + 1) * n]


def distributed_loader(loader: DataLoader[Any], ctx: DistContext) -> DataLoader[Any]:
    """Rebuild ``loader`` with a ``DistributedSampler`` over its data set.

    Each process reads ``1/P`` of every epoch; the sampler shuffles when the
    original loader did, with a seed drawn from the (shared) global RNG, and
    the trainer sets its epoch at the start of every pass.
    """
    if isinstance(loader.sampler, DistributedSampler):
        return loader
    shuffle = isinstance(loader.sampler, RandomSampler)
    seed = int(torch.randint(0, 2**31 - 1, ()))
    sampler: DistributedSampler[Any] = DistributedSampler(
        loader.dataset,
        num_replicas=ctx.world_size,
        rank=ctx.rank,
        shuffle=shuffle,
        seed=seed,
        drop_last=loader.drop_last,
    )
    return DataLoader(
        loader.dataset,
        batch_size=loader.batch_size,
        sampler=sampler,
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory,
        drop_last=loader.drop_last,
        worker_init_fn=loader.worker_init_fn,
        persistent_workers=loader.persistent_workers if loader.num_workers > 0 else False,
    )


def agree_on_stop(
    ctx: DistContext, should_stop: bool, signum: int | None, device: torch.device
) -> tuple[bool, int | None]:
    """Whether to stop, and the interrupting signal, agreed by every process (the maximum)."""
    if not ctx.enabled:
        return should_stop, signum
    flag = torch.tensor([float(should_stop), float(signum or 0)], device=device)
    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
    return bool(flag[0].item()), int(flag[1].item()) or None
