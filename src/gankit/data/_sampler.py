"""The base class of the 2-D toy distributions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import torch
from torch import Tensor

from gankit._validation import check_generator, check_positive_int

__all__ = ["ToyDistribution"]


class ToyDistribution(ABC):
    """An infinite sampler of 2-D points with known structure.

    Subclasses implement :meth:`_draw`; :meth:`sample` validates the arguments
    and :meth:`dataset` draws a fixed training set. All randomness comes from
    the ``generator`` argument (the global torch RNG when it is ``None``), so a
    seeded generator gives the same points on every call.

    Attributes:
        dim: The dimension of a point, 2.

    Example:
        >>> from gankit.data import ring
        >>> dist = ring()
        >>> isinstance(dist, ToyDistribution), dist.dim
        (True, 2)
        >>> a = dist.sample(4, generator=torch.Generator().manual_seed(0))
        >>> b = dist.sample(4, generator=torch.Generator().manual_seed(0))
        >>> a.shape, a.dtype, torch.equal(a, b)
        (torch.Size([4, 2]), torch.float32, True)
    """

    dim: ClassVar[int] = 2

    @property
    @abstractmethod
    def means(self) -> Tensor | None:
        """Mode centres, float32 of shape ``(K, 2)``; ``None`` without discrete modes."""

    @property
    @abstractmethod
    def num_modes(self) -> int | None:
        """``K``, the number of modes; ``None`` without discrete modes."""

    @property
    @abstractmethod
    def std(self) -> float | None:
        """The isotropic noise standard deviation σ; ``None`` if not isotropic."""

    @abstractmethod
    def _draw(self, n: int, generator: torch.Generator | None) -> Tensor:
        """Draw ``n`` points of shape ``(n, 2)``, float32, from ``generator``."""

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw ``n`` fresh points.

        Args:
            n: Number of points (a positive int).
            generator: Source of randomness; the global torch RNG if ``None``.

        Returns:
            A float32 tensor of points.

        Raises:
            TypeError: If ``n`` is not an int or ``generator`` not a ``torch.Generator``.
            ValueError: If ``n < 1``.

        Shape:
            - Output: ``(n, 2)``.
        """
        n = check_positive_int(n, "n")
        check_generator(generator)
        return self._draw(n, generator)

    def dataset(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw a fixed training set of ``n`` points (PacGAN trains on 100,000).

        The same as :meth:`sample` (same arguments, result and errors), named
        for the intent: draw once, then iterate over the result in epochs.

        Shape:
            - Output: ``(n, 2)``.
        """
        return self.sample(n, generator)
