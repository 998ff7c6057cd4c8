"""Checks of tensor arguments: shapes, logits and class labels.

Every check raises :class:`ValueError` (or :class:`TypeError`) with a message
that names what was expected and what was given; it returns nothing, since a
tensor passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = [
    "check_batch_logits",
    "check_labels",
    "check_logits",
    "check_same_shape",
    "check_shape",
]


def check_shape(tensor: Tensor, expected: Sequence[int | None], name: str) -> None:
    """Check that ``tensor`` has the ``expected`` shape; ``None`` matches any size.

    Args:
        tensor: The tensor to check.
        expected: The expected shape, with ``None`` for free dimensions.
        name: The argument's name, used in the error message.

    Raises:
        TypeError: If ``tensor`` is not a tensor.
        ValueError: If the number of dimensions or a fixed size differs.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    shown = tuple("N" if i == 0 and s is None else ("*" if s is None else s)
                  for i, s in enumerate(expected))
    if tensor.dim() != len(expected) or any(
        s is not None and s != t for s, t in zip(expected, tensor.shape)
    ):
        raise ValueError(
            f"{name} must have shape {shown}, got {tuple(tensor.shape)}"
        )


def check_logits(tensor: Tensor, name: str) -> None:
    """Check that ``tensor`` is a 1-D batch of floating-point logits of shape ``(N,)``.

    Raises:
        TypeError: If ``tensor`` is not a floating-point tensor.
        ValueError: If ``tensor`` is not one-dimensional.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    if not torch.is_floating_point(tensor):
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {tensor.dtype}")
    if tensor.dim() != 1:
        raise ValueError(
            f"{name} must have shape (N,) (one logit per sample), got {tuple(tensor.shape)}"
        )


def check_batch_logits(tensor: Tensor, name: str) -> None:
    """Check that ``tensor`` holds the logits (or scores) of a non-empty batch.

    Args:
        tensor: The logits to check, expected shape ``(N,)`` with ``N >= 1``.
        name: The argument's name, used in the error message.

    Raises:
        TypeError: If ``tensor`` is not a floating-point tensor.
        ValueError: If ``tensor`` is not one-dimensional or is empty (the mean
            of an empty batch is NaN).

    Example:
        >>> check_batch_logits(torch.zeros(3), "fake_logits")
    """
    check_logits(tensor, name)
    if tensor.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape (0,)")


def check_same_shape(a: Tensor, b: Tensor, name_a: str, name_b: str) -> None:
    """Check that two tensors have the same shape.

    Raises:
        ValueError: If the shapes differ.
    """
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_labels(labels: Tensor | None, batch_size: int, num_classes: int | None,
                 name: str = "labels") -> None:
    """Check class labels against a batch size and the number of classes.

    Args:
        labels: Integer labels of shape ``(N,)``, or ``None``.
        batch_size: The expected ``N``.
        num_classes: ``K`` for a conditional model (labels required, in ``[0, K)``),
            ``None`` for an unconditional one (labels must be ``None``).
        name: The argument's name, used in the error message.

    Raises:
        ValueError: If labels are missing, unexpected, the wrong shape or out of range.
        TypeError: If labels are not an integer tensor.
    """
    if num_classes is None:
        if labels is not None:
            raise ValueError(
                f"this model is unconditional (num_classes=None) but {name} were given; "
                "build it with num_classes=K to condition on labels"
            )
        return
    if labels is None:
        raise ValueError(
            f"this model is conditional (num_classes={num_classes}) and needs {name} "
            f"of shape ({batch_size},), got None"
        )
    if not isinstance(labels, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(labels).__name__}")
    if labels.dtype.is_floating_point or labels.dtype == torch.bool or labels.is_complex():
        raise TypeError(f"{name} must be an integer tensor, got dtype {labels.dtype}")
    if labels.shape != (batch_size,):
        raise ValueError(
            f"{name} must have shape ({batch_size},) to match the batch, "
            f"got {tuple(labels.shape)}"
        )
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise ValueError(
            f"{name} must lie in [0, {num_classes}), got values in "
            f"[{int(labels.min())}, {int(labels.max())}]"
        )
