r"""The latent prior :math:`p_z`: the noise the trainer draws and the generator expects.

One object serves both sides. The trainer draws ``z`` from its prior
(``Trainer(noise=...)``: ``"normal"``, ``"uniform"`` or a :class:`LatentPrior`),
and a generator whose layers assume a particular prior says so in a
``latent_prior`` attribute: :class:`~gankit.models.LatentMixture` (DeLiGAN's
learned mixture) picks its component through the normal CDF, so an
:class:`~gankit.models.MLPGenerator` with ``latent_components`` declares
:class:`NormalPrior`, and a trainer with ``noise="uniform"`` refuses it
instead of quietly training a broken mixture.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["LatentPrior", "NormalPrior", "UniformPrior", "latent_prior"]


class LatentPrior:
    """Base class of latent priors: ``sample(n, dim)`` draws ``z`` of shape ``(n, dim)``.

    Attributes:
        name: The prior's name in configs and checkpoints (``trainer.noise``).
    """

    name: str = ""

    def sample(
        self, n: int, dim: int, *, device: torch.device | str = "cpu",
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """Draw ``n`` latent vectors of width ``dim``, shape ``(n, dim)``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LatentPrior) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class NormalPrior(LatentPrior):
    r""":math:`z \sim \mathcal{N}(0, I)`.

    Example:
        >>> NormalPrior().sample(3, 2, generator=torch.Generator().manual_seed(0)).shape
        torch.Size([3, 2])
    """

    name = "normal"

    def sample(
        self, n: int, dim: int, *, device: torch.device | str = "cpu",
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """``(n, dim)`` standard normal draws."""
        return torch.randn((n, dim), device=device, generator=generator)


class UniformPrior(LatentPrior):
    r""":math:`z \sim \mathcal{U}[-1, 1]^d`.

    Example:
        >>> z = UniformPrior().sample(1000, 2, generator=torch.Generator().manual_seed(0))
        >>> bool(z.min() >= -1 and z.max() <= 1)
        True
    """

    name = "uniform"

    def sample(
        self, n: int, dim: int, *, device: torch.device | str = "cpu",
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """``(n, dim)`` uniform draws on ``[-1, 1]``."""
        return torch.rand((n, dim), device=device, generator=generator).mul_(2).sub_(1)


_BY_NAME: dict[str, type[LatentPrior]] = {"normal": NormalPrior, "uniform": UniformPrior}


def latent_prior(spec: str | LatentPrior) -> LatentPrior:
    """The prior named ``spec`` (``"normal"`` or ``"uniform"``), or ``spec`` itself.

    Raises:
        ValueError: If ``spec`` is neither a known name nor a :class:`LatentPrior`.

    Example:
        >>> latent_prior("uniform")
        UniformPrior()
    """
    if isinstance(spec, LatentPrior):
        return spec
    if isinstance(spec, str) and spec in _BY_NAME:
        return _BY_NAME[spec]()
    raise ValueError(
        f"noise must be one of {sorted(_BY_NAME)} or a gankit.models.LatentPrior, got {spec!r}"
    )
