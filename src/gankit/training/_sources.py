"""Data sources for the trainer: tensors, DataLoaders and infinite samplers.

Each source serves ``(x, labels)`` batches, counts completed passes over the
data, and can save and restore its exact position so that a resumed run sees
the very batches an uninterrupted run would have seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import torch
from torch import Tensor
from torch.utils.data import DataLoader

from gankit.data.transforms import BatchTransform

__all__ = ["DataSource", "LoaderSource", "SamplerSource", "TensorSource", "fits_on_device"]

Batch = tuple[Tensor, "Tensor | None"]


class DataSource(Protocol):
    """What the trainer needs from its data."""

    data: object
    completed_epochs: int
    has_labels: bool

    def next(self) -> Batch:
        """Return the next ``(x, labels)`` batch; labels may be ``None``."""
        ...

    def state_dict(self) -> dict[str, Any]:
        """Return the position in the data."""
        ...

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the position returned by :meth:`state_dict`."""
        ...


class TensorSource:
    """Shuffled mini-batches of an in-memory tensor, reshuffled every epoch.

    The permutation is drawn from the source's own generator, seeded from the
    global torch RNG when the source is made, so the trainer's seed fixes it.
    The last incomplete batch of an epoch is dropped. A ``transform`` (an image
    data set's :class:`~gankit.data.RandomCrop`) is applied to every batch with
    a second generator of the source's, seeded the same way and saved with the
    position, so augmented batches are reproducible and resume exactly.

    Given a ``device`` where the data fits (:func:`fits_on_device`), the data
    is copied there once and every batch is indexed there: no DataLoader, no
    collate, no copy per batch. The permutation is still drawn on the CPU, so
    the order of the batches is the same on every device.
    """

    kind = "tensor"
    #: Whether ``make_source`` checked the whole data up front (no per-batch checks).
    prechecked = True

    def __init__(
        self, x: Tensor, labels: Tensor | None, batch_size: int,
        transform: BatchTransform | None = None, *, device: torch.device | None = None,
    ) -> None:
        self._size = int(x.shape[0])
        if batch_size > self._size:
            raise ValueError(
                f"batch_size={batch_size} is larger than the data set ({self._size} samples)"
            )
        self.data: object = x
        if device is not None and x.device != device and fits_on_device(x, labels, device):
            x = x.to(device)
            labels = None if labels is None else labels.to(device)
        self.x = x
        self.labels = labels
        self.has_labels = labels is not None
        self.batch_size = batch_size
        self.completed_epochs = 0
        self._gen = torch.Generator()
        self._gen.manual_seed(int(torch.randint(0, 2**62, (), dtype=torch.int64)))
        self.transform = transform
        self._transform_gen: torch.Generator | None = None
        if transform is not None:  # no extra global draw for data without a transform
            self._transform_gen = torch.Generator()
            self._transform_gen.manual_seed(int(torch.randint(0, 2**62, (), dtype=torch.int64)))
        self._epoch_state = self._gen.get_state()
        self._perm: Tensor | None = None
        self._index = 0
        self._per_epoch = self._size // batch_size

    def _start_epoch(self) -> None:
        self._epoch_state = self._gen.get_state()
        self._perm = torch.randperm(self._size, generator=self._gen).to(self.x.device)
        self._index = 0

    def _take(self, idx: Tensor) -> Batch:
        """The samples at ``idx`` (and their labels)."""
        return self.x[idx], None if self.labels is None else self.labels[idx]

    def next(self) -> Batch:
        if self._perm is None or self._index >= self._per_epoch:
            self._start_epoch()
        assert self._perm is not None
        idx = self._perm[self._index * self.batch_size : (self._index + 1) * self.batch_size]
        self._index += 1
        if self._index >= self._per_epoch:
            self.completed_epochs += 1
        x, labels = self._take(idx)
        if self.transform is not None:
            x = self.transform(x, generator=self._transform_gen)
        return x, labels

    def state_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "size": self._size,
            "batch_size": self.batch_size,
            "completed_epochs": self.completed_epochs,
            "index": self._index,
            "started": self._perm is not None,
            "epoch_state": self._epoch_state,
            "gen_state": self._gen.get_state(),
            **({} if self._transform_gen is None
               else {"transform_state": self._transform_gen.get_state()}),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        _check_kind(state, self.kind, size=self._size, batch_size=self.batch_size)
        saved = "transform_state" in state
        if saved != (self._transform_gen is not None):
            raise ValueError(
                "the checkpoint's data was "
                f"{'augmented by a transform' if saved else 'not augmented'} but fit() was "
                f"given data {'without' if saved else f'with the transform {self.transform!r}'}"
                "; resume with the same data"
            )
        self.completed_epochs = int(state["completed_epochs"])
        if state["started"]:
            self._gen.set_state(state["epoch_state"])
            self._start_epoch()
            self._index = int(state["index"])
        self._gen.set_state(state["gen_state"])
        if self._transform_gen is not None:
            self._transform_gen.set_state(state["transform_state"])


def fits_on_device(x: Tensor, labels: Tensor | None, device: torch.device,
                   share: float = 0.25) -> bool:
    """Whether ``x`` (and ``labels``) take at most ``share`` of the device's free memory.

    Always true for the CPU (the data is there already); for CUDA the free
    memory is asked of the driver; other devices keep their data on the CPU.
    """
    if device.type == "cpu":
        return True
    if device.type != "cuda":
        return False
    size = x.numel() * x.element_size() + (
        0 if labels is None else labels.numel() * labels.element_size())
    free, _ = torch.cuda.mem_get_info(device)
    return size <= share * free


class LoaderSource:
    """Batches of a ``DataLoader``; an exhausted loader starts the next epoch.

    To resume mid-epoch, the global torch RNG state at the start of the epoch is
    kept: restoring it before ``iter(loader)`` reproduces the shuffle (and worker
    seeds), and the batches already seen are skipped.
    """

    def __init__(self, loader: DataLoader[Any]) -> None:
        self.data: object = loader
        self.loader = loader
        self.completed_epochs = 0
        self._iter: Iterator[Any] | None = None
        self._index = 0
        self._epoch_state = torch.get_rng_state()
        try:
            self._len: int | None = len(loader)
        except TypeError:
            self._len = None
        if self._len == 0:
            raise ValueError("the DataLoader is empty: it yields no batch")
        self.has_labels = False

    def _start_epoch(self) -> None:
        sampler: Any = getattr(self.loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(self.completed_epochs)
        self._epoch_state = torch.get_rng_state()
        self._iter = iter(self.loader)
        self._index = 0

    def _fetch(self) -> Any:
        assert self._iter is not None
        return next(self._iter)

    def next(self) -> Batch:
        if self._iter is None or (self._len is not None and self._index >= self._len):
            self._start_epoch()
        try:
            item = self._fetch()
        except StopIteration:
            if self._len is None and self._index > 0:
                self.completed_epochs += 1
            self._start_epoch()
            try:
                item = self._fetch()
            except StopIteration:
                raise ValueError("the DataLoader is empty: it yields no batch") from None
        self._index += 1
        if self._len is not None and self._index >= self._len:
            self.completed_epochs += 1
        return self._split(item)

    def _split(self, item: Any) -> Batch:
        if isinstance(item, Tensor):
            return item, None
        if isinstance(item, (tuple, list)) and len(item) in (1, 2) and all(
            isinstance(t, Tensor) for t in item
        ):
            if len(item) == 1:
                return item[0], None
            self.has_labels = True
            return item[0], item[1]
        raise TypeError(
            "a DataLoader for the trainer must yield tensors or (x, labels) pairs of "
            f"tensors, got {type(item).__name__}"
        )

    def state_dict(self) -> dict[str, Any]:
        return {
            "kind": "loader",
            "len": -1 if self._len is None else self._len,
            "completed_epochs": self.completed_epochs,
            "index": self._index,
            "started": self._iter is not None,
            "epoch_state": self._epoch_state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        _check_kind(state, "loader", len=-1 if self._len is None else self._len)
        self.completed_epochs = int(state["completed_epochs"])
        if not state["started"]:
            return
        index = int(state["index"])
        if self._len is not None and index >= self._len:
            self._iter = None  # the epoch was finished: next() starts a fresh one
            return
        current = torch.get_rng_state()
        torch.set_rng_state(state["epoch_state"])
        sampler: Any = getattr(self.loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(self.completed_epochs)
        self._epoch_state = torch.get_rng_state()
        self._iter = iter(self.loader)
        for _ in range(index):
            self._fetch()
        self._index = index
        torch.set_rng_state(current)


class SamplerSource:
    """An infinite sampler with ``.sample(n, generator=...)``, e.g. :func:`gankit.data.ring`.

    Draws come from the source's own generator, seeded from the global torch
    RNG when the source is made. ``completed_epochs`` stays 0.
    """

    def __init__(self, sampler: Any, batch_size: int) -> None:
        self.data: object = sampler
        self.sampler = sampler
        self.batch_size = batch_size
        self.completed_epochs = 0
        self.has_labels = False
        self._gen = torch.Generator()
        self._gen.manual_seed(int(torch.randint(0, 2**62, (), dtype=torch.int64)))

    def next(self) -> Batch:
        out = self.sampler.sample(self.batch_size, generator=self._gen)
        if isinstance(out, tuple):
            self.has_labels = True
            return out[0], out[1]
        return out, None

    def state_dict(self) -> dict[str, Any]:
        return {"kind": "sampler", "gen_state": self._gen.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        _check_kind(state, "sampler")
        self._gen.set_state(state["gen_state"])


def _check_kind(state: dict[str, Any], kind: str, **expected: int) -> None:
    if state.get("kind") != kind:
        raise ValueError(
            f"the checkpoint's data position is for {state.get('kind')!r} data, but fit() "
            f"was given {kind!r} data; resume with the same kind of data"
        )
    for key, value in expected.items():
        if int(state[key]) != value:
            raise ValueError(
                f"the checkpoint's data has {key}={int(state[key])} but fit() was given "
                f"data with {key}={value}; resume with the same data and batch size"
            )
