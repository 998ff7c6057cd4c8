"""The DCGAN discriminator (Radford et al. 2015): strided convolutions down to one logit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from torch import nn

from gankit._validation import (
    check_image_shape,
    check_positive_int,
    check_probability,
)
from gankit.models._conditioning import ProjectionHead
from gankit.models._image_discriminator import ImageDiscriminator, check_aux_classes
from gankit.models._layers import (
    apply_spectral_norm,
    make_activation,
    make_norm,
    resolve_activation,
    resolve_norm,
)
from gankit.models._packing import check_pack
from gankit.models._registry import register_model
from gankit.models._sizes import check_attention_resolution, size_plan
from gankit.models.initialization import check_init, init_weights
from gankit.models.self_attention import SelfAttention2d

__all__ = ["DCGANDiscriminator"]


@register_model
class DCGANDiscriminator(ImageDiscriminator):
    r"""A DCGAN discriminator: strided convolutions, LeakyReLU(0.2), no pooling, a logit.

    With ``in_shape = (C, S, S)``, :math:`S = s_0 \cdot 2^n`,
    :math:`s_0 \in \{4, 7\}`, :math:`n \ge 1` (8, 14, 16, 28, 32, 56, 64, 112,
    128, ...) and ``b = base_channels``::

        x                                      (N, C, S, S)
        Conv(k=4, s=2)          -> act         (N, b, S/2, S/2)    no norm on the input layer
        (n-1) x Conv(k=4, s=2)  -> norm -> act channels double, size halves
                                       [self-attention after the layer of attention_resolution]
        flatten = phi(x)                       (N, b·2^(n-1)·s0·s0)
        logit                                  (N,)

    .. math::

        D(x) = w^\top \phi(x) + b \;\big[ + \langle e_y, \phi(x) \rangle \big],

    where the bracketed projection term (Miyato & Koyama 2018) is present only
    when conditional. The linear output on the flattened ``s0 x s0`` map is the
    usual final ``Conv(k=s0)``. :math:`\sigma(D(x))` is the paper's
    :math:`D(x)`; nothing ends in a sigmoid.

    With ``pack=m`` (PacGAN) a batch ``(N, C, H, W)`` with ``N`` divisible by
    ``m`` is reshaped to ``(N / m, m C, H, W)``: samples ``m j, ..., m j + m - 1``
    are stacked along the channels into pack ``j``, which gets one logit.

    Args:
        in_shape: ``(C, H, W)`` with ``H == W`` of a supported size, any ``C``.
        base_channels: Channels of the input layer; doubles per stage.
        act_layer: Activation, a type or a registered name (default
            ``nn.LeakyReLU``, i.e. slope 0.2).
        norm_layer: ``"batch_norm"`` (default), ``"instance_norm"``,
            ``"layer_norm"`` (``GroupNorm(1, C)``), the matching types, or
            ``None``. A WGAN-GP critic needs ``None`` or ``"layer_norm"``.
        dropout: Dropout probability after each activation (the Keras DCGAN uses 0.3).
        pack: Number of samples judged jointly (PacGAN); 1 means no packing.
        spectral_norm: Spectrally normalise every weight (Miyato et al. 2018).
        num_classes: Number of classes ``K`` for a conditional (projection)
            discriminator ``D(x, labels)``, or ``None``. Not with ``pack > 1``.
        aux_classes: Number of classes ``K`` of an ACGAN class head (Odena et
            al. 2017) on the same features, read by
            :meth:`logits_and_classes` and :class:`gankit.losses.AuxiliaryClassifier`;
            or ``None``. Without ``num_classes`` the real/fake logit ignores
            the labels it is given. Not with ``pack > 1``.
        init: ``"dcgan"`` (default: N(0, 0.02)), ``"xavier"``, ``"default"`` or ``None``.
        attention_resolution: Insert a :class:`SelfAttention2d` (SAGAN) after
            the layer whose feature map has this side (``S/2, S/4, ..., s0``),
            or ``None`` (default: the plain DCGAN).

    Attributes:
        in_shape (tuple[int, int, int]): ``(C, H, W)``.
        num_classes (int | None): ``K``, or ``None`` when unconditional.
        aux_classes (int | None): The class head's ``K``, or ``None``.
        pack (int): Samples per logit.

    Raises:
        TypeError: If a size is not an int or a layer is not registered.
        ValueError: If the image size is unsupported (the message lists the
            sizes that work), a name is unknown, ``pack > 1`` is combined
            with ``num_classes``, or ``attention_resolution`` is not the side
            of a feature map (the message lists those).

    Shape:
        - Input: ``x`` of shape ``(N, C, H, W)`` with ``N % pack == 0``;
          ``labels`` ``(N,)`` (int64) when conditional.
        - Output: logits of shape ``(N // pack,)``.

    Example:
        >>> import torch
        >>> d = DCGANDiscriminator((3, 32, 32), base_channels=8, num_classes=10)
        >>> d(torch.randn(4, 3, 32, 32), torch.tensor([0, 3, 9, 3])).shape
        torch.Size([4])
    """

    role: ClassVar[str] = "discriminator"
    config_keys: ClassVar[tuple[str, ...]] = (
        "in_shape", "base_channels", "act_layer", "norm_layer", "dropout", "pack",
        "spectral_norm", "num_classes", "init", "attention_resolution", "aux_classes",
    )
    required_keys: ClassVar[tuple[str, ...]] = ("in_shape",)

    def __init__(
        self,
        in_shape: Sequence[int],
        base_channels: int = 64,
        act_layer: type[nn.Module] | str = nn.LeakyReLU,
        norm_layer: type[nn.Module] | str | None = nn.BatchNorm2d,
        dropout: float = 0.0,
        pack: int = 1,
        spectral_norm: bool = False,
        num_classes: int | None = None,
        init: str | None = "dcgan",
        attention_resolution: int | None = None,
        aux_classes: int | None = None,
    ) -> None:
        super().__init__()
        self.in_shape = check_image_shape(in_shape, "in_shape")
        self.base_channels = check_positive_int(base_channels, "base_channels")
        self.act_layer = resolve_activation(act_layer, "act_layer")
        self.norm_layer = resolve_norm(norm_layer, "2d", "norm_layer")
        self.dropout = check_probability(dropout, "dropout")
        self.pack, self.num_classes = check_pack(pack, num_classes)
        self.aux_classes = check_aux_classes(aux_classes, self.pack)
        self.spectral_norm = bool(spectral_norm)
        self.init = check_init(init)
        start, stages = size_plan(self.in_shape[1], "in_shape")
        sizes = [self.in_shape[1] // 2**i for i in range(1, stages + 1)]  # after each layer
        self.attention_resolution = check_attention_resolution(attention_resolution, sizes)

        channels = self.base_channels
        layers = self._block(self.pack * self.in_shape[0], channels, normed=False)
        layers += self._attention(sizes[0], channels)
        for size in sizes[1:]:
            layers += self._block(channels, 2 * channels, normed=self.norm_layer is not None)
            channels *= 2
            layers += self._attention(size, channels)
        layers.append(nn.Flatten())
        self.features = nn.Sequential(*layers)
        features = channels * start * start
        self.head = ProjectionHead(features, self.num_classes)
        k = self.aux_classes
        self.class_head = None if k is None else nn.Linear(features, k)
        init_weights(self, self.init)
        if self.spectral_norm:
            apply_spectral_norm(self)

    def _block(self, c_in: int, c_out: int, normed: bool) -> list[nn.Module]:
        """Return ``conv(k=4, s=2) -> [norm] -> act -> [dropout]``."""
        layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not normed)]
        if normed:
            layers.append(make_norm(self.norm_layer, c_out, "2d"))  # type: ignore[arg-type]
        layers.append(make_activation(self.act_layer))
        if self.dropout > 0:
            layers.append(nn.Dropout(self.dropout))
        return layers

    def _attention(self, size: int, channels: int) -> list[nn.Module]:
        """Return ``[SelfAttention2d]`` after the layer of side ``attention_resolution``."""
        return [SelfAttention2d(channels)] if size == self.attention_resolution else []

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture, as plain values.

        Returns:
            A dict with the keys :attr:`config_keys`; layers appear as their
            registered names.

        Example:
            >>> DCGANDiscriminator((1, 28, 28), norm_layer=None).get_config()["norm_layer"] is None
            True
        """
        return {
            "in_shape": self.in_shape,
            "base_channels": self.base_channels,
            "act_layer": self.act_layer,
            "norm_layer": self.norm_layer,
            "dropout": self.dropout,
            "pack": self.pack,
            "spectral_norm": self.spectral_norm,
            "num_classes": self.num_classes,
            "init": self.init,
            "attention_resolution": self.attention_resolution,
            "aux_classes": self.aux_classes,
        }
