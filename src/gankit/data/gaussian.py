"""The correlated 2-D Gaussian of Dive into Deep Learning's GAN section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from gankit.data._sampler import ToyDistribution

__all__ = ["Gaussian2D", "gaussian_2d"]


@dataclass(frozen=True)
class Gaussian2D(ToyDistribution):
    r"""d2l's Gaussian: standard normal points through a fixed affine map.

    .. math::
        x = zA + b, \quad z \sim \mathcal{N}(0, I_2), \quad
        A = \begin{pmatrix} 1 & 2 \\ -0.1 & 0.5 \end{pmatrix}, \quad b = (1, 2)

    so ``x ~ N(b, AᵀA)`` with ``AᵀA = [[1.01, 1.95], [1.95, 4.25]]``. A draw
    is ``torch.randn(n, 2)`` from the given generator, then the map.

    Attributes:
        A: The matrix ``A``, float32 of shape ``(2, 2)``.
        b: The offset ``b``, float32 of shape ``(2,)``.
        mean: The distribution's mean ``b``, float32 of shape ``(2,)``.
        covariance: ``AᵀA``, float32 of shape ``(2, 2)``.
        means: ``b`` as a single mode, float32 of shape ``(1, 2)``.
        num_modes: 1.
        std: ``None``: the noise is not isotropic (use ``covariance``).

    Shape:
        - ``sample(n)``: ``(n, 2)``.

    Example:
        >>> dist = Gaussian2D()
        >>> dist.covariance.tolist()
        [[1.0099999904632568, 1.9500000476837158], [1.9500000476837158, 4.25]]
        >>> dist.sample(5, generator=torch.Generator().manual_seed(0)).shape
        torch.Size([5, 2])
    """

    _A: ClassVar[tuple[tuple[float, float], tuple[float, float]]] = ((1.0, 2.0), (-0.1, 0.5))
    _B: ClassVar[tuple[float, float]] = (1.0, 2.0)

    @property
    def A(self) -> Tensor:  # noqa: N802 (the textbook's name)
        """The matrix ``A``, float32 of shape ``(2, 2)``."""
        return torch.tensor(self._A, dtype=torch.float32)

    @property
    def b(self) -> Tensor:
        """The offset ``b``, float32 of shape ``(2,)``."""
        return torch.tensor(self._B, dtype=torch.float32)

    @property
    def mean(self) -> Tensor:
        """The mean ``b``, float32 of shape ``(2,)``."""
        return self.b

    @property
    def covariance(self) -> Tensor:
        """The covariance ``AᵀA``, computed in float64, float32 of shape ``(2, 2)``."""
        a = torch.tensor(self._A, dtype=torch.float64)
        return (a.T @ a).to(torch.float32)

    @property
    def means(self) -> Tensor:
        """``b`` as the single mode, float32 of shape ``(1, 2)``."""
        return self.b.unsqueeze(0)

    @property
    def num_modes(self) -> int:
        """1."""
        return 1

    @property
    def std(self) -> None:
        """Always ``None``, because the covariance is not a multiple of the identity."""
        return None

    def _draw(self, n: int, generator: torch.Generator | None) -> Tensor:
        z = torch.randn(n, 2, generator=generator)  # (n, 2)
        return z @ self.A + self.b


def gaussian_2d() -> Gaussian2D:
    r"""The 2-D Gaussian of Dive into Deep Learning's GAN section.

    .. math::
        x = zA + b \sim \mathcal{N}(b, A^\top A), \quad z \sim \mathcal{N}(0, I_2), \quad
        A = \begin{pmatrix} 1 & 2 \\ -0.1 & 0.5 \end{pmatrix}, \quad b = (1, 2)

    Returns:
        A :class:`Gaussian2D`.

    Shape:
        - ``.sample(n)``: ``(n, 2)``; ``.mean``: ``(2,)``; ``.covariance``: ``(2, 2)``.

    Example:
        >>> dist = gaussian_2d()
        >>> dist.mean.tolist(), dist.num_modes
        ([1.0, 2.0], 1)
        >>> data = dist.dataset(1000, generator=torch.Generator().manual_seed(0))  # as in d2l
        >>> data.shape
        torch.Size([1000, 2])
    """
    return Gaussian2D()
