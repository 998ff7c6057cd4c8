"""What a callback reads from the trainer: a small protocol, so callbacks need not import it.

:class:`~gankit.Trainer` satisfies :class:`TrainerView`; the callbacks are
typed against this protocol, so ``gankit.callbacks`` never imports
``gankit.training`` (not even for type checking) and the two packages stay
two floors of the house, not one circle.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import Tensor, nn

__all__ = ["TrainerView"]


class TrainerView(Protocol):
    """The trainer as its callbacks see it.

    Attributes:
        step: Completed generator updates.
        epoch: Completed passes over finite data.
        should_stop: Set to ``True`` to end ``fit`` after this step.
        max_steps: The ``steps`` of the running ``fit`` (``None`` if not given).
        max_epochs: The ``epochs`` of the running ``fit``.
        generator: The generator being trained.
        discriminator: The discriminator.
        ema_generator: The EMA copy of the generator (``None`` without EMA).
        device: The trainer's device.
        latent_dim: The width of ``z``.
        num_classes: The generator's classes (``None`` when unconditional).
        is_global_zero: Whether this process writes files (rank 0).
        callback_metrics: Everything logged at this step.
        last_real: The most recent real batch.
    """

    step: int
    should_stop: bool
    max_steps: int | None
    max_epochs: int | None
    ema_generator: nn.Module | None
    device: torch.device
    latent_dim: int
    num_classes: int | None

    @property
    def epoch(self) -> int: ...

    @property
    def generator(self) -> nn.Module: ...

    @property
    def discriminator(self) -> nn.Module: ...

    @property
    def is_global_zero(self) -> bool: ...

    @property
    def callback_metrics(self) -> Any: ...

    @property
    def last_real(self) -> Tensor | None: ...

    def log(self, name: str, value: Tensor | float) -> None:
        """Publish a value for this step's loggers."""

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Latent vectors ``(n, latent_dim)`` from the trainer's prior."""

    def sample(
        self, n: int, labels: Tensor | None = None, *, noise: Tensor | None = None
    ) -> Tensor:
        """``n`` samples in eval mode (EMA weights when on)."""

    def save_checkpoint(self, path: str | os.PathLike[str], *, background: bool = False) -> Path:
        """Write a checkpoint atomically (``background``: on the trainer's writer thread)."""
