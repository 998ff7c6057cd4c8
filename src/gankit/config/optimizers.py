"""Build the ``[optimizer.generator]`` and ``[optimizer.discriminator]`` sections.

Each names a ``torch.optim`` class and its arguments::

    [optimizer.discriminator]
    name = "Adam"
    lr = 1e-4
    betas = [0.5, 0.9]

A missing section, or a missing ``lr``/``betas``, takes the DCGAN defaults
used throughout gankit: Adam, ``lr = 2e-4``, ``betas = [0.5, 0.999]``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import torch
from torch import nn

from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import Field, check_table, join_path

__all__ = ["OPTIMIZERS", "OPTIMIZER_FIELDS", "build_optimizer"]

#: The optimizers a config can name.
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "SGD": torch.optim.SGD,
}

_LR = Field("float", 2e-4, "learning rate", minimum=0.0)
_WD = Field("float", None, "weight decay (default 0; AdamW: 0.01)", minimum=0.0)
_EPS = Field("float", None, "term added to the denominator for stability", minimum=0.0)
_ADAM = {
    "lr": _LR,
    "betas": Field("float_list", (0.5, 0.999), "coefficients of the running averages",
                   minimum=0.0, length=2),
    "eps": _EPS,
    "weight_decay": _WD,
    "amsgrad": Field("bool", None, "use the AMSGrad variant"),
}

#: The arguments each optimizer accepts in a config, with their defaults.
OPTIMIZER_FIELDS: dict[str, dict[str, Field]] = {
    "Adam": _ADAM,
    "AdamW": _ADAM,
    "RMSprop": {
        "lr": _LR,
        "alpha": Field("float", None, "smoothing constant (default 0.99)", minimum=0.0),
        "eps": _EPS,
        "weight_decay": _WD,
        "momentum": Field("float", None, "momentum factor (default 0)", minimum=0.0),
        "centered": Field("bool", None, "normalise by the estimated variance"),
    },
    "SGD": {
        "lr": _LR,
        "momentum": Field("float", None, "momentum factor (default 0)", minimum=0.0),
        "dampening": Field("float", None, "dampening for momentum (default 0)", minimum=0.0),
        "weight_decay": _WD,
        "nesterov": Field("bool", None, "Nesterov momentum"),
    },
}


def _make(
    cls: type[torch.optim.Optimizer], kwargs: dict[str, Any], params: list[nn.Parameter]
) -> torch.optim.Optimizer:
    return cls(params, **kwargs)


def build_optimizer(section: Any, path: str) -> tuple[Any, dict[str, Any]]:
    """Build an optimizer factory ``params -> Optimizer`` from its section.

    Args:
        section: The table, e.g. ``{"name": "Adam", "lr": 1e-4}``; ``None`` or
            ``{}`` for the defaults.
        path: The section's dotted path, e.g. ``"optimizer.generator"``.

    Returns:
        The factory (for :class:`~gankit.Trainer`'s ``g_optimizer``/``d_optimizer``)
        and the resolved section.

    Raises:
        ConfigError: On an unknown optimizer or argument, or a bad value.

    Example:
        >>> factory, resolved = build_optimizer({"name": "SGD", "lr": 0.1}, "optimizer.generator")
        >>> type(factory([torch.nn.Parameter(torch.zeros(1))])).__name__, resolved
        ('SGD', {'name': 'SGD', 'lr': 0.1})
    """
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise ConfigError(path, f"expected a table, got {format_value(section)}")
    name = section.get("name", "Adam")
    if not isinstance(name, str):
        raise ConfigError(join_path(path, "name"), f"expected a string, got {format_value(name)}")
    if name not in OPTIMIZERS:
        raise unknown_name_error(join_path(path, "name"), name, OPTIMIZERS, "optimizer")
    kwargs = check_table(
        {k: v for k, v in section.items() if k != "name"}, OPTIMIZER_FIELDS[name], path
    )
    call = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    factory = partial(_make, OPTIMIZERS[name], call)
    try:  # catch bad values (e.g. betas >= 1) now, not at the first step
        factory([nn.Parameter(torch.zeros(1))])
    except (TypeError, ValueError) as exc:
        raise ConfigError(path, f"{name}: {exc}") from None
    return factory, {"name": name, **kwargs}
