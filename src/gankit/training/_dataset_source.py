"""Shuffled mini-batches of a map-style ``torch.utils.data.Dataset``, resumable exactly.

``fit(dataset)`` batches any data set with ``__len__`` and ``__getitem__``
whose items are tensors or ``(x, label)`` pairs, as a tensor is batched: a
permutation per epoch from the source's own generator (seeded from torch's
global RNG when the source is made), the last incomplete batch dropped, and
items collated with ``torch.utils.data.default_collate``. Its position is the
permutation's generator state and an index, so resuming skips nothing and
loads no item twice.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Dataset, default_collate

from gankit.training._sources import Batch, TensorSource

__all__ = ["DatasetSource"]


def _describe(item: Any) -> str:
    if isinstance(item, (tuple, list)):
        return f"a {type(item).__name__} of " + ", ".join(type(v).__name__ for v in item)
    return f"a {type(item).__name__}"


class DatasetSource(TensorSource):
    """Batches of a map-style data set, reshuffled every epoch.

    Args:
        dataset: Items ``x`` (a tensor) or ``(x, label)`` (a tensor and an int
            or a 0-d tensor); a 1-tuple ``(x,)`` counts as ``x``
            (``TensorDataset(x)`` yields those).
        batch_size: Samples per batch.

    Raises:
        TypeError: If the first item is not of one of these forms.
        ValueError: If the data set is empty or smaller than ``batch_size``.
    """

    kind = "dataset"
    prechecked = False  # items are made on demand: each batch is checked

    def __init__(self, dataset: Dataset[Any], batch_size: int) -> None:
        size = len(dataset)  # type: ignore[arg-type]
        if size == 0:
            raise ValueError(f"the data set {type(dataset).__name__} is empty")
        first = dataset[0]
        self._pairs = self._check_item(first, dataset)
        self.dataset = dataset
        # A (size, 0) tensor holds no data: it only gives the bookkeeping its length.
        super().__init__(torch.empty((size, 0)), None, batch_size)
        self.data = dataset
        self.has_labels = self._pairs

    @staticmethod
    def _check_item(item: Any, dataset: Dataset[Any]) -> bool:
        """Whether items are ``(x, label)`` pairs; a TypeError for other forms."""
        if isinstance(item, Tensor):
            return False
        if isinstance(item, (tuple, list)) and len(item) == 1 and isinstance(item[0], Tensor):
            return False
        if (
            isinstance(item, (tuple, list))
            and len(item) == 2
            and isinstance(item[0], Tensor)
            and isinstance(item[1], (int, Tensor))
        ):
            return True
        raise TypeError(
            f"fit() takes a Dataset whose items are tensors or (x, label) pairs; "
            f"{type(dataset).__name__}[0] is {_describe(item)}"
        )

    def _take(self, idx: Tensor) -> Batch:
        items = [self.dataset[int(i)] for i in idx]
        if self._pairs:
            x, labels = default_collate([(it[0], it[1]) for it in items])
            return x, labels
        xs = [it if isinstance(it, Tensor) else it[0] for it in items]
        return default_collate(xs), None
