r"""Gradient accumulation: one optimizer step over ``k`` micro-batches of an update's batch.

With ``Trainer(accumulate=k)`` each discriminator or generator update takes its
batch of ``k·B`` samples (``B = batch_size``) in ``k`` micro-batches of ``B``,
sums their gradients, each weighted by its share of the batch, and steps the
optimizer once:

.. math::

    g = \sum_{j=1}^{k} \frac{n_j}{n}\, \nabla_\theta L(\text{micro-batch}_j),
    \qquad n = \sum_j n_j,

which is the gradient of the loss on the whole batch whenever the loss is a
mean over samples and nothing in the models couples samples (BatchNorm's batch
statistics do) or draws random numbers (dropout, augmentation). Per-sample
uniforms that loss terms draw (the gradient penalty's mixing weights) are drawn
once for the whole batch and handed out micro-batch by micro-batch
(:class:`MicroBatchRandom`), so that they equal the one-batch draw too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

__all__ = ["MicroBatchRandom", "add_gradients", "micro_batches"]

#: ``(n, device, dtype) -> (n,)`` uniforms, as :class:`~gankit.losses.GANBatch` draws them.
Draw = Callable[[int, torch.device, torch.dtype], Tensor]


def micro_batches(n: int, parts: int) -> list[slice]:
    """Split ``range(n)`` into ``parts`` contiguous slices as :func:`torch.tensor_split` does.

    The first ``n % parts`` slices hold one sample more than the others.

    Raises:
        ValueError: If ``n < parts`` (an empty micro-batch).

    Example:
        >>> micro_batches(10, 3)
        [slice(0, 4, None), slice(4, 7, None), slice(7, 10, None)]
    """
    if n < parts:
        raise ValueError(
            f"accumulate={parts} needs at least {parts} samples per update, got a batch of {n}"
        )
    base, extra = divmod(n, parts)
    out, start = [], 0
    for j in range(parts):
        stop = start + base + (j < extra)
        out.append(slice(start, stop))
        start = stop
    return out


def add_gradients(
    total: list[Tensor | None] | None, grads: Sequence[Tensor | None]
) -> list[Tensor | None]:
    """``total + grads`` elementwise; ``None`` (no gradient) counts as zero."""
    if total is None:
        return list(grads)
    return [a if g is None else g if a is None else a + g for a, g in zip(total, grads)]


class MicroBatchRandom:
    """Per-sample uniforms for one update, equal to one draw for the whole batch.

    Between :meth:`begin` and :meth:`end`, the ``i``-th call for micro-batch
    ``j`` returns rows ``slice_j`` of the ``i``-th draw of the whole batch, made
    during micro-batch 0. A call for another number of values than the
    micro-batch holds draws afresh. Outside an update it is ``draw`` itself.

    Args:
        draw: Draws ``n`` uniforms for the whole (global) batch and returns
            this process's share.

    Example:
        >>> rand = MicroBatchRandom(lambda n, device, dtype: torch.arange(float(n)))
        >>> rand.begin(4)
        >>> parts = []
        >>> for j, rows in enumerate(micro_batches(4, 2)):
        ...     rand.chunk(j, rows)
        ...     parts.append(rand(2, torch.device("cpu"), torch.float32))
        >>> rand.end()
        >>> torch.cat(parts).tolist()
        [0.0, 1.0, 2.0, 3.0]
    """

    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self._total = 0
        self._rows: slice | None = None
        self._first = False
        self._calls = 0
        self._cache: list[Tensor] = []

    def begin(self, total: int) -> None:
        """Start an update whose batch holds ``total`` samples."""
        self._total, self._cache = total, []

    def chunk(self, index: int, rows: slice) -> None:
        """Serve micro-batch ``index``, the batch's ``rows``."""
        self._rows, self._first, self._calls = rows, index == 0, 0

    def end(self) -> None:
        """Finish the update: later calls draw afresh."""
        self._rows, self._cache = None, []

    def __call__(self, n: int, device: torch.device, dtype: torch.dtype) -> Tensor:
        rows = self._rows
        if rows is None or n != rows.stop - rows.start:
            return self.draw(n, device, dtype)
        i = self._calls
        self._calls += 1
        if self._first:
            self._cache.append(self.draw(self._total, device, dtype))
        if i >= len(self._cache):
            return self.draw(n, device, dtype)
        return self._cache[i][rows]
