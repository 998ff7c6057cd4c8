"""The hand-off of real data to the step: batches checked, sharded and on the device.

A :class:`DataFeed` wraps whatever :meth:`~gankit.Trainer.fit` was given in a
data source (``_sources``), keeps the position in the data across a
checkpoint, and serves each discriminator update its real batch.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from gankit.training._batch_checks import check_batch
from gankit.training._distributed import DistContext, distributed_loader, shard
from gankit.training._make_source import make_source
from gankit.training._rng import set_rng_state
from gankit.training._sources import DataSource, LoaderSource, SamplerSource

__all__ = ["DataFeed"]


class DataFeed:
    """Real batches for the trainer, with the data position saved in checkpoints.

    Args:
        device: Where batches go.
        dist: The process group; each process keeps its block of the global batch.
        num_classes: The generator's classes, or ``None`` (labels are dropped).
        channels_last: Put 4-D image batches in channels-last memory format.
        accumulate: Micro-batches per update: each update is served
            ``accumulate · batch_size`` samples (``accumulate`` batches of a
            ``DataLoader``, concatenated), which the step splits again.

    Attributes:
        last_real: The most recent real batch, ``(B, *S)`` on the device.
    """

    def __init__(
        self, device: torch.device, dist: DistContext, num_classes: int | None,
        channels_last: bool, *, accumulate: int = 1,
    ) -> None:
        self.device, self.dist, self.accumulate = device, dist, accumulate
        self.num_classes, self.channels_last = num_classes, channels_last
        self.last_real: Tensor | None = None
        self.source: DataSource | None = None
        self._data: object = None
        self._check = True
        self._user_loader = False  # the user's DataLoader sets the micro-batch size
        self._epoch = 0
        self._pending_state: dict[str, Any] | None = None
        self._pending_rng: dict[str, Any] | None = None

    @property
    def epoch(self) -> int:
        """Completed passes over the data (0 for infinite samplers)."""
        return self._epoch if self.source is None else self.source.completed_epochs

    @property
    def infinite(self) -> bool:
        """Whether the data is a sampler (no epochs)."""
        return isinstance(self.source, SamplerSource)

    def state_dict(self) -> dict[str, Any] | None:
        """The position in the data, or ``None`` before the first :meth:`attach`."""
        return None if self.source is None else self.source.state_dict()

    def restore(self, epoch: int, state: dict[str, Any] | None, rng: dict[str, Any]) -> None:
        """Take a checkpoint's position, applied when the next :meth:`attach` makes the source."""
        self._epoch, self._pending_state, self._pending_rng = epoch, state, rng
        self.source, self._data = None, None

    def attach(self, data: Any, batch_size: int) -> None:
        """Serve ``data`` (unchanged data keeps its source and position).

        Raises:
            TypeError: If a distributed run is given a ``Dataset`` instead of a ``DataLoader``.
        """
        if self.source is not None and self._data is data:
            return
        try:
            source = self._make_source(data, batch_size)
        except ValueError as exc:
            if self.accumulate == 1:
                raise
            raise ValueError(
                f"{exc}: batch_size={batch_size} x accumulate={self.accumulate} per update"
            ) from None
        if self._pending_state is not None:
            source.load_state_dict(self._pending_state)
            self._pending_state = None
        else:
            source.completed_epochs = self.epoch
        if self._pending_rng is not None:
            set_rng_state(self._pending_rng)  # making the source drew from the global RNG
            self._pending_rng = None
        self.source, self._data = source, data
        self._user_loader = isinstance(data, torch.utils.data.DataLoader)
        self._check = not getattr(source, "prechecked", False)

    def _make_source(self, data: Any, batch_size: int) -> DataSource:
        if isinstance(data, torch.utils.data.Dataset) and self.dist.enabled:
            raise TypeError(
                "distributed fit() takes a DataLoader, a tensor or a sampler; wrap the "
                "Dataset in a DataLoader, which each process then shards"
            )
        if not self.dist.enabled:
            if isinstance(data, torch.utils.data.DataLoader):
                return make_source(data, batch_size)
            return make_source(data, batch_size * self.accumulate, self.device)
        if isinstance(data, torch.utils.data.DataLoader):
            return LoaderSource(distributed_loader(data, self.dist))
        # Tensors and samplers serve the global batch; each process keeps its block.
        return make_source(data, batch_size * self.accumulate * self.dist.world_size,
                           self.device)

    def _next_raw(self) -> tuple[Tensor, Tensor | None]:
        """One update's batch from the source: ``accumulate`` loader batches, concatenated."""
        assert self.source is not None
        if self.accumulate == 1 or not self._user_loader:
            return self.source.next()
        parts = [self.source.next() for _ in range(self.accumulate)]
        xs = torch.cat([x for x, _ in parts])
        if any(y is None for _, y in parts):
            return xs, None
        return xs, torch.cat([y for _, y in parts])  # type: ignore[misc]

    def next(self, *, step: int, update: int, d_steps: int) -> tuple[Tensor, Tensor | None]:
        """The real batch ``(B, *S)`` and labels ``(B,)`` (or ``None``) of one D update.

        Raises:
            DataError: If the batch is not floating point or not finite.
            ValueError: If a conditional generator gets data without labels.
        """
        assert self.source is not None
        x, labels = self._next_raw()
        if self._check:
            check_batch(x, step=step, update=update, d_steps=d_steps)
        if self.dist.enabled and not isinstance(self.source, LoaderSource):
            x, labels = shard(x, self.dist), shard(labels, self.dist)  # type: ignore[assignment]
        x = x.to(self.device, non_blocking=True)
        if self.channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        if labels is not None:
            labels = labels.to(self.device, non_blocking=True)
        if self.num_classes is None:
            labels = None
        elif labels is None:
            raise ValueError(
                f"the generator is conditional (num_classes={self.num_classes}) but the "
                "data has no labels; give (x, labels) data"
            )
        self.last_real = x
        return x, labels
