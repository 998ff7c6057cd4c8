"""The DCGAN generator (Radford et al. 2015): transposed convolutions up to any square size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from gankit._validation import (
    check_image_shape,
    check_labels,
    check_positive_int,
    check_shape,
)
from gankit.models._conditioning import LabelCode, check_label_code
from gankit.models._layers import make_activation, make_norm, resolve_activation, resolve_norm
from gankit.models._registry import register_model
from gankit.models._sizes import check_attention_resolution, size_plan
from gankit.models.initialization import check_init, init_weights
from gankit.models.pretrained_mixin import PretrainedMixin
from gankit.models.self_attention import SelfAttention2d

__all__ = ["DCGANGenerator"]


@register_model
class DCGANGenerator(PretrainedMixin, nn.Module):
    r"""A DCGAN generator: strided transposed convolutions, batch norm, ReLU, tanh output.

    With ``out_shape = (C, S, S)`` and :math:`S = s_0 \cdot 2^n`,
    :math:`s_0 \in \{4, 7\}`, :math:`n \ge 1` (8, 14, 16, 28, 32, 56, 64, 112,
    128, ...) and ``b = base_channels``::

        [z; c_y]  (N, latent_dim [+ code], 1, 1)
        ConvT(k=s0)              -> norm -> act   (N, b·2^(n-1), s0, s0)
        (n-1) x ConvT(k=4, s=2)  -> norm -> act   channels halve, size doubles
                                         [self-attention after the layer of attention_resolution]
        ConvT(k=4, s=2)          -> tanh          (N, C, S, S)

    so :math:`G(z) = \tanh(\cdots)` lies in :math:`[-1, 1]`. As in the paper
    every layer but the output is normalised, and normalised convolutions have
    no bias. For ``S = 64`` and ``b = 64`` this is the PyTorch DCGAN example's
    generator (512, 256, 128, 64 channels); for MNIST (28) it is 128, 64 ->
    1 channel like the Keras tutorial's.

    Args:
        latent_dim: Width of the latent code ``z``.
        out_shape: ``(C, H, W)`` with ``H == W`` of a supported size, any ``C``.
        base_channels: Channels of the last hidden layer; doubles per stage inwards.
        act_layer: Hidden activation, a type or a registered name (default ReLU).
        norm_layer: ``"batch_norm"``, ``"instance_norm"``, ``"layer_norm"``
            (``GroupNorm(1, C)``), the types ``nn.BatchNorm2d``,
            ``nn.InstanceNorm2d``, ``nn.LayerNorm``, or ``None``.
        num_classes: Number of classes ``K`` for a conditional generator
            ``G(z, labels)``, or ``None``.
        embed_dim: Size of a learned label embedding concatenated to ``z``;
            ``None`` concatenates the one-hot label. Only with ``num_classes``.
        init: ``"dcgan"`` (default: N(0, 0.02)), ``"xavier"``, ``"default"`` or ``None``.
        attention_resolution: Insert a :class:`SelfAttention2d` (SAGAN) after
            the hidden layer whose feature map has this side (``s0, 2 s0, ...,
            S/2``), or ``None`` (default: the plain DCGAN).

    Attributes:
        latent_dim (int): Width of ``z``.
        out_shape (tuple[int, int, int]): ``(C, H, W)``.
        num_classes (int | None): ``K``, or ``None`` when unconditional.

    Raises:
        TypeError: If a size is not an int or a layer is not registered.
        ValueError: If the image size is unsupported (the message lists the
            sizes that work), a name is unknown, ``embed_dim`` is given
            without ``num_classes``, or ``attention_resolution`` is not the
            side of a hidden feature map (the message lists those).

    Shape:
        - Input: ``z`` of shape ``(N, latent_dim)``; ``labels`` ``(N,)`` (int64)
          when conditional.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> g = DCGANGenerator(100, (1, 28, 28), base_channels=8)
        >>> x = g(torch.randn(4, 100))
        >>> x.shape, bool(x.abs().max() <= 1)
        (torch.Size([4, 1, 28, 28]), True)
    """

    role: ClassVar[str] = "generator"
    config_keys: ClassVar[tuple[str, ...]] = (
        "latent_dim", "out_shape", "base_channels", "act_layer", "norm_layer",
        "num_classes", "embed_dim", "init", "attention_resolution",
    )
    required_keys: ClassVar[tuple[str, ...]] = ("latent_dim", "out_shape")

    def __init__(
        self,
        latent_dim: int,
        out_shape: Sequence[int],
        base_channels: int = 64,
        act_layer: type[nn.Module] | str = nn.ReLU,
        norm_layer: type[nn.Module] | str | None = nn.BatchNorm2d,
        num_classes: int | None = None,
        embed_dim: int | None = None,
        init: str | None = "dcgan",
        attention_resolution: int | None = None,
    ) -> None:
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.out_shape = check_image_shape(out_shape, "out_shape")
        self.base_channels = check_positive_int(base_channels, "base_channels")
        self.act_layer = resolve_activation(act_layer, "act_layer")
        self.norm_layer = resolve_norm(norm_layer, "2d", "norm_layer")
        self.num_classes, self.embed_dim = check_label_code(num_classes, embed_dim)
        self.init = check_init(init)
        start, stages = size_plan(self.out_shape[1], "out_shape")
        sizes = [start * 2**i for i in range(stages)]  # after each hidden layer
        self.attention_resolution = check_attention_resolution(attention_resolution, sizes)

        self.label_code = (
            None if self.num_classes is None else LabelCode(self.num_classes, self.embed_dim)
        )
        width = self.latent_dim + (0 if self.label_code is None else self.label_code.dim)
        channels = self.base_channels * 2 ** (stages - 1)
        layers = self._block(width, channels, start, 1, 0) + self._attention(start, channels)
        for size in sizes[1:]:
            layers += self._block(channels, channels // 2, 4, 2, 1)
            channels //= 2
            layers += self._attention(size, channels)
        layers += [nn.ConvTranspose2d(channels, self.out_shape[0], 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        init_weights(self, self.init)

    def _block(self, c_in: int, c_out: int, kernel: int, stride: int,
               padding: int) -> list[nn.Module]:
        """Return ``conv -> norm -> act``; the conv has a bias only without norm."""
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(c_in, c_out, kernel, stride, padding,
                               bias=self.norm_layer is None)
        ]
        if self.norm_layer is not None:
            layers.append(make_norm(self.norm_layer, c_out, "2d"))
        layers.append(make_activation(self.act_layer))
        return layers

    def _attention(self, size: int, channels: int) -> list[nn.Module]:
        """Return ``[SelfAttention2d]`` after the layer of side ``attention_resolution``."""
        return [SelfAttention2d(channels)] if size == self.attention_resolution else []

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        """Generate one image per latent code.

        Args:
            z: Latent codes of shape ``(N, latent_dim)``.
            labels: Class labels of shape ``(N,)`` when conditional, else ``None``.

        Returns:
            Images of shape ``(N, C, H, W)`` in ``[-1, 1]``.

        Raises:
            ValueError: If ``z`` has the wrong shape, or labels are given to an
                unconditional generator, missing, mis-shaped or out of range.
        """
        check_shape(z, (None, self.latent_dim), "z")
        check_labels(labels, z.shape[0], self.num_classes)
        if self.label_code is not None and labels is not None:
            z = torch.cat([z, self.label_code(labels, z)], dim=1)  # (N, latent + code)
        return self.net(z[:, :, None, None])  # (N, C, H, W)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture, as plain values.

        Returns:
            A dict with the keys :attr:`config_keys`; layers appear as their
            registered names.

        Example:
            >>> DCGANGenerator(8, (3, 16, 16), base_channels=4).get_config()["norm_layer"]
            'batch_norm'
        """
        return {
            "latent_dim": self.latent_dim,
            "out_shape": self.out_shape,
            "base_channels": self.base_channels,
            "act_layer": self.act_layer,
            "norm_layer": self.norm_layer,
            "num_classes": self.num_classes,
            "embed_dim": self.embed_dim,
            "init": self.init,
            "attention_resolution": self.attention_resolution,
        }
