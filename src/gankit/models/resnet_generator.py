"""The SNGAN ResNet generator (Miyato et al. 2018), class-conditional through batch norm."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from torch import Tensor, nn

from gankit._validation import (
    check_image_shape,
    check_labels,
    check_optional_positive_int,
    check_positive_int,
    check_shape,
)
from gankit.models._registry import register_model
from gankit.models._resnet_blocks import GeneratorBlock
from gankit.models._sizes import check_attention_resolution, size_plan
from gankit.models.initialization import check_init, init_weights
from gankit.models.pretrained_mixin import PretrainedMixin
from gankit.models.self_attention import SelfAttention2d

__all__ = ["ResNetGenerator"]


@register_model
class ResNetGenerator(PretrainedMixin, nn.Module):
    r"""A ResNet generator: up-sampling residual blocks, batch norm, ReLU, tanh output.

    With ``out_shape = (C, S, S)``, :math:`S = s_0 \cdot 2^n`,
    :math:`s_0 \in \{4, 7\}`, :math:`n \ge 1` (8, 14, 16, 28, 32, 56, 64, ...)
    and ``b = base_channels``::

        z                                  (N, latent_dim)
        linear, reshape                    (N, b, s0, s0)
        n x residual block                 size doubles, b channels
        [self-attention after the block whose output is attention_resolution]
        batch norm -> ReLU -> conv3x3 -> tanh   (N, C, S, S)

    Each residual block computes :math:`h + \text{shortcut}(h)` with

    .. math::

        \text{residual}(h) = W_2 * \mathrm{ReLU}(\mathrm{BN}(W_1 * \mathrm{up}(
            \mathrm{ReLU}(\mathrm{BN}(h))))), \qquad
        \text{shortcut}(h) = W_{sc} * \mathrm{up}(h),

    with 3x3 convolutions :math:`W_1, W_2`, a 1x1 convolution :math:`W_{sc}`
    and nearest-neighbour 2x up-sampling (SNGAN's Chainer code; Mimicry
    up-samples bilinearly). For ``S = 32`` and ``b = 256`` this is the CIFAR-10
    generator of Miyato et al. and Mimicry's ``ResNetGenerator32``;
    every block keeps ``b`` channels (Mimicry's 64x64 and 128x128 models halve
    them per block instead). Convolutions before a batch norm have no bias (the
    norm would cancel it), so only the output convolution has one.

    With ``num_classes=K`` the generator is conditional, ``G(z, labels)``: the
    batch norms inside the blocks become :class:`ConditionalBatchNorm2d`
    (Miyato & Koyama 2018), and ``z`` is not concatenated with a label code.

    Args:
        latent_dim: Width of the latent code ``z`` (SNGAN: 128).
        out_shape: ``(C, H, W)`` with ``H == W`` of a supported size, any ``C``.
        base_channels: Channels of every block (SNGAN's CIFAR-10 generator: 256).
        num_classes: Number of classes ``K`` for a conditional generator, or ``None``.
        init: ``"xavier"`` (default; SNGAN uses gain :math:`\sqrt 2` on the
            residual convolutions), ``"dcgan"``, ``"default"`` or ``None``.
        attention_resolution: Insert a :class:`SelfAttention2d` after the block
            whose feature map has this side (``2 s0, 4 s0, ..., S``), or ``None``.

    Attributes:
        latent_dim (int): Width of ``z``.
        out_shape (tuple[int, int, int]): ``(C, H, W)``.
        num_classes (int | None): ``K``, or ``None`` when unconditional.
        attention (SelfAttention2d | None): The attention block, if any.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If the image size is unsupported (the message lists the
            sizes that work), or ``attention_resolution`` is not a feature-map
            size of this generator (the message lists those).

    Shape:
        - Input: ``z`` of shape ``(N, latent_dim)``; ``labels`` ``(N,)`` (int64)
          when conditional.
        - Output: ``(N, C, H, W)`` in ``[-1, 1]``.

    Example:
        >>> import torch
        >>> g = ResNetGenerator(16, (3, 32, 32), base_channels=8, num_classes=10)
        >>> x = g(torch.randn(4, 16), torch.tensor([0, 1, 2, 9]))
        >>> x.shape, bool(x.abs().max() <= 1)
        (torch.Size([4, 3, 32, 32]), True)
    """

    role: ClassVar[str] = "generator"
    config_keys: ClassVar[tuple[str, ...]] = (
        "latent_dim", "out_shape", "base_channels", "num_classes", "init",
        "attention_resolution",
    )
    required_keys: ClassVar[tuple[str, ...]] = ("latent_dim", "out_shape")

    def __init__(
        self,
        latent_dim: int,
        out_shape: Sequence[int],
        base_channels: int = 256,
        num_classes: int | None = None,
        init: str | None = "xavier",
        attention_resolution: int | None = None,
    ) -> None:
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.out_shape = check_image_shape(out_shape, "out_shape")
        self.base_channels = check_positive_int(base_channels, "base_channels")
        self.num_classes = check_optional_positive_int(num_classes, "num_classes")
        self.start, stages = size_plan(self.out_shape[1], "out_shape", "ResNet")
        sizes = [self.start * 2**i for i in range(1, stages + 1)]  # after each block
        self.attention_resolution = check_attention_resolution(attention_resolution, sizes)
        self.init = check_init(init)

        b = self.base_channels
        self.linear = nn.Linear(self.latent_dim, b * self.start**2, bias=False)
        self.blocks = nn.ModuleList(GeneratorBlock(b, b, self.num_classes) for _ in sizes)
        self._attention_after = (
            None if self.attention_resolution is None else sizes.index(self.attention_resolution)
        )
        self.attention = None if self.attention_resolution is None else SelfAttention2d(b)
        self.output = nn.Sequential(
            nn.BatchNorm2d(b), nn.ReLU(), nn.Conv2d(b, self.out_shape[0], 3, padding=1), nn.Tanh()
        )
        init_weights(self, self.init)

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
        h = self.linear(z).reshape(z.shape[0], self.base_channels, self.start, self.start)
        for i, block in enumerate(self.blocks):
            h = block(h, labels)  # (N, b, s0·2^(i+1), s0·2^(i+1))
            if i == self._attention_after and self.attention is not None:
                h = self.attention(h)
        return self.output(h)  # (N, C, H, W)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture, as plain values.

        Returns:
            A dict with the keys :attr:`config_keys`.

        Example:
            >>> ResNetGenerator(8, (1, 28, 28), base_channels=4).get_config()["out_shape"]
            (1, 28, 28)
        """
        return {
            "latent_dim": self.latent_dim,
            "out_shape": self.out_shape,
            "base_channels": self.base_channels,
            "num_classes": self.num_classes,
            "init": self.init,
            "attention_resolution": self.attention_resolution,
        }
