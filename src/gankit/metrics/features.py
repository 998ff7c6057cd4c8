"""Run a feature extractor over a data set and collect ``(N, d)`` float64 features."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import torch
from torch import Tensor, nn

from gankit._validation import check_positive_int

__all__ = ["extract_features"]


def _batches(data: Tensor | Iterable[object], batch_size: int) -> Iterator[Tensor]:
    """Yield input tensors: slices of a tensor, or items (or their first element) of an iterable."""
    if isinstance(data, Tensor):
        if data.dim() == 0 or data.shape[0] == 0:
            raise ValueError(
                f"data must hold at least one input along dim 0, got shape {tuple(data.shape)}"
            )
        yield from data.split(batch_size)
        return
    if not isinstance(data, Iterable):
        raise TypeError(
            f"data must be a torch.Tensor or an iterable of batches, got {type(data).__name__}"
        )
    for item in data:
        batch = item[0] if isinstance(item, (tuple, list)) and item else item
        if not isinstance(batch, Tensor):
            raise TypeError(
                "each batch must be a tensor or a (tensor, ...) tuple/list, "
                f"got {type(item).__name__}"
            )
        yield batch


def _device_of(model: nn.Module) -> torch.device:
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def extract_features(
    model: nn.Module,
    data: Tensor | Iterable[object],
    batch_size: int = 256,
    device: torch.device | str | None = None,
) -> Tensor:
    """Map data to features with ``model`` in eval mode, without gradients.

    Every submodule's train/eval flag is restored afterwards, even on error.
    Batches are moved to ``device`` (default: the model's first parameter or
    buffer device, else the CPU); the model itself is not moved.

    Args:
        model: Any module mapping a batch ``(B, *S)`` to features ``(B, d)``.
        data: A tensor ``(N, *S)``, split into ``batch_size`` rows, or an
            iterable of batches (tensors, or tuples/lists whose first element
            is the input tensor, as a ``DataLoader`` yields them).
        batch_size: Rows per forward pass when ``data`` is a tensor.
        device: Where to run the forward passes.

    Returns:
        The features of every input, in order, as float64 on the CPU.

    Raises:
        TypeError: If ``data`` or a batch has the wrong type.
        ValueError: If ``data`` is empty, or the model's output is not ``(B, d)``.

    Shape:
        - data: ``(N, *S)`` (or batches ``(B, *S)``); output ``(N, d)``.

    Example:
        >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3))
        >>> extract_features(model, torch.zeros(10, 2, 2), batch_size=4).shape
        torch.Size([10, 3])
        >>> model.training
        True
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    batch_size = check_positive_int(batch_size, "batch_size")
    target = _device_of(model) if device is None else torch.device(device)
    modes = {module: module.training for module in model.modules()}
    outputs: list[Tensor] = []
    try:
        model.eval()
        with torch.no_grad():
            for batch in _batches(data, batch_size):
                out = model(batch.to(target))
                if not isinstance(out, Tensor) or out.dim() != 2 or out.shape[0] != len(batch):
                    shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
                    raise ValueError(
                        f"the model must return features of shape ({len(batch)}, d) for a "
                        f"batch of {len(batch)}, got {shape}"
                    )
                outputs.append(out.detach().to(device="cpu", dtype=torch.float64))
    finally:
        for module, training in modes.items():
            module.training = training
    if not outputs:
        raise ValueError("data is empty: no batch was produced, so there are no features")
    return torch.cat(outputs)
