"""Equal-weight isotropic Gaussian mixtures in 2-D: PacGAN's 2D-ring and 2D-grid."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from gankit._validation import check_positive_float, check_positive_int
from gankit.data._sampler import ToyDistribution

__all__ = ["Grid2D", "Ring2D", "grid", "ring"]


class _Mixture(ToyDistribution):
    """Equal-weight mixture of ``N(μ_k, σ² I₂)``; subclasses define ``means``."""

    std: float

    @property
    def means(self) -> Tensor:
        return torch.tensor(self._centres(), dtype=torch.float32)  # (K, 2)

    @property
    def num_modes(self) -> int:
        return len(self._centres())

    def _centres(self) -> list[tuple[float, float]]:
        raise NotImplementedError

    def _draw(self, n: int, generator: torch.Generator | None) -> Tensor:
        means = self.means  # (K, 2)
        mode = torch.randint(means.shape[0], (n,), generator=generator)  # (n,)
        noise = torch.randn(n, 2, generator=generator)  # (n, 2)
        return means[mode] + self.std * noise


@dataclass(frozen=True)
class Ring2D(_Mixture):
    r"""``K`` equal-weight Gaussians evenly spaced on a circle (PacGAN's 2D-ring).

    .. math::
        x = \mu_k + \sigma \varepsilon, \quad
        \mu_k = r\,(\cos(2\pi k / K),\ \sin(2\pi k / K)), \quad
        k \sim \mathcal{U}\{0, \dots, K - 1\}, \quad \varepsilon \sim \mathcal{N}(0, I_2)

    Each draw takes the mode indices ``torch.randint(K, (n,))`` first, then the
    noise ``torch.randn(n, 2)``, both from the given generator.

    Attributes:
        num_modes: ``K`` (int >= 1).
        radius: ``r`` (> 0).
        std: ``σ`` (> 0).
        means: ``μ_k`` in order ``k = 0 … K − 1``, float32 of shape ``(K, 2)``.

    Raises:
        TypeError: If an argument is not a number.
        ValueError: If ``num_modes < 1`` or ``radius``, ``std`` are not finite and ``> 0``.

    Shape:
        - means: ``(K, 2)``; ``sample(n)``: ``(n, 2)``.

    Example:
        >>> dist = Ring2D(num_modes=4, radius=2.0, std=0.01)
        >>> square = torch.tensor([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]])
        >>> torch.allclose(dist.means, square, atol=1e-6)
        True
        >>> dist.sample(3, generator=torch.Generator().manual_seed(0)).shape
        torch.Size([3, 2])
    """

    num_modes: int = 8
    radius: float = 1.0
    std: float = 0.01

    def __post_init__(self) -> None:
        object.__setattr__(self, "num_modes", check_positive_int(self.num_modes, "num_modes"))
        object.__setattr__(self, "radius", check_positive_float(self.radius, "radius"))
        object.__setattr__(self, "std", check_positive_float(self.std, "std"))

    def _centres(self) -> list[tuple[float, float]]:
        angles = [2 * math.pi * k / self.num_modes for k in range(self.num_modes)]
        return [(self.radius * math.cos(a), self.radius * math.sin(a)) for a in angles]


@dataclass(frozen=True)
class Grid2D(_Mixture):
    r"""``S²`` equal-weight Gaussians on a square grid centred at 0 (PacGAN's 2D-grid).

    .. math::
        x = \mu_k + \sigma \varepsilon, \quad
        \mu_{iS + j} = (c_i, c_j), \quad c_i = s\,\big(i - (S - 1)/2\big), \quad
        k \sim \mathcal{U}\{0, \dots, S^2 - 1\}, \quad \varepsilon \sim \mathcal{N}(0, I_2)

    With the defaults ``S = 5``, ``s = 2`` the modes sit at ``{−4, −2, 0, 2, 4}²``.
    Each draw takes the mode indices first, then the noise, as :class:`Ring2D`.

    Attributes:
        size: ``S``, modes per side (int >= 1); ``num_modes = S²``.
        spacing: ``s``, the distance between neighbouring modes (> 0).
        std: ``σ`` (> 0).
        means: ``μ_k``, row-major over ``(i, j)``, float32 of shape ``(S², 2)``.

    Raises:
        TypeError: If an argument is not a number.
        ValueError: If ``size < 1`` or ``spacing``, ``std`` are not finite and ``> 0``.

    Shape:
        - means: ``(S², 2)``; ``sample(n)``: ``(n, 2)``.

    Example:
        >>> Grid2D(size=2, spacing=2.0).means.tolist()
        [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]
        >>> grid().num_modes
        25
    """

    size: int = 5
    spacing: float = 2.0
    std: float = 0.05

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", check_positive_int(self.size, "size"))
        object.__setattr__(self, "spacing", check_positive_float(self.spacing, "spacing"))
        object.__setattr__(self, "std", check_positive_float(self.std, "std"))

    def _centres(self) -> list[tuple[float, float]]:
        axis = [self.spacing * (i - (self.size - 1) / 2) for i in range(self.size)]
        return [(a, b) for a in axis for b in axis]


def ring(num_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> Ring2D:
    r"""PacGAN's 2D-ring: ``K`` Gaussians of std ``σ`` on a circle of radius ``r``.

    .. math::
        \mu_k = r\,(\cos(2\pi k / K),\ \sin(2\pi k / K)), \quad
        x \sim \mathcal{N}(\mu_k, \sigma^2 I_2)

    Args:
        num_modes: ``K`` (PacGAN: 8).
        radius: ``r`` (PacGAN: 1).
        std: ``σ`` (PacGAN: 0.01).

    Returns:
        A :class:`Ring2D`.

    Raises:
        TypeError: If an argument is not a number.
        ValueError: If ``num_modes < 1`` or ``radius``, ``std`` are not finite and ``> 0``.

    Shape:
        - ``.means``: ``(K, 2)``; ``.sample(n)``: ``(n, 2)``.

    Example:
        >>> dist = ring()
        >>> dist.num_modes, dist.std, tuple(dist.means.shape)
        (8, 0.01, (8, 2))
    """
    return Ring2D(num_modes=num_modes, radius=radius, std=std)


def grid(size: int = 5, spacing: float = 2.0, std: float = 0.05) -> Grid2D:
    r"""PacGAN's 2D-grid: ``S²`` Gaussians of std ``σ`` at ``{−4, −2, 0, 2, 4}²`` by default.

    .. math::
        \mu_{iS + j} = (c_i, c_j), \quad c_i = s\,\big(i - (S - 1)/2\big), \quad
        x \sim \mathcal{N}(\mu_k, \sigma^2 I_2)

    Args:
        size: ``S``, modes per side (PacGAN: 5).
        spacing: ``s``, distance between neighbouring modes (PacGAN: 2).
        std: ``σ`` (PacGAN: 0.05).

    Returns:
        A :class:`Grid2D`.

    Raises:
        TypeError: If an argument is not a number.
        ValueError: If ``size < 1`` or ``spacing``, ``std`` are not finite and ``> 0``.

    Shape:
        - ``.means``: ``(S², 2)``; ``.sample(n)``: ``(n, 2)``.

    Example:
        >>> dist = grid()
        >>> dist.num_modes, dist.means[0].tolist(), dist.means[-1].tolist()
        (25, [-4.0, -4.0], [4.0, 4.0])
    """
    return Grid2D(size=size, spacing=spacing, std=std)
