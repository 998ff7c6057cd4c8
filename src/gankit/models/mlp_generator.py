"""A fully connected generator: the vanilla GAN's, PacGAN's and d2l's linear one."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from gankit._validation import (
    check_labels,
    check_optional_positive_int,
    check_positive_float,
    check_positive_int,
    check_shape,
    check_shape_tuple,
)
from gankit.models._conditioning import LabelCode, check_label_code
from gankit.models._layers import make_activation, make_norm, resolve_activation, resolve_norm
from gankit.models._registry import register_model
from gankit.models.initialization import check_init, init_weights
from gankit.models.latent_mixture import LatentMixture
from gankit.models.latent_prior import LatentPrior
from gankit.models.pretrained_mixin import PretrainedMixin

__all__ = ["MLPGenerator"]


@register_model
class MLPGenerator(PretrainedMixin, nn.Module):
    r"""A multilayer perceptron that maps latent codes to samples of any shape.

    .. math::

        h_0 = [z; c_y], \quad
        h_i = a\big(\mathrm{norm}_i(W_i h_{i-1} + b_i)\big), \quad
        G(z) = o(W_{L+1} h_L + b_{L+1}) \text{ reshaped to out\_shape},

    with activation :math:`a`, output activation :math:`o` (tanh by default, so
    samples lie in :math:`[-1, 1]`) and label code :math:`c_y` only when
    conditional. Hidden layers followed by a norm have no bias (the norm's shift
    replaces it).

    The defaults are the seed material's vanilla CIFAR-10 generator: 256 ReLU,
    512 BN ReLU, 1024 BN ReLU, 2048 BN ReLU (no norm on the first hidden layer),
    tanh. PacGAN's is ``MLPGenerator(2, (2,), hidden=(400,) * 4,
    first_layer_norm=True, output_activation=None)``; d2l's linear generator is
    ``MLPGenerator(2, (2,), hidden=(), output_activation=None)``.

    Args:
        latent_dim: Width of the latent code ``z``.
        out_shape: Shape of one sample, e.g. ``(2,)`` or ``(3, 32, 32)``.
        hidden: Widths of the hidden layers; ``()`` makes a linear generator.
        act_layer: Hidden activation, a type (``nn.ReLU``) or a registered name
            (``"relu"``, ``"leaky_relu"`` (slope 0.2), ``"tanh"``, ...).
        norm_layer: ``nn.BatchNorm1d``/``"batch_norm"``, ``nn.LayerNorm``/
            ``"layer_norm"`` or ``None``.
        first_layer_norm: Also normalise the first hidden layer.
        output_activation: Output activation as a type or a name, or ``None``
            for a linear output.
        num_classes: Number of classes ``K`` for a conditional generator
            ``G(z, labels)``, or ``None``.
        embed_dim: Size of a learned label embedding concatenated to ``z``;
            ``None`` concatenates the one-hot label. Only with ``num_classes``.
        init: Weight initialisation, one of ``"dcgan"``, ``"xavier"``,
            ``"default"`` or ``None`` (PyTorch's default); see
            :func:`~gankit.models.init_weights`.
        latent_components: ``K`` for a learned mixture-of-Gaussians latent
            (DeLiGAN): ``z``'s first coordinate picks one of ``K`` components
            and the other ``latent_dim - 1`` are its noise, see
            :class:`~gankit.models.LatentMixture`. ``None`` feeds ``z`` directly.
        latent_init_scale: The mixture components' initial scale
            :math:`\sigma_k` (only with ``latent_components``).

    Attributes:
        latent_dim (int): Width of ``z``.
        out_shape (tuple[int, ...]): Shape of one sample.
        num_classes (int | None): ``K``, or ``None`` when unconditional.

    Raises:
        TypeError: If a size is not an int, a layer is not registered or
            ``latent_init_scale`` is not a real number.
        ValueError: If a size is below 1, a layer name or ``init`` is unknown,
            ``embed_dim`` is given without ``num_classes``, ``latent_init_scale``
            is not a positive finite number, or ``latent_components`` is given
            with ``latent_dim < 2``.

    Shape:
        - Input: ``z`` of shape ``(N, latent_dim)``; ``labels`` ``(N,)`` (int64)
          when conditional.
        - Output: ``(N, *out_shape)``.

    Example:
        >>> import torch
        >>> g = MLPGenerator(128, (3, 32, 32))
        >>> x = g(torch.randn(4, 128))
        >>> x.shape, bool(x.abs().max() <= 1)
        (torch.Size([4, 3, 32, 32]), True)
        >>> cg = MLPGenerator(2, (2,), hidden=(8,), num_classes=3)
        >>> cg(torch.randn(4, 2), torch.tensor([0, 1, 2, 0])).shape
        torch.Size([4, 2])
    """

    role: ClassVar[str] = "generator"
    config_keys: ClassVar[tuple[str, ...]] = (
        "latent_dim", "out_shape", "hidden", "act_layer", "norm_layer", "first_layer_norm",
        "output_activation", "num_classes", "embed_dim", "init", "latent_components",
        "latent_init_scale",
    )
    required_keys: ClassVar[tuple[str, ...]] = ("latent_dim", "out_shape")

    def __init__(
        self,
        latent_dim: int,
        out_shape: Sequence[int],
        hidden: Sequence[int] = (256, 512, 1024, 2048),
        act_layer: type[nn.Module] | str = nn.ReLU,
        norm_layer: type[nn.Module] | str | None = nn.BatchNorm1d,
        first_layer_norm: bool = False,
        output_activation: type[nn.Module] | str | None = nn.Tanh,
        num_classes: int | None = None,
        embed_dim: int | None = None,
        init: str | None = None,
        latent_components: int | None = None,
        latent_init_scale: float = 0.2,
    ) -> None:
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.out_shape = check_shape_tuple(out_shape, "out_shape")
        self.hidden = check_shape_tuple(hidden, "hidden", allow_empty=True)
        self.act_layer = resolve_activation(act_layer, "act_layer")
        self.norm_layer = resolve_norm(norm_layer, "1d", "norm_layer")
        self.first_layer_norm = bool(first_layer_norm)
        self.output_activation = (
            None if output_activation is None
            else resolve_activation(output_activation, "output_activation")
        )
        self.num_classes, self.embed_dim = check_label_code(num_classes, embed_dim)
        self.init = check_init(init)
        self.latent_components = check_optional_positive_int(
            latent_components, "latent_components"
        )
        self.latent_init_scale = check_positive_float(latent_init_scale, "latent_init_scale")
        self.latent_mixture = (
            None if self.latent_components is None
            else LatentMixture(self.latent_dim, self.latent_components, self.latent_init_scale)
        )
        #: The prior ``z`` must come from, or ``None`` for any (the mixture needs normal ``z``).
        self.latent_prior: LatentPrior | None = (
            None if self.latent_mixture is None else self.latent_mixture.latent_prior
        )

        self.label_code = (
            None if self.num_classes is None else LabelCode(self.num_classes, self.embed_dim)
        )
        width = (self.latent_dim - (self.latent_mixture is not None)
                 + (0 if self.label_code is None else self.label_code.dim))
        layers: list[nn.Module] = []
        for i, h in enumerate(self.hidden):
            normed = self.norm_layer is not None and (i > 0 or self.first_layer_norm)
            layers.append(nn.Linear(width, h, bias=not normed))
            if normed:
                layers.append(make_norm(self.norm_layer, h, "1d"))  # type: ignore[arg-type]
            layers.append(make_activation(self.act_layer))
            width = h
        layers.append(nn.Linear(width, math.prod(self.out_shape)))
        if self.output_activation is not None:
            layers.append(make_activation(self.output_activation))
        self.net = nn.Sequential(*layers)
        init_weights(self, self.init)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        """Generate one sample per latent code.

        Args:
            z: Latent codes of shape ``(N, latent_dim)``.
            labels: Class labels of shape ``(N,)`` when conditional, else ``None``.

        Returns:
            Samples of shape ``(N, *out_shape)``.

        Raises:
            ValueError: If ``z`` has the wrong shape, or labels are given to an
                unconditional generator, missing, mis-shaped or out of range.
        """
        check_shape(z, (None, self.latent_dim), "z")
        check_labels(labels, z.shape[0], self.num_classes)
        if self.latent_mixture is not None:
            z = self.latent_mixture(z)  # (N, latent_dim - 1)
        if self.label_code is not None and labels is not None:
            z = torch.cat([z, self.label_code(labels, z)], dim=1)  # (N, latent + code)
        return self.net(z).view(z.shape[0], *self.out_shape)  # (N, *out_shape)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture, as plain values.

        Returns:
            A dict with the keys :attr:`config_keys`; layers appear as their
            registered names.

        Example:
            >>> cfg = MLPGenerator(2, (2,), hidden=(), output_activation=None).get_config()
            >>> cfg["hidden"], cfg["output_activation"]
            ((), None)
        """
        return {
            "latent_dim": self.latent_dim,
            "out_shape": self.out_shape,
            "hidden": self.hidden,
            "act_layer": self.act_layer,
            "norm_layer": self.norm_layer,
            "first_layer_norm": self.first_layer_norm,
            "output_activation": self.output_activation,
            "num_classes": self.num_classes,
            "embed_dim": self.embed_dim,
            "init": self.init,
            "latent_components": self.latent_components,
            "latent_init_scale": self.latent_init_scale,
        }
