"""Build the ``[generator]`` and ``[discriminator]`` sections into registered models.

A model section holds ``name``, a class registered in :mod:`gankit.models`,
and that class's constructor arguments::

    [generator]
    name = "MLPGenerator"
    latent_dim = 2
    hidden = [128, 128, 128]
    output_activation = "none"   # TOML has no null: "none" means None

``out_shape`` (generator) and ``in_shape`` (discriminator) may be left out:
they default to the shape of one sample of the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from torch import nn

from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import NONE, join_path

__all__ = ["SHAPE_KEYS", "build_model_section", "describe_models"]

#: The constructor argument that takes the data's sample shape, by role.
SHAPE_KEYS = {"generator": "out_shape", "discriminator": "in_shape"}


def _plain(value: Any) -> Any:
    """Turn the config's ``"none"`` into ``None``, recursively in lists."""
    if value == NONE:
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def build_model_section(
    section: Any, role: str, sample_shape: Sequence[int] | None
) -> tuple[nn.Module, dict[str, Any]]:
    """Build the model of a ``[generator]`` or ``[discriminator]`` section.

    Args:
        section: The section's table.
        role: ``"generator"`` or ``"discriminator"`` (also the section's path).
        sample_shape: The shape of one data sample, used when the section
            leaves out ``out_shape``/``in_shape``; ``None`` if unknown.

    Returns:
        The model and the resolved section (with the inferred shape filled in).

    Raises:
        ConfigError: If ``name`` is missing or not a registered model of this
            role, a key is not a constructor argument of the class, or the
            constructor rejects a value (the message names the key path).

    Example:
        >>> model, resolved = build_model_section(
        ...     {"name": "MLPGenerator", "latent_dim": 2, "hidden": [8]}, "generator", (2,))
        >>> type(model).__name__, resolved["out_shape"]
        ('MLPGenerator', [2])
    """
    from gankit.models import build_model, get_model_class, list_models

    if not isinstance(section, dict):
        raise ConfigError(role, f"expected a table, got {format_value(section)}")
    names = list_models(role)
    if "name" not in section:
        raise ConfigError(
            join_path(role, "name"), f"missing; expected the model class, one of {names}"
        )
    name = section["name"]
    if not isinstance(name, str) or name not in names:
        if isinstance(name, str):
            raise unknown_name_error(join_path(role, "name"), name, names, f"{role} model")
        raise ConfigError(join_path(role, "name"), f"expected a string, got {format_value(name)}")
    cls = get_model_class(name)
    allowed: tuple[str, ...] = getattr(cls, "config_keys", ())
    resolved = dict(section)
    for key in section:
        if key != "name" and key not in allowed:
            raise unknown_name_error(join_path(role, key), key, ["name", *allowed], "key")
    shape_key = SHAPE_KEYS[role]
    if shape_key not in resolved and sample_shape is not None:
        resolved[shape_key] = list(sample_shape)
    kwargs = {k: _plain(v) for k, v in resolved.items() if k != "name"}
    try:
        model = build_model(name, kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(role, f"{name}: {exc}") from None
    return model, resolved


def describe_models(models: Mapping[str, nn.Module]) -> str:
    """One line per model: its class and parameter count (for the run summary).

    Args:
        models: Models by role.

    Returns:
        The lines joined by newlines.

    Example:
        >>> describe_models({"generator": nn.Linear(2, 2)})
        'generator: Linear, 6 parameters'
    """
    return "\n".join(
        f"{role}: {type(m).__name__}, {sum(p.numel() for p in m.parameters()):,} parameters"
        for role, m in models.items()
    )
