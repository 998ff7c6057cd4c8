"""The trainer's setup: argument checks, the device, the process group, the models' placement.

Everything here runs once, in :class:`~gankit.Trainer`'s constructor, before
the first step; nothing here is part of the update maths (``_step.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from gankit.losses.base import Loss
from gankit.models.latent_prior import LatentPrior, latent_prior
from gankit.training._distributed import DistContext, broadcast_module_, init_distributed
from gankit.training._rng import seed_everything
from gankit.training._step import AdversarialStep, Player, Precision

__all__ = [
    "OptimizerFactory",
    "Setup",
    "agree_on_seed",
    "agreed_prior",
    "check_fit_args",
    "check_sample_args",
    "check_trainer_args",
    "make_player",
    "place_models",
    "resolve_device",
]

#: Builds an optimizer for a list of parameters, e.g. ``lambda p: torch.optim.SGD(p, lr=0.1)``.
OptimizerFactory = Callable[[list[nn.Parameter]], torch.optim.Optimizer]

PRECISIONS = ("fp32", "bf16", "fp16")


def check_trainer_args(
    generator: object, discriminator: object, loss: object, *, d_steps: object,
    precision: object, grad_clip: object, augment: object = None, accumulate: object = 1,
) -> int:
    """Check the trainer's arguments; return the generator's ``latent_dim``.

    Raises:
        TypeError: If a model is not an ``nn.Module`` or ``loss`` not a ``Loss``.
        ValueError: If the generator has no positive int ``latent_dim``, or
            ``d_steps``, ``precision``, ``grad_clip`` or ``accumulate`` is out of range.
        TypeError: If ``augment`` is neither ``None`` nor an ``nn.Module``.
    """
    if not isinstance(generator, nn.Module) or not isinstance(discriminator, nn.Module):
        raise TypeError(
            "generator and discriminator must be nn.Modules, got "
            f"{type(generator).__name__} and {type(discriminator).__name__}"
        )
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a gankit.losses.Loss, got {type(loss).__name__}")
    latent_dim = getattr(generator, "latent_dim", None)
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(
            "the generator needs an int attribute latent_dim (the width of z), "
            f"got {latent_dim!r}"
        )
    if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
        raise ValueError(f"d_steps must be a positive int, got {d_steps!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be 'fp32', 'bf16' or 'fp16', got {precision!r}")
    if grad_clip is not None and not grad_clip > 0:  # type: ignore[operator]
        raise ValueError(f"grad_clip must be a positive number or None, got {grad_clip!r}")
    if augment is not None and not isinstance(augment, nn.Module):
        raise TypeError(
            "augment must be None or an nn.Module mapping a batch to a batch of the same "
            f"shape (e.g. gankit.augment.DiffAugment()), got {type(augment).__name__}"
        )
    if isinstance(accumulate, bool) or not isinstance(accumulate, int) or accumulate < 1:
        raise ValueError(f"accumulate must be a positive int, got {accumulate!r}")
    return latent_dim


def check_fit_args(steps: object, epochs: object) -> None:
    """``steps`` and ``epochs`` are non-negative ints or ``None``, not both ``None``."""
    for name, value in (("steps", steps), ("epochs", epochs)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    if steps is None and epochs is None:
        raise ValueError("fit() needs steps=N or epochs=N (both count from the start)")


def check_sample_args(n: object, noise: Tensor | None, labels: Tensor | None, dim: int) -> None:
    """``n`` is a positive int; ``noise`` is ``(n, dim)`` and ``labels`` ``(n,)`` when given."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"sample(n) needs a positive int n, got {n!r}")
    if noise is not None and tuple(noise.shape) != (n, dim):
        raise ValueError(f"noise must have shape ({n}, {dim}), got {tuple(noise.shape)}")
    if labels is not None and tuple(labels.shape) != (n,):
        raise ValueError(f"labels must have shape ({n},), got {tuple(labels.shape)}")


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` (CUDA when available, else CPU) or any torch device."""
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto' or a torch device, got {device!r}") from exc


def agree_on_seed(seed: int | None, dist: DistContext) -> int | None:
    """``seed``, or in a distributed run without one, a seed that rank 0 draws for all."""
    if not dist.enabled or seed is not None:
        return seed
    shared = torch.randint(0, 2**31 - 1, (1,), dtype=torch.int64)
    torch.distributed.broadcast(shared, src=0)
    return int(shared)


def place_models(
    models: tuple[nn.Module, nn.Module], device: torch.device, dist: DistContext, *,
    sync_batchnorm: bool, channels_last: bool,
) -> tuple[nn.Module, nn.Module]:
    """Convert BatchNorm to SyncBatchNorm if asked, move to ``device``, agree on weights.

    Raises:
        ValueError: If ``sync_batchnorm`` is asked for off CUDA.
    """
    if sync_batchnorm:
        if device.type != "cuda":
            raise ValueError("sync_batchnorm=True needs CUDA; on the CPU BatchNorm is per process")
        models = tuple(nn.SyncBatchNorm.convert_sync_batchnorm(m) for m in models)
    placed = []
    for model in models:
        model = model.to(device)
        if channels_last:  # only 4-D (convolution) weights change layout
            model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        if dist.enabled:
            broadcast_module_(model)
        placed.append(model)
    return placed[0], placed[1]


def _default_optimizer(params: list[nn.Parameter]) -> torch.optim.Optimizer:
    return torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))


def make_player(
    model: nn.Module, spec: Any, name: str, *, device_type: str, fp16: bool
) -> Player:
    """The model with its trainable parameters, its optimizer (built from ``spec``) and scaler.

    Args:
        model: The generator or the discriminator.
        spec: An optimizer over the model's parameters, a factory
            ``params -> optimizer``, or ``None`` for Adam(lr=2e-4, betas=(0.5, 0.999)).
        name: ``"g_optimizer"`` or ``"d_optimizer"``, for errors.
        device_type: The device type of the grad scaler.
        fp16: Whether the scaler is enabled.

    Raises:
        ValueError: If the model has no trainable parameters, or the optimizer
            none of them.
        TypeError: If ``spec`` is neither, or the factory returns no optimizer.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"{name}: the model has no trainable parameters")
    if spec is None:
        optimizer = _default_optimizer(params)
    elif isinstance(spec, torch.optim.Optimizer):
        owned = {id(p) for group in spec.param_groups for p in group["params"]}
        if not owned & {id(p) for p in params}:
            raise ValueError(f"{name} does not optimise any parameter of its model")
        optimizer = spec
    elif callable(spec):
        optimizer = spec(params)
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"{name} factory must return an Optimizer, got {type(optimizer).__name__}"
            )
    else:
        raise TypeError(
            f"{name} must be an Optimizer, a factory or None, got {type(spec).__name__}"
        )
    scaler = torch.amp.GradScaler(device_type, enabled=fp16)
    return Player(model, params, optimizer, scaler)


def agreed_prior(noise: str | LatentPrior, generator: object) -> LatentPrior:
    """The trainer's prior, checked against the one the generator declares, if any."""
    prior = latent_prior(noise)
    expected = getattr(generator, "latent_prior", None)
    if isinstance(expected, LatentPrior) and expected != prior:
        raise ValueError(
            f"the generator expects {expected.name} latent noise (its latent_prior is "
            f"{expected!r}, e.g. a learned latent mixture), got noise={noise!r}"
        )
    return prior


@dataclass
class Setup:
    """What the trainer's constructor assembles: see :func:`setup`."""

    latent_dim: int
    prior: LatentPrior
    device: torch.device
    dist: DistContext
    g: Player
    d: Player
    algorithm: AdversarialStep


def setup(
    generator: nn.Module, discriminator: nn.Module, loss: Loss, *, g_optimizer: Any,
    d_optimizer: Any, d_steps: int, device: str | torch.device, seed: int | None,
    noise: str | LatentPrior, precision: Precision, grad_clip: float | None, compile: bool,
    distributed: bool | None, sync_batchnorm: bool, channels_last: bool,
    augment: nn.Module | None = None, accumulate: int = 1,
) -> Setup:
    """Check the arguments, join the process group, seed, place the models, build the players.

    In this order: the arguments and the latent prior are checked; the device
    and the process group are resolved; every RNG is seeded (one seed agreed
    by all processes); the models are converted, moved and broadcast; then the
    optimizers, the grad scalers and the step are built.
    """
    latent_dim = check_trainer_args(
        generator, discriminator, loss, d_steps=d_steps, precision=precision,
        grad_clip=grad_clip, augment=augment, accumulate=accumulate,
    )
    prior = agreed_prior(noise, generator)
    where = resolve_device(device)
    if precision == "fp16" and where.type != "cuda":
        raise ValueError("precision='fp16' needs a CUDA device; use 'bf16' on the CPU")
    dist = init_distributed(distributed, where)
    seed = agree_on_seed(seed, dist)  # every process draws the same numbers
    if seed is not None:
        seed_everything(seed)
    generator, discriminator = place_models(
        (generator, discriminator), where, dist,
        sync_batchnorm=sync_batchnorm, channels_last=channels_last,
    )
    if augment is not None:
        augment = augment.to(where)
    fp16 = precision == "fp16"
    g = make_player(generator, g_optimizer, "g_optimizer", device_type=where.type, fp16=fp16)
    d = make_player(discriminator, d_optimizer, "d_optimizer", device_type=where.type, fp16=fp16)

    def noise_fn(n: int) -> Tensor:
        return prior.sample(n, latent_dim, device=where)

    algorithm = AdversarialStep(
        loss, d_steps=d_steps, precision=precision, device_type=where.type,
        grad_clip=grad_clip, dist=dist, noise=noise_fn, compile=compile, augment=augment,
        accumulate=accumulate,
    )
    return Setup(latent_dim, prior, where, dist, g, d, algorithm)
