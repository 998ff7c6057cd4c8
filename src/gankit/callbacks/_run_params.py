"""What an experiment tracker records as the run's config: a nested dict, and its flat form.

From ``gankit train`` the trackers record the resolved config (what
``config.toml`` holds); from Python, :func:`trainer_hparams` describes the
trainer they are attached to. MLflow wants flat string parameters, which
:func:`flatten_params` makes (``optimizer.generator.lr = "0.001"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from gankit.callbacks._trainer_view import TrainerView

__all__ = ["flatten_params", "trainer_hparams"]

#: The trainer's settings a tracker records when it is not given a config.
_SETTINGS: tuple[str, ...] = (
    "d_steps", "precision", "grad_clip", "accumulate", "noise", "latent_dim", "num_classes",
    "max_steps", "max_epochs",
)


def _model(module: nn.Module) -> dict[str, Any]:
    get_config = getattr(module, "get_config", None)
    config = get_config() if callable(get_config) else {}
    params = sum(p.numel() for p in module.parameters())
    return {"class": type(module).__name__, "parameters": params, **dict(config)}


def _optimizer(optimizer: Any) -> dict[str, Any]:
    group = optimizer.param_groups[0] if getattr(optimizer, "param_groups", None) else {}
    kept = {k: v for k, v in group.items() if isinstance(v, (int, float, str, bool, tuple))}
    return {"class": type(optimizer).__name__, **kept}


def trainer_hparams(trainer: TrainerView) -> dict[str, Any]:
    """The trainer's hyper-parameters: settings, models, loss and optimizers.

    Args:
        trainer: The trainer (attributes it lacks are left out).

    Returns:
        A nested dict: ``trainer`` (``d_steps``, ``precision``, ...),
        ``generator`` and ``discriminator`` (class, parameter count and
        ``get_config()``), ``loss`` (its ``repr``) and ``optimizer``
        (class and the first parameter group's numbers).

    Example:
        >>> from types import SimpleNamespace
        >>> trainer = SimpleNamespace(d_steps=2, generator=nn.Linear(2, 2))
        >>> trainer_hparams(trainer)
        {'trainer': {'d_steps': 2}, 'generator': {'class': 'Linear', 'parameters': 6}}
    """
    params: dict[str, Any] = {
        "trainer": {k: getattr(trainer, k) for k in _SETTINGS if hasattr(trainer, k)}
    }
    for name in ("generator", "discriminator"):
        module = getattr(trainer, name, None)
        if isinstance(module, nn.Module):
            params[name] = _model(module)
    if getattr(trainer, "loss", None) is not None:
        params["loss"] = repr(trainer.loss)  # type: ignore[attr-defined]
    optimizers = {side: _optimizer(getattr(trainer, f"{side[0]}_optimizer"))
                  for side in ("generator", "discriminator")
                  if getattr(trainer, f"{side[0]}_optimizer", None) is not None}
    if optimizers:
        params["optimizer"] = optimizers
    return params


def flatten_params(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten a nested config into ``{"a.b.c": "value"}`` strings.

    Lists of tables (``loss.terms``) are numbered (``loss.terms.0.name``);
    other lists, numbers and strings become their text (``None`` is ``"none"``,
    as in ``config.toml``).

    Args:
        config: The nested config.
        prefix: Prepended to every key (used in the recursion).

    Returns:
        The flat parameters, in the config's order.

    Example:
        >>> flatten_params({"loss": {"terms": [{"name": "NSGAN"}]}, "g": {"hidden": [8, 8]},
        ...                 "nrow": None})
        {'loss.terms.0.name': 'NSGAN', 'g.hidden': '[8, 8]', 'nrow': 'none'}
    """
    flat: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, f"{name}."))
        elif isinstance(value, (list, tuple)) and value and all(
                isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value):
                flat.update(flatten_params(item, f"{name}.{i}."))
        elif value is None:
            flat[name] = "none"
        elif isinstance(value, (list, tuple)):
            flat[name] = str(list(value))
        else:
            flat[name] = str(value)
    return flat
