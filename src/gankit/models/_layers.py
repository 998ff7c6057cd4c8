"""Private layer registries: activations and normalisations by name or by type.

Models accept a layer either as a type (``act_layer=nn.ReLU``) or as a
registered name (``act_layer="relu"``) and store the name, so that
``get_config()`` holds only plain values and a checkpoint loaded with
``torch.load(weights_only=True)`` can rebuild the model.

Registered activations: ``"elu"``, ``"gelu"``, ``"leaky_relu"`` (negative slope
0.2, the GAN convention of Radford et al., not PyTorch's 0.01; the type
``nn.LeakyReLU`` means the same), ``"relu"``, ``"sigmoid"``, ``"silu"``, ``"tanh"``.

Registered normalisations, for feature vectors (``"1d"``) and images (``"2d"``):

==================  ======================  ================================
name                ``"1d"`` (MLP)          ``"2d"`` (convolutional)
==================  ======================  ================================
``"batch_norm"``    ``nn.BatchNorm1d(F)``   ``nn.BatchNorm2d(C)``
``"layer_norm"``    ``nn.LayerNorm(F)``     ``nn.GroupNorm(1, C)`` (over C, H, W)
``"instance_norm"`` not available           ``nn.InstanceNorm2d(C, affine=True)``
==================  ======================  ================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Literal

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

__all__ = [
    "ACTIVATIONS",
    "NORMS",
    "NormKind",
    "apply_spectral_norm",
    "make_activation",
    "make_norm",
    "resolve_activation",
    "resolve_norm",
]

NormKind = Literal["1d", "2d"]

#: Activation names to factories taking no argument.
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "leaky_relu": partial(nn.LeakyReLU, 0.2),
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
}

_SPECTRAL_LAYERS = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d, nn.Embedding)

_ACTIVATION_TYPES: dict[type[nn.Module], str] = {
    nn.ELU: "elu",
    nn.GELU: "gelu",
    nn.LeakyReLU: "leaky_relu",
    nn.ReLU: "relu",
    nn.Sigmoid: "sigmoid",
    nn.SiLU: "silu",
    nn.Tanh: "tanh",
}

#: For each kind, normalisation names to factories taking the feature/channel count.
NORMS: dict[str, dict[str, Callable[[int], nn.Module]]] = {
    "1d": {"batch_norm": nn.BatchNorm1d, "layer_norm": nn.LayerNorm},
    "2d": {
        "batch_norm": nn.BatchNorm2d,
        "instance_norm": partial(nn.InstanceNorm2d, affine=True),
        "layer_norm": partial(nn.GroupNorm, 1),
    },
}

_NORM_TYPES: dict[str, dict[type[nn.Module], str]] = {
    "1d": {nn.BatchNorm1d: "batch_norm", nn.LayerNorm: "layer_norm"},
    "2d": {
        nn.BatchNorm2d: "batch_norm",
        nn.InstanceNorm2d: "instance_norm",
        nn.LayerNorm: "layer_norm",
    },
}


def _resolve(layer: object, names: Mapping[str, object], types: dict[type[nn.Module], str],
             name: str) -> str:
    if isinstance(layer, str):
        if layer not in names:
            raise ValueError(f"unknown {name} {layer!r}; registered names: {sorted(names)}")
        return layer
    if isinstance(layer, type) and layer in types:
        return types[layer]
    accepted = sorted(t.__name__ for t in types)
    raise TypeError(
        f"{name} must be one of the names {sorted(names)} or one of the types "
        f"{accepted}, got {layer!r}"
    )


def resolve_activation(layer: type[nn.Module] | str, name: str = "act_layer") -> str:
    """Return the registered name of an activation given as a name or a type.

    Args:
        layer: For example ``nn.ReLU`` or ``"relu"``.
        name: The argument's name, used in the error message.

    Returns:
        The registered name, e.g. ``"relu"``.

    Raises:
        ValueError: If ``layer`` is an unknown name (the message lists the names).
        TypeError: If ``layer`` is a type or object that is not registered.

    Example:
        >>> resolve_activation(nn.LeakyReLU)
        'leaky_relu'
    """
    return _resolve(layer, ACTIVATIONS, _ACTIVATION_TYPES, name)


def resolve_norm(layer: type[nn.Module] | str | None, kind: NormKind,
                 name: str = "norm_layer") -> str | None:
    """Return the registered name of a normalisation given as a name, a type or ``None``.

    Args:
        layer: For example ``nn.BatchNorm1d``, ``"layer_norm"`` or ``None`` (no norm).
        kind: ``"1d"`` for feature vectors, ``"2d"`` for images.
        name: The argument's name, used in the error message.

    Returns:
        The registered name, or ``None``.

    Raises:
        ValueError: If ``layer`` is an unknown name for this kind.
        TypeError: If ``layer`` is a type or object that is not registered.

    Example:
        >>> resolve_norm(nn.BatchNorm2d, "2d"), resolve_norm(None, "1d")
        ('batch_norm', None)
    """
    if layer is None:
        return None
    return _resolve(layer, NORMS[kind], _NORM_TYPES[kind], name)


def make_activation(name: str) -> nn.Module:
    """Build the activation registered as ``name``.

    Example:
        >>> make_activation("leaky_relu")
        LeakyReLU(negative_slope=0.2)
    """
    return ACTIVATIONS[name]()


def make_norm(name: str, features: int, kind: NormKind) -> nn.Module:
    """Build the normalisation registered as ``name`` for ``features`` features/channels.

    Example:
        >>> make_norm("layer_norm", 8, "2d").num_groups
        1
    """
    return NORMS[kind][name](features)


def apply_spectral_norm(module: nn.Module) -> nn.Module:
    r"""Spectrally normalise every linear, convolution and embedding layer of ``module``.

    Uses :func:`torch.nn.utils.parametrizations.spectral_norm`: the effective
    weight is :math:`W / \sigma(W)` with :math:`\sigma` the largest singular
    value of ``W`` reshaped to ``(out, -1)``, estimated by one power iteration
    per training forward pass. Normalisation layers are left alone. Apply it
    after initialising the weights: the first estimate of :math:`\sigma` is
    made (with 15 power iterations) when the layer is wrapped.

    Args:
        module: The model to modify in place.

    Returns:
        ``module`` itself.

    Example:
        >>> net = apply_spectral_norm(nn.Sequential(nn.Linear(3, 2), nn.ReLU()))
        >>> sorted(net[0].parametrizations.keys())
        ['weight']
    """
    for m in list(module.modules()):
        if isinstance(m, _SPECTRAL_LAYERS):
            _spectral_norm(m)
    return module
