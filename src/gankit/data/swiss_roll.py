"""A 2-D swiss roll (scikit-learn's ``make_swiss_roll`` seen from above)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from gankit._validation import check_nonnegative, check_positive_float
from gankit.data._sampler import ToyDistribution

__all__ = ["SwissRoll2D", "swiss_roll"]


@dataclass(frozen=True)
class SwissRoll2D(ToyDistribution):
    r"""A noisy spiral: scikit-learn's swiss roll without its height coordinate.

    .. math::
        t = \tfrac{3\pi}{2}(1 + 2u), \quad u \sim \mathcal{U}[0, 1), \quad
        x = c\,\big(t \cos t + \eta\,\varepsilon_1,\ t \sin t + \eta\,\varepsilon_2\big),
        \quad \varepsilon \sim \mathcal{N}(0, I_2)

    These are columns 0 and 2 of ``sklearn.datasets.make_swiss_roll(noise=η)``
    times ``c``; the defaults ``η = 0.25``, ``c = 1/7.5`` are those of the
    WGAN-GP toy script. A draw takes ``u = torch.rand(n)`` first, then
    ``ε = torch.randn(n, 2)``, both from the given generator.

    Attributes:
        noise: ``η``, the noise std before scaling (>= 0).
        scale: ``c``, the overall scale (> 0).
        std: ``η c``, the noise std of the returned points.
        means: ``None``: the roll has no discrete modes.
        num_modes: ``None``.

    Raises:
        TypeError: If an argument is not a number.
        ValueError: If ``noise < 0`` or ``scale <= 0`` or either is not finite.

    Shape:
        - ``sample(n)``: ``(n, 2)``.

    Example:
        >>> roll = SwissRoll2D(noise=0.0, scale=1.0)
        >>> x = roll.sample(100, generator=torch.Generator().manual_seed(0))
        >>> radius = x.norm(dim=1)  # = t when noise is 0
        >>> bool(radius.min() >= 1.5 * math.pi - 1e-4), bool(radius.max() <= 4.5 * math.pi + 1e-4)
        (True, True)
    """

    noise: float = 0.25
    scale: float = 1 / 7.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "noise", check_nonnegative(self.noise, "noise"))
        object.__setattr__(self, "scale", check_positive_float(self.scale, "scale"))

    @property
    def means(self) -> None:
        """Always ``None``, because the roll has no discrete modes."""
        return None

    @property
    def num_modes(self) -> None:
        """Always ``None``, because the roll has no discrete modes."""
        return None

    @property
    def std(self) -> float:
        """``noise · scale``, the std of the noise around the spiral."""
        return self.noise * self.scale

    def _draw(self, n: int, generator: torch.Generator | None) -> Tensor:
        u = torch.rand(n, generator=generator)  # (n,)
        eps = torch.randn(n, 2, generator=generator)  # (n, 2)
        t = 1.5 * math.pi * (1 + 2 * u)  # (n,)
        spiral = torch.stack((t * torch.cos(t), t * torch.sin(t)), dim=1)  # (n, 2)
        return self.scale * (spiral + self.noise * eps)


def swiss_roll(noise: float = 0.25, scale: float = 1 / 7.5) -> SwissRoll2D:
    r"""A 2-D swiss roll: the spiral ``t (cos t, sin t)``, ``t ∈ [3π/2, 9π/2)``, plus noise.

    .. math::
        x = c\,\big(t \cos t + \eta\,\varepsilon_1,\ t \sin t + \eta\,\varepsilon_2\big),
        \quad t = \tfrac{3\pi}{2}(1 + 2u), \quad u \sim \mathcal{U}[0, 1)

    Args:
        noise: ``η``, Gaussian noise std before scaling, as in scikit-learn (>= 0).
        scale: ``c``, multiplies the points (the WGAN-GP toy script divides by 7.5).

    Returns:
        A :class:`SwissRoll2D`.

    Raises:
        TypeError: If an argument is not a number.
        ValueError: If ``noise < 0`` or ``scale <= 0`` or either is not finite.

    Shape:
        - ``.sample(n)``: ``(n, 2)``.

    Example:
        >>> roll = swiss_roll()
        >>> roll.sample(4, generator=torch.Generator().manual_seed(0)).shape
        torch.Size([4, 2])
        >>> roll.means is None, round(roll.std, 4)
        (True, 0.0333)
    """
    return SwissRoll2D(noise=noise, scale=scale)
