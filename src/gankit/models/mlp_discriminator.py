"""A fully connected discriminator: vanilla, maxout (Goodfellow et al.), packed (PacGAN)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from torch import Tensor, nn

from gankit._validation import (
    check_optional_positive_int,
    check_probability,
    check_shape_tuple,
)
from gankit.models._conditioning import ProjectionHead
from gankit.models._layers import (
    apply_spectral_norm,
    make_activation,
    make_norm,
    resolve_activation,
    resolve_norm,
)
from gankit.models._packing import check_pack, check_packed_batch
from gankit.models._registry import register_model
from gankit.models.initialization import check_init, init_weights
from gankit.models.maxout import Maxout
from gankit.models.pretrained_mixin import PretrainedMixin

__all__ = ["MLPDiscriminator"]


@register_model
class MLPDiscriminator(PretrainedMixin, nn.Module):
    r"""A multilayer perceptron that maps (packs of) samples to one logit each.

    .. math::

        h_0 = \mathrm{flatten}(x_1, \dots, x_m), \quad
        h_i = \mathrm{drop}\big(a(\mathrm{norm}_i(W_i h_{i-1} + b_i))\big), \quad
        D(x) = w^\top h_L + b \;\big[ + \langle e_y, h_L \rangle \big],

    where the bracketed projection term (Miyato & Koyama 2018) is present only
    when conditional. With ``maxout_pieces=k`` each hidden layer is a
    :class:`~gankit.models.Maxout` layer of ``k`` pieces instead of linear plus
    ``act_layer``. The output is a logit: :math:`\sigma(D(x))` is the paper's
    :math:`D(x)`; nothing ends in a sigmoid.

    **Packing** (PacGAN, Lin et al. 2018): with ``pack=m`` the discriminator
    judges ``m`` samples jointly. A batch ``(N, *in_shape)`` with ``N``
    divisible by ``m`` is reshaped to ``(N / m, m * prod(in_shape))``: samples
    ``m j, ..., m j + m - 1`` are concatenated into pack ``j``, which gets one
    logit. Pass real and fake samples in separate calls.

    Recipes: the seed material's vanilla D is ``MLPDiscriminator((3, 32, 32),
    act_layer=nn.ReLU)``; d2l's is ``MLPDiscriminator((2,), hidden=(5, 3),
    act_layer=nn.Tanh)``; Goodfellow et al.'s MNIST D is
    ``MLPDiscriminator((784,), hidden=(240, 240), maxout_pieces=5,
    input_dropout=0.2, dropout=0.5)``; PacGAN's is ``MLPDiscriminator((2,),
    hidden=(200,) * 3, maxout_pieces=5, pack=m)``. A WGAN-GP critic uses
    ``norm_layer=None`` or ``"layer_norm"``, never batch norm.

    Args:
        in_shape: Shape of one sample, e.g. ``(2,)`` or ``(3, 32, 32)``.
        hidden: Widths of the hidden layers; ``()`` gives a linear discriminator.
        act_layer: Hidden activation, a type or a registered name
            (``nn.LeakyReLU`` means negative slope 0.2). Unused with maxout.
        norm_layer: ``"batch_norm"``, ``"layer_norm"`` (or the types
            ``nn.BatchNorm1d``, ``nn.LayerNorm``) or ``None``.
        first_layer_norm: Also normalise the first hidden layer (by default,
            as in DCGAN, the input layer is not normalised).
        dropout: Dropout probability after each hidden layer.
        input_dropout: Dropout probability on the input.
        maxout_pieces: Use maxout hidden layers with this many pieces (>= 2).
        pack: Number of samples judged jointly (PacGAN); 1 means no packing.
        spectral_norm: Spectrally normalise every weight (Miyato et al. 2018).
        num_classes: Number of classes ``K`` for a conditional (projection)
            discriminator ``D(x, labels)``, or ``None``. Not with ``pack > 1``.
        init: ``"dcgan"``, ``"xavier"``, ``"default"`` or ``None``.

    Attributes:
        in_shape (tuple[int, ...]): Shape of one sample.
        num_classes (int | None): ``K``, or ``None`` when unconditional.
        pack (int): Samples per logit.

    Raises:
        TypeError: If a size is not an int or a layer is not registered.
        ValueError: If a size is out of range, a name is unknown, or
            ``pack > 1`` is combined with ``num_classes``.

    Shape:
        - Input: ``x`` of shape ``(N, *in_shape)`` with ``N % pack == 0``;
          ``labels`` ``(N,)`` (int64) when conditional.
        - Output: logits of shape ``(N // pack,)``.

    Example:
        >>> import torch
        >>> d = MLPDiscriminator((2,), hidden=(5, 3), act_layer=torch.nn.Tanh)
        >>> d(torch.randn(8, 2)).shape
        torch.Size([8])
        >>> MLPDiscriminator((2,), hidden=(16,), pack=4)(torch.randn(8, 2)).shape
        torch.Size([2])
    """

    role: ClassVar[str] = "discriminator"
    config_keys: ClassVar[tuple[str, ...]] = (
        "in_shape", "hidden", "act_layer", "norm_layer", "first_layer_norm", "dropout",
        "input_dropout", "maxout_pieces", "pack", "spectral_norm", "num_classes", "init",
    )
    required_keys: ClassVar[tuple[str, ...]] = ("in_shape",)

    def __init__(
        self,
        in_shape: Sequence[int],
        hidden: Sequence[int] = (1024, 512, 256),
        act_layer: type[nn.Module] | str = nn.LeakyReLU,
        norm_layer: type[nn.Module] | str | None = None,
        first_layer_norm: bool = False,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        maxout_pieces: int | None = None,
        pack: int = 1,
        spectral_norm: bool = False,
        num_classes: int | None = None,
        init: str | None = None,
    ) -> None:
        super().__init__()
        self.in_shape = check_shape_tuple(in_shape, "in_shape")
        self.hidden = check_shape_tuple(hidden, "hidden", allow_empty=True)
        self.act_layer = resolve_activation(act_layer, "act_layer")
        self.norm_layer = resolve_norm(norm_layer, "1d", "norm_layer")
        self.first_layer_norm = bool(first_layer_norm)
        self.dropout = check_probability(dropout, "dropout")
        self.input_dropout = check_probability(input_dropout, "input_dropout")
        self.maxout_pieces = check_optional_positive_int(maxout_pieces, "maxout_pieces")
        if self.maxout_pieces is not None and self.maxout_pieces < 2:
            raise ValueError(f"maxout_pieces must be None or at least 2, got {maxout_pieces}")
        self.pack, self.num_classes = check_pack(pack, num_classes)
        self.spectral_norm = bool(spectral_norm)
        self.init = check_init(init)

        width = self.pack * math.prod(self.in_shape)
        layers: list[nn.Module] = []
        if self.input_dropout > 0:
            layers.append(nn.Dropout(self.input_dropout))
        for i, h in enumerate(self.hidden):
            normed = self.norm_layer is not None and (i > 0 or self.first_layer_norm)
            if self.maxout_pieces is not None:
                layers.append(Maxout(width, h, self.maxout_pieces))
            else:
                layers.append(nn.Linear(width, h, bias=not normed))
            if normed:
                layers.append(make_norm(self.norm_layer, h, "1d"))  # type: ignore[arg-type]
            if self.maxout_pieces is None:
                layers.append(make_activation(self.act_layer))
            if self.dropout > 0:
                layers.append(nn.Dropout(self.dropout))
            width = h
        self.features = nn.Sequential(*layers)
        self.head = ProjectionHead(width, self.num_classes)
        init_weights(self, self.init)
        if self.spectral_norm:
            apply_spectral_norm(self)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        """Return one logit per sample (or per pack of ``pack`` samples).

        Args:
            x: Samples of shape ``(N, *in_shape)``.
            labels: Class labels of shape ``(N,)`` when conditional, else ``None``.

        Returns:
            Logits of shape ``(N // pack,)``.

        Raises:
            ValueError: If ``x`` has the wrong shape, ``N`` is not divisible by
                ``pack``, or labels are given to an unconditional model,
                missing, mis-shaped or out of range.
        """
        n = check_packed_batch(x, self.in_shape, labels, self.num_classes, self.pack)
        h = self.features(x.reshape(n // self.pack, -1))  # (N / m, hidden[-1])
        return self.head(h, labels)  # (N / m,)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture, as plain values.

        Returns:
            A dict with the keys :attr:`config_keys`; layers appear as their
            registered names.

        Example:
            >>> MLPDiscriminator((2,), hidden=(5, 3), act_layer=nn.Tanh).get_config()["act_layer"]
            'tanh'
        """
        return {
            "in_shape": self.in_shape,
            "hidden": self.hidden,
            "act_layer": self.act_layer,
            "norm_layer": self.norm_layer,
            "first_layer_norm": self.first_layer_norm,
            "dropout": self.dropout,
            "input_dropout": self.input_dropout,
            "maxout_pieces": self.maxout_pieces,
            "pack": self.pack,
            "spectral_norm": self.spectral_norm,
            "num_classes": self.num_classes,
            "init": self.init,
        }
