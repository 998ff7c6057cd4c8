"""A small stand-in for gankit.Trainer, so the callback tests do not need the real one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from gankit.callbacks import Callback
from gankit.callbacks._metrics import LoggedMetrics


class FakeTrainer:
    """The attributes and methods the callbacks may use, with plain behaviour."""

    def __init__(
        self,
        generator: nn.Module | None = None,
        *,
        latent_dim: int = 4,
        num_classes: int | None = None,
        last_real: Tensor | None = None,
        callbacks: Sequence[Callback] = (),
    ) -> None:
        self.generator = generator if generator is not None else nn.Linear(latent_dim, 2)
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.last_real = last_real
        self.callbacks = list(callbacks)
        self.device = torch.device("cpu")
        self.step = 0
        self.epoch = 0
        self.max_steps: int | None = None
        self.should_stop = False
        self.ema_generator: nn.Module | None = None
        self.saves: list[Path] = []
        self.callback_metrics = LoggedMetrics()

    def log(self, name: str, value: Tensor | float) -> None:
        self.callback_metrics.log(name, value)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return torch.randn(n, self.latent_dim, device=self.device, generator=generator)

    @torch.no_grad()
    def sample(
        self, n: int, labels: Tensor | None = None, *, noise: Tensor | None = None
    ) -> Tensor:
        model = self.ema_generator if self.ema_generator is not None else self.generator
        noise = self.sample_noise(n) if noise is None else noise
        return model(noise) if labels is None else model(noise, labels)

    def state_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "generator": self.generator.state_dict(),
            "callbacks": {cb.state_key: cb.state_dict() for cb in self.callbacks},
        }

    def save_checkpoint(self, path: str | os.PathLike[str]) -> Path:
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            torch.save(self.state_dict(), f)
        os.replace(tmp, path)
        self.saves.append(path)
        return path


@pytest.fixture
def make_trainer() -> Callable[..., FakeTrainer]:
    torch.manual_seed(0)
    return FakeTrainer

