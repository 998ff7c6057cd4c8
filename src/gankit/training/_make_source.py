"""Which data source serves what ``fit`` was given: the one place that knows every kind."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, IterableDataset

from gankit.training._batch_checks import check_tensor_data
from gankit.training._dataset_source import DatasetSource
from gankit.training._sources import LoaderSource, SamplerSource, TensorSource

__all__ = ["make_source"]


def make_source(
    data: Any, batch_size: int, device: torch.device | None = None
) -> TensorSource | LoaderSource | SamplerSource:
    """Wrap ``data`` for the trainer.

    Args:
        data: A ``DataLoader``; a tensor ``(N, *S)``; an ``(x, labels)`` tuple of
            tensors; a data set with ``images`` and ``labels`` (and an optional
            ``transform`` applied to each batch); a map-style
            ``Dataset`` of tensors or ``(x, label)`` pairs; or a sampler with
            ``.sample(n, generator=...)``.
        batch_size: Batch size for tensors, data sets and samplers (a DataLoader
            has its own).
        device: Where in-memory tensors are served from, if they fit there
            (:class:`~gankit.training._sources.TensorSource`).

    Raises:
        TypeError: If ``data`` is none of these.
        ValueError: If the batch size is not positive or exceeds the data.
        DataError: If an in-memory tensor is not floating point or not finite.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if isinstance(data, DataLoader):
        return LoaderSource(data)
    if isinstance(data, Tensor):
        check_tensor_data(data)
        return TensorSource(data, None, batch_size, device=device)
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(
        isinstance(t, Tensor) for t in data
    ):
        x, labels = data
        if labels.shape != (x.shape[0],):
            raise ValueError(
                f"labels must have shape ({x.shape[0]},) to match x, got {tuple(labels.shape)}"
            )
        check_tensor_data(x)
        return TensorSource(x, labels, batch_size, device=device)
    if hasattr(data, "images") and hasattr(data, "labels") and isinstance(data.images, Tensor):
        check_tensor_data(data.images, f"the images of {type(data).__name__}")
        return TensorSource(data.images, data.labels, batch_size,
                            transform=getattr(data, "transform", None), device=device)
    if callable(getattr(data, "sample", None)):
        return SamplerSource(data, batch_size)
    if isinstance(data, IterableDataset):
        raise TypeError(
            "fit() takes map-style Datasets; wrap an IterableDataset in a DataLoader "
            "(DataLoader(dataset, batch_size=...))"
        )
    if isinstance(data, Dataset) and hasattr(data, "__len__"):
        return DatasetSource(data, batch_size)
    raise TypeError(
        "fit() takes a DataLoader, a tensor, an (x, labels) tuple of tensors, a map-style "
        f"Dataset, or a sampler with .sample(n, generator=...), got {type(data).__name__}"
    )
