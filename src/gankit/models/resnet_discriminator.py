"""The SNGAN ResNet discriminator (Miyato et al. 2018), with an optional projection head."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch.nn.functional as F
from torch import Tensor, nn

from gankit._validation import check_image_shape, check_positive_int
from gankit.models._conditioning import ProjectionHead
from gankit.models._image_discriminator import ImageDiscriminator, check_aux_classes
from gankit.models._layers import apply_spectral_norm
from gankit.models._packing import check_pack
from gankit.models._registry import register_model
from gankit.models._resnet_blocks import DiscriminatorBlock, OptimizedBlock
from gankit.models._sizes import check_attention_resolution, size_plan
from gankit.models.initialization import check_init, init_weights
from gankit.models.self_attention import SelfAttention2d

__all__ = ["ResNetDiscriminator"]

#: Blocks that keep the size, after the last down-sampling one (SNGAN's CIFAR-10 D).
_PLAIN_BLOCKS = 2


@register_model
class ResNetDiscriminator(ImageDiscriminator):
    r"""A ResNet discriminator: residual blocks, ReLU, global sum pooling, a linear logit.

    With ``in_shape = (C, S, S)``, :math:`S = s_0 \cdot 2^n`,
    :math:`s_0 \in \{4, 7\}`, :math:`n \ge 1` (8, 14, 16, 28, 32, 56, 64, ...),
    :math:`d = \max(1, n - 1)` and ``b = base_channels``::

        x                                        (N, C, S, S)
        optimised block (down)                   (N, b, S/2, S/2)
        (d - 1) x residual block (down)          size halves, to S/2^d
        [self-attention after the block whose output is attention_resolution]
        2 x residual block                       (N, b, S/2^d, S/2^d)
        ReLU, sum over positions = phi(x)        (N, b)
        logit                                    (N,)

    so the image is halved down to 8x8, or 14x14 for the sizes :math:`7 \cdot 2^n`
    (``S = 8`` and ``S = 14`` only once, to 4x4 and 7x7). For ``S = 32`` and
    ``b = 128`` this is the CIFAR-10 discriminator of Miyato et al. and
    Mimicry's ``ResNetDiscriminator32``. A block computes

    .. math::

        \text{residual}(h) = \mathrm{pool}(W_2 * \mathrm{ReLU}(W_1 * \mathrm{ReLU}(h))),
        \qquad \text{shortcut}(h) = \mathrm{pool}(W_{sc} * h),

    with 2x2 average pooling when it down-samples and an identity shortcut
    when it neither down-samples nor widens; the optimised first block has no
    ReLU before :math:`W_1` and pools before :math:`W_{sc}`. The logit is

    .. math::

        D(x) = w^\top \phi(x) + b_0 \;\big[ + \langle e_y, \phi(x) \rangle \big],

    where the bracketed projection term (Miyato & Koyama 2018) is present only
    when conditional. With ``spectral_norm`` (the default) every convolution,
    the linear head and the class embedding :math:`e` are spectrally
    normalised. Nothing ends in a sigmoid.

    With ``pack=m`` (PacGAN) a batch ``(N, C, H, W)`` with ``N`` divisible by
    ``m`` is reshaped to ``(N / m, m C, H, W)``: samples ``m j, ..., m j + m - 1``
    are stacked along the channels into pack ``j``, which gets one logit.

    Args:
        in_shape: ``(C, H, W)`` with ``H == W`` of a supported size, any ``C``.
        base_channels: Channels of every block (SNGAN's CIFAR-10 critic: 128).
        pack: Number of samples judged jointly (PacGAN); 1 means no packing.
        spectral_norm: Spectrally normalise every weight (Miyato et al. 2018).
        num_classes: Number of classes ``K`` for a conditional (projection)
            discriminator ``D(x, labels)``, or ``None``. Not with ``pack > 1``.
        aux_classes: Number of classes ``K`` of an ACGAN class head (Odena et
            al. 2017) on the same features, read by
            :meth:`logits_and_classes` and :class:`gankit.losses.AuxiliaryClassifier`;
            or ``None``. Without ``num_classes`` the real/fake logit ignores
            the labels it is given. Not with ``pack > 1``.
        init: ``"xavier"`` (default; SNGAN uses gain :math:`\sqrt 2` on the
            residual convolutions), ``"dcgan"``, ``"default"`` or ``None``.
        attention_resolution: Insert a :class:`SelfAttention2d` after the
            down-sampling block whose feature map has this side
            (``S/2, S/4, ..., S/2^d``), or ``None``.

    Attributes:
        in_shape (tuple[int, int, int]): ``(C, H, W)``.
        num_classes (int | None): ``K``, or ``None`` when unconditional.
        aux_classes (int | None): The class head's ``K``, or ``None``.
        pack (int): Samples per logit.
        attention (SelfAttention2d | None): The attention block, if any.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If the image size is unsupported (the message lists the
            sizes that work), ``pack > 1`` is combined with ``num_classes``,
            or ``attention_resolution`` is not a feature-map size of this
            discriminator (the message lists those).

    Shape:
        - Input: ``x`` of shape ``(N, C, H, W)`` with ``N % pack == 0``;
          ``labels`` ``(N,)`` (int64) when conditional.
        - Output: logits of shape ``(N // pack,)``.

    Example:
        >>> import torch
        >>> d = ResNetDiscriminator((3, 32, 32), base_channels=8, num_classes=10)
        >>> d(torch.randn(4, 3, 32, 32), torch.tensor([0, 3, 9, 3])).shape
        torch.Size([4])
    """

    role: ClassVar[str] = "discriminator"
    config_keys: ClassVar[tuple[str, ...]] = (
        "in_shape", "base_channels", "pack", "spectral_norm", "num_classes", "init",
        "attention_resolution", "aux_classes",
    )
    required_keys: ClassVar[tuple[str, ...]] = ("in_shape",)

    def __init__(
        self,
        in_shape: Sequence[int],
        base_channels: int = 128,
        pack: int = 1,
        spectral_norm: bool = True,
        num_classes: int | None = None,
        init: str | None = "xavier",
        attention_resolution: int | None = None,
        aux_classes: int | None = None,
    ) -> None:
        super().__init__()
        self.in_shape = check_image_shape(in_shape, "in_shape")
        self.base_channels = check_positive_int(base_channels, "base_channels")
        self.pack, self.num_classes = check_pack(pack, num_classes)
        self.aux_classes = check_aux_classes(aux_classes, self.pack)
        self.spectral_norm = bool(spectral_norm)
        _, stages = size_plan(self.in_shape[1], "in_shape", "ResNet")
        downs = max(1, stages - 1)
        sizes = [self.in_shape[1] // 2**i for i in range(1, downs + 1)]  # after each down block
        self.attention_resolution = check_attention_resolution(attention_resolution, sizes)
        self.init = check_init(init)

        b = self.base_channels
        blocks: list[nn.Module] = [OptimizedBlock(self.pack * self.in_shape[0], b)]
        blocks += [DiscriminatorBlock(b, b, downsample=True) for _ in sizes[1:]]
        blocks += [DiscriminatorBlock(b, b, downsample=False) for _ in range(_PLAIN_BLOCKS)]
        self.blocks = nn.ModuleList(blocks)
        self._attention_after = (
            None if self.attention_resolution is None else sizes.index(self.attention_resolution)
        )
        self.attention = None if self.attention_resolution is None else SelfAttention2d(b)
        self.head = ProjectionHead(b, self.num_classes)
        self.class_head = None if self.aux_classes is None else nn.Linear(b, self.aux_classes)
        init_weights(self, self.init)
        if self.spectral_norm:
            apply_spectral_norm(self)

    def features(self, x: Tensor) -> Tensor:
        r"""Return :math:`\phi(x)`, the summed last feature map, of packed images.

        Args:
            x: Packs of shape ``(N / pack, pack · C, H, W)`` (unchecked).

        Returns:
            Features of shape ``(N / pack, base_channels)``.
        """
        h = x
        for i, block in enumerate(self.blocks):
            h = block(h)  # (N/m, b, s, s)
            if i == self._attention_after and self.attention is not None:
                h = self.attention(h)
        return F.relu(h).sum(dim=(2, 3))  # (N/m, b): global sum pooling

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture, as plain values.

        Returns:
            A dict with the keys :attr:`config_keys`.

        Example:
            >>> ResNetDiscriminator((1, 28, 28), spectral_norm=False).get_config()["spectral_norm"]
            False
        """
        return {
            "in_shape": self.in_shape,
            "base_channels": self.base_channels,
            "pack": self.pack,
            "spectral_norm": self.spectral_norm,
            "num_classes": self.num_classes,
            "init": self.init,
            "attention_resolution": self.attention_resolution,
            "aux_classes": self.aux_classes,
        }
