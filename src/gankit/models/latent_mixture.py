"""A learned Gaussian-mixture latent space (DeLiGAN, Gurumurthy et al. 2017)."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from gankit._validation import check_positive_float, check_positive_int, check_shape
from gankit.models.latent_prior import NormalPrior

__all__ = ["LatentMixture"]


class LatentMixture(nn.Module):
    r"""Turn standard normal noise into a sample of a learned mixture of ``K`` Gaussians.

    The first coordinate of ``z`` picks one of ``K`` equally likely components
    and the remaining ``d - 1`` coordinates are that component's noise:

    .. math::

        k = \min\!\big(\lfloor K\,\Phi(z_1) \rfloor,\; K - 1\big), \qquad
        h = \mu_k + \sigma_k \odot z_{2:d},

    with :math:`\Phi` the standard normal CDF, so :math:`k` is uniform on
    :math:`\{0, \dots, K - 1\}` when :math:`z \sim \mathcal{N}(0, I_d)` (the
    trainer's default ``noise="normal"``) and independent of :math:`z_{2:d}`.
    The means :math:`\mu_k` and scales :math:`\sigma_k = e^{s_k}` are learned
    with the generator (the reparameterisation of DeLiGAN).

    Why: a continuous generator of a connected latent space cannot put all its
    mass on disconnected modes; between any two modes it leaves a bridge of
    samples whose width shrinks only as its slopes grow. A mixture latent lets
    each component feed one mode, so the bridges can vanish without steep
    slopes. The choice of component is not differentiable (``z`` is not learned);
    :math:`\mu_k` and :math:`s_k` are.

    Args:
        latent_dim: Width ``d`` of the input ``z`` (at least 2): one selector
            coordinate and ``d - 1`` noise coordinates.
        components: Number of components ``K``.
        init_scale: Initial :math:`\sigma_k` (DeLiGAN uses 0.2); the means
            start at :math:`\mu_k \sim \mathcal{U}(-1, 1)`.

    Raises:
        TypeError: If a size is not an int or ``init_scale`` not a real number.
        ValueError: If ``latent_dim < 2``, ``components < 1`` or ``init_scale``
            is not a positive finite number.

    Attributes:
        latent_prior (NormalPrior): The prior ``z`` must come from: the component
            choice is uniform only for normal ``z``, so a trainer drawing any
            other noise refuses this generator.

    Shape:
        - Input: ``z`` of shape ``(N, latent_dim)``.
        - Output: ``(N, latent_dim - 1)``.

    Example:
        >>> import torch
        >>> mix = LatentMixture(3, components=4)
        >>> mix(torch.randn(5, 3)).shape
        torch.Size([5, 2])
        >>> mix.component(torch.tensor([[-9.0, 0.0, 0.0], [0.0, 0.0, 0.0], [9.0, 0.0, 0.0]]))
        tensor([0, 2, 3])
    """

    def __init__(self, latent_dim: int, components: int, init_scale: float = 0.2) -> None:
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        if self.latent_dim < 2:
            raise ValueError(
                "latent_dim must be at least 2 (one selector coordinate plus noise), "
                f"got {latent_dim}"
            )
        self.components = check_positive_int(components, "components")
        self.init_scale = check_positive_float(init_scale, "init_scale")
        self.latent_prior = NormalPrior()
        width = self.latent_dim - 1
        self.mean = nn.Parameter(torch.empty(self.components, width).uniform_(-1.0, 1.0))
        self.log_scale = nn.Parameter(
            torch.full((self.components, width), math.log(self.init_scale))
        )

    def component(self, z: Tensor) -> Tensor:
        """The component index of each row of ``z``, shape ``(N,)`` (int64)."""
        check_shape(z, (None, self.latent_dim), "z")
        u = torch.special.ndtr(z[:, 0].double())  # (N,) uniform on [0, 1] for normal z
        return (u * self.components).long().clamp_(0, self.components - 1)

    def forward(self, z: Tensor) -> Tensor:
        """Map ``z`` of shape ``(N, latent_dim)`` to ``mu[k] + sigma[k] * z[:, 1:]``.

        Returns:
            The mixture sample, shape ``(N, latent_dim - 1)``.
        """
        k = self.component(z)  # (N,)
        return self.mean[k] + self.log_scale[k].exp() * z[:, 1:]

    def extra_repr(self) -> str:
        """Describe the sizes."""
        return f"latent_dim={self.latent_dim}, components={self.components}"
