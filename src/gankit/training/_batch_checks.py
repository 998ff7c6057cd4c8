"""Checks that blame the data, not the learning rate, when a batch cannot be trained on.

A NaN in the data makes every loss NaN, and the divergence guard would then
suggest a lower learning rate; an integer tensor fails deep inside the first
layer with ``mat1 and mat2 must have the same dtype``. These checks run first:
once over an in-memory tensor when ``fit`` starts, and on every batch of a
``DataLoader``, a ``Dataset`` or a sampler, before it reaches the models.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["DataError", "check_batch", "check_tensor_data"]


class DataError(ValueError):
    """The training data is not floating point, or holds NaN or infinite values."""


def _first_bad(x: Tensor) -> tuple[int, str] | None:
    """The first sample index with a non-finite value, and that value's name."""
    flat = x.reshape(1, -1) if x.dim() == 0 else x.reshape(x.shape[0], -1)
    bad = ~torch.isfinite(flat)
    if not bool(bad.any()):
        return None
    index = int(bad.any(dim=1).nonzero()[0, 0])
    value = float(flat[index][bad[index]][0])
    return index, "NaN" if value != value else ("inf" if value > 0 else "-inf")


def _check_dtype(x: Tensor, where: str) -> None:
    if not isinstance(x, Tensor):
        raise DataError(f"{where} is a {type(x).__name__}, not a tensor")
    if not (x.is_floating_point() or x.is_complex()):
        raise DataError(
            f"{where} has dtype {x.dtype}, but the models take floating point data: convert "
            "it first, e.g. x.float(), or x.float() / 127.5 - 1 for 8-bit images in [-1, 1]"
        )


def _check(x: Tensor, where: str, at: str) -> None:
    """The dtype check, then the finiteness check; ``at`` formats ``{index}`` and ``{n}``."""
    _check_dtype(x, where)
    bad = _first_bad(x)
    if bad is not None:
        index, what = bad
        raise DataError(f"{where} has {what} " + at.format(index=index, n=x.shape[0]))


def check_tensor_data(x: Tensor, name: str = "the training data") -> None:
    """Check an in-memory data tensor once, before training on it.

    Args:
        x: The data, ``(N, *S)``.
        name: How the message names it.

    Raises:
        DataError: If ``x`` is not floating point or holds a non-finite value
            (the message gives the first bad sample's index).

    Example:
        >>> check_tensor_data(torch.tensor([[0.0], [float("nan")]]))
        Traceback (most recent call last):
        ...
        gankit.training._batch_checks.DataError: the training data has NaN at sample index 1 ...
    """
    _check(x, name, "at sample index {index} (of {n}); clean it before fit(), e.g. drop "
           "those samples or use torch.nan_to_num")


def check_batch(x: Tensor, *, step: int, update: int, d_steps: int) -> None:
    """Check one batch from a loader, data set or sampler before the models see it.

    Args:
        x: The real batch, ``(B, *S)``.
        step: The step being trained (1 for the first).
        update: Which discriminator update of that step the batch is for (1-based).
        d_steps: Discriminator updates per step.

    Raises:
        DataError: Naming the step, the update and the first bad index in the batch.

    Example:
        >>> check_batch(torch.zeros(4, 2, dtype=torch.int64), step=3, update=1, d_steps=1)
        Traceback (most recent call last):
        ...
        gankit.training._batch_checks.DataError: the data batch of step 3 has dtype torch.int64, ...
    """
    where = f"the data batch of step {step}" + (
        f" (discriminator update {update} of {d_steps})" if d_steps > 1 else ""
    )
    _check(x, where, "at index {index} of the batch (of {n}): the data holds non-finite "
           "values; clean them in the data set or loader")
