"""What a checkpoint holds: the trainer's state assembled for saving, and restored from a file.

The layout (format ``gankit-checkpoint-v2``)::

    format, gankit_version, step, epoch
    generator, discriminator      {class, config, state_dict}: rebuildable without the script
    ema_generator                 the EMA weights (read by load_generator), or None
    g_optimizer, d_optimizer, g_scaler, d_scaler
    callbacks                     {state_key: state}
    augment                       the augmentation's state_dict (ADA's p), or None
    rng, data                     every RNG; the position in the data
    trainer                       latent_dim, num_classes, noise, d_steps, world_size, loss,
                                  augment, accumulate
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from torch import nn

from gankit._version import __version__
from gankit.callbacks.base import Callback
from gankit.training._augmented import describe_augment
from gankit.training._resume_checks import model_settings
from gankit.training._step import Player
from gankit.training.checkpoint import CHECKPOINT_FORMAT, CheckpointError

__all__ = [
    "SETTINGS",
    "model_spec",
    "restore_augment",
    "restore_callbacks",
    "restore_players",
    "run_settings",
    "trainer_state",
]

#: The run settings recorded under the checkpoint's ``trainer`` key (beside
#: ``latent_dim`` and ``num_classes``); the models are recorded in full.
SETTINGS: tuple[str, ...] = ("noise", "d_steps", "world_size", "loss", "augment", "accumulate")


def model_spec(model: nn.Module) -> dict[str, Any]:
    """What a checkpoint needs to rebuild ``model`` without the training script."""
    return {**model_settings(model), "state_dict": model.state_dict()}


def run_settings(
    g: Player, d: Player, loss: object, *, d_steps: int, noise: str, world_size: int,
    augment: nn.Module | None = None, accumulate: int = 1,
) -> dict[str, Any]:
    """The settings a resumed run is compared on (``_resume_checks.check_resume``)."""
    return {"generator": model_spec(g.module), "discriminator": model_spec(d.module),
            "loss": repr(loss), "d_steps": d_steps, "noise": noise, "world_size": world_size,
            "augment": describe_augment(augment), "accumulate": accumulate}


def trainer_state(
    *, step: int, epoch: int, g: Player, d: Player, ema: nn.Module | None,
    callbacks: Iterable[Callback], rng: dict[str, Any], data: dict[str, Any] | None,
    run: dict[str, Any], extra: dict[str, Any], augment: nn.Module | None = None,
) -> dict[str, Any]:
    """The checkpoint's dict (see the module docstring).

    ``run`` is :func:`run_settings`' dict: its model specs are the checkpoint's
    ``generator`` and ``discriminator``, and its :data:`SETTINGS` go under
    ``trainer`` with ``extra`` (``latent_dim``, ``num_classes``).
    """
    return {
        "format": CHECKPOINT_FORMAT,
        "gankit_version": __version__,
        "step": step,
        "epoch": epoch,
        "generator": run["generator"],
        "discriminator": run["discriminator"],
        "ema_generator": None if ema is None else ema.state_dict(),
        "g_optimizer": g.optimizer.state_dict(),
        "d_optimizer": d.optimizer.state_dict(),
        "g_scaler": g.scaler.state_dict(),
        "d_scaler": d.scaler.state_dict(),
        "callbacks": {cb.state_key: cb.state_dict() for cb in callbacks},
        "augment": None if augment is None else augment.state_dict(),
        "rng": rng,
        "data": data,
        "trainer": {**extra, **{k: run[k] for k in SETTINGS}},
    }


def restore_players(
    ckpt: Mapping[str, Any], g: Player, d: Player, ema: nn.Module | None, path: str
) -> None:
    """Load the models, the EMA weights, the optimizers and the scalers of ``ckpt``.

    Raises:
        CheckpointError: If a state does not fit these models or optimizers.
    """
    try:
        g.module.load_state_dict(ckpt["generator"]["state_dict"])
        d.module.load_state_dict(ckpt["discriminator"]["state_dict"])
        g.optimizer.load_state_dict(ckpt["g_optimizer"])
        d.optimizer.load_state_dict(ckpt["d_optimizer"])
        if ckpt.get("ema_generator") is not None and ema is not None:
            ema.load_state_dict(ckpt["ema_generator"])
    except (RuntimeError, ValueError, KeyError) as exc:
        raise CheckpointError(
            f"checkpoint {path!r} does not fit this trainer's models or optimizers: {exc}"
        ) from None
    g.scaler.load_state_dict(ckpt["g_scaler"])
    d.scaler.load_state_dict(ckpt["d_scaler"])


def restore_callbacks(ckpt: Mapping[str, Any], callbacks: Iterable[Callback], path: str) -> None:
    """Hand each callback its state from ``ckpt``, found by its ``state_key``.

    Raises:
        CheckpointError: If a callback cannot load its state (naming the callback).
    """
    states = ckpt.get("callbacks", {})
    for cb in callbacks:
        # A renamed callback finds its state under an older name (legacy_state_keys).
        names = [cb.state_key, *getattr(cb, "legacy_state_keys", ())]
        key = next((k for k in names if k in states), None)
        if key is None:
            continue
        try:
            cb.load_state_dict(states[key])
        except Exception as exc:
            raise CheckpointError(
                f"checkpoint {path!r}: callback {type(cb).__name__} (state_key "
                f"{cb.state_key!r}) could not load its state: {type(exc).__name__}: {exc}"
            ) from exc


def restore_augment(ckpt: Mapping[str, Any], augment: nn.Module | None, path: str) -> None:
    """Load the augmentation's state (ADA's ``p``) from ``ckpt``, when both have one.

    Raises:
        CheckpointError: If the state does not fit ``augment``.
    """
    state = ckpt.get("augment")
    if augment is None or not state:
        return
    try:
        augment.load_state_dict(state)
    except (RuntimeError, ValueError, KeyError) as exc:
        raise CheckpointError(
            f"checkpoint {path!r}: the augmentation {type(augment).__name__} could not load "
            f"its state: {exc}"
        ) from None
