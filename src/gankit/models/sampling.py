"""Sampling a generator: in eval mode, without gradients, with labels cycled over the classes.

One home for "fixed noise, cycled labels": :meth:`gankit.Trainer.sample`, the
sample grids, the collapse monitor, the evaluation callback and
``gankit evaluate`` all draw samples through :func:`generate`.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["cycled_labels", "generate"]


def cycled_labels(
    n: int, num_classes: int | None, device: torch.device | str = "cpu"
) -> Tensor | None:
    """Labels ``0, 1, ..., K-1, 0, 1, ...`` of shape ``(n,)``, or ``None`` when unconditional.

    Example:
        >>> cycled_labels(5, 3)
        tensor([0, 1, 2, 0, 1])
    """
    if num_classes is None:
        return None
    return torch.arange(n, device=device) % num_classes


@torch.no_grad()
def generate(
    generator: nn.Module, z: Tensor, labels: Tensor | None = None, *,
    num_classes: int | None = None, batch_size: int | None = None,
) -> Tensor:
    """``G(z)`` (or ``G(z, labels)``) in eval mode without gradients, in batches.

    The generator's train/eval mode is restored afterwards.

    Args:
        generator: The generator.
        z: Latent vectors ``(n, latent_dim)`` on the generator's device.
        labels: Class labels ``(n,)``; ``None`` cycles over ``num_classes``
            classes (see :func:`cycled_labels`) when that is given.
        num_classes: The generator's classes, or ``None`` when unconditional.
        batch_size: Latent vectors per call; all at once when ``None``.

    Returns:
        Samples of shape ``(n, *out_shape)``.

    Example:
        >>> g = torch.nn.Linear(2, 3)
        >>> generate(g, torch.zeros(5, 2), batch_size=2).shape
        torch.Size([5, 3])
    """
    if labels is None:
        labels = cycled_labels(len(z), num_classes, z.device)
    step = len(z) if batch_size is None else batch_size
    was_training = generator.training
    generator.eval()
    try:
        chunks = [
            generator(z[i : i + step]) if labels is None
            else generator(z[i : i + step], labels[i : i + step])
            for i in range(0, len(z), max(step, 1))
        ]
    finally:
        generator.train(was_training)
    return chunks[0] if len(chunks) == 1 else torch.cat(chunks)
