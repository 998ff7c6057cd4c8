"""Weight initialisation schemes for generators and discriminators."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize

__all__ = ["INIT_SCHEMES", "check_init", "init_weights"]

#: The accepted values of ``init``; ``None`` means the same as ``"default"``.
INIT_SCHEMES: tuple[str, ...] = ("dcgan", "default", "xavier")

_WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d, nn.Embedding)


def check_init(init: object) -> str | None:
    """Return ``init`` unchanged if it names a scheme of :data:`INIT_SCHEMES` or is ``None``.

    Args:
        init: The value to check.

    Returns:
        ``init``.

    Raises:
        ValueError: If ``init`` is not ``None`` nor one of the allowed names.

    Example:
        >>> check_init("dcgan")
        'dcgan'
    """
    if init is not None and init not in INIT_SCHEMES:
        raise ValueError(f"unknown init {init!r}; allowed: None or one of {list(INIT_SCHEMES)}")
    return init


def _weight(module: nn.Module) -> Tensor:
    # Under spectral normalisation ``module.weight`` is computed; initialise the original.
    if parametrize.is_parametrized(module, "weight"):
        return module.parametrizations.weight.original  # type: ignore[union-attr, return-value]
    return module.weight  # type: ignore[return-value]


@torch.no_grad()
def init_weights(module: nn.Module, init: str | None) -> nn.Module:
    r"""Initialise every layer of ``module`` in place with a named scheme.

    - ``"dcgan"`` (Radford et al. 2015): weights of linear, convolution,
      transposed convolution and embedding layers
      :math:`\sim \mathcal{N}(0, 0.02^2)`; batch-norm scales
      :math:`\sim \mathcal{N}(1, 0.02^2)`; all of their biases 0.
    - ``"xavier"`` (Glorot & Bengio 2010): those weights
      :math:`\sim \mathcal{U}(-a, a)` with
      :math:`a = \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`, biases 0.
    - ``"default"`` or ``None``: leave PyTorch's own initialisation (no-op).

    Layer/group/instance norms keep scale 1 and shift 0 under every scheme.
    Spectrally normalised layers have their original (unnormalised) weight
    initialised.

    Args:
        module: The model to initialise.
        init: One of :data:`INIT_SCHEMES` or ``None``.

    Returns:
        ``module`` itself.

    Raises:
        ValueError: If ``init`` is unknown (the message lists the allowed ones).

    Example:
        >>> layer = init_weights(nn.Linear(500, 400), "dcgan")
        >>> round(layer.weight.std().item(), 2), layer.bias.abs().max().item()
        (0.02, 0.0)
    """
    init = check_init(init)
    if init is None or init == "default":
        return module
    for m in module.modules():
        if isinstance(m, _WEIGHTED):
            if init == "dcgan":
                nn.init.normal_(_weight(m), 0.0, 0.02)
            else:
                nn.init.xavier_uniform_(_weight(m))
            bias = getattr(m, "bias", None)
            if isinstance(bias, Tensor):
                nn.init.zeros_(bias)
        elif isinstance(m, nn.modules.batchnorm._BatchNorm) and m.affine and init == "dcgan":
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return module
