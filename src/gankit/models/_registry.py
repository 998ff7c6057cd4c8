"""Private registry of model classes by class name, used by checkpoints and tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from torch import nn

__all__ = ["ROLES", "build_model", "get_model_class", "list_models", "register_model"]

#: The roles a registered model can play.
ROLES: tuple[str, ...] = ("discriminator", "generator")

_MODELS: dict[str, type[nn.Module]] = {}

ModelT = TypeVar("ModelT", bound=type[nn.Module])


def register_model(cls: ModelT) -> ModelT:
    """Register a model class under its class name (a class decorator).

    The class must define ``role`` (one of :data:`ROLES`), ``config_keys`` (the
    names of its constructor arguments), ``required_keys`` (those without a
    default) and ``get_config()``.

    Args:
        cls: The model class.

    Returns:
        ``cls`` unchanged.

    Raises:
        TypeError: If ``cls`` lacks one of those.
        ValueError: If another class is already registered under the same name.

    Example:
        >>> get_model_class("MLPGenerator").role
        'generator'
    """
    if getattr(cls, "role", None) not in ROLES or not hasattr(cls, "config_keys") \
            or not hasattr(cls, "required_keys") or not callable(getattr(cls, "get_config", None)):
        raise TypeError(
            f"{cls.__name__} must define role (one of {list(ROLES)}), config_keys, "
            "required_keys and get_config() to be registered"
        )
    name = cls.__name__
    if name in _MODELS and _MODELS[name] is not cls:
        raise ValueError(f"a different model class is already registered as {name!r}")
    _MODELS[name] = cls
    return cls


def list_models(role: str | None = None) -> list[str]:
    """Return the sorted names of the registered models, optionally of one role.

    Args:
        role: ``"generator"``, ``"discriminator"`` or ``None`` for all.

    Returns:
        The sorted class names.

    Raises:
        ValueError: If ``role`` is not one of :data:`ROLES` nor ``None``.

    Example:
        >>> list_models("discriminator")
        ['DCGANDiscriminator', 'MLPDiscriminator', 'ResNetDiscriminator']
    """
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be None or one of {list(ROLES)}, got {role!r}")
    return sorted(n for n, c in _MODELS.items() if role is None or c.role == role)  # type: ignore[attr-defined]


def get_model_class(name: str) -> type[nn.Module]:
    """Return the model class registered as ``name``.

    Args:
        name: A class name from :func:`list_models`, e.g. ``"DCGANGenerator"``.

    Returns:
        The class.

    Raises:
        KeyError: If ``name`` is not registered (the message lists the names).

    Example:
        >>> get_model_class("DCGANGenerator").__name__
        'DCGANGenerator'
    """
    if name not in _MODELS:
        raise KeyError(f"unknown model {name!r}; registered models: {list_models()}")
    return _MODELS[name]


def build_model(name: str, config: Mapping[str, Any]) -> nn.Module:
    """Build the model registered as ``name`` from its ``get_config()`` dictionary.

    ``build_model(type(m).__name__, m.get_config())`` rebuilds the architecture
    of ``m`` (with fresh weights), so ``load_state_dict(m.state_dict())`` works.

    Args:
        name: A class name from :func:`list_models`.
        config: Constructor keyword arguments.

    Returns:
        The new model.

    Raises:
        KeyError: If ``name`` is not registered.
        TypeError: If ``config`` is not a mapping.
        ValueError: If ``config`` has a key the class does not accept (the
            message names the key and lists the allowed ones), or lacks a
            required one.

    Example:
        >>> g = build_model("MLPGenerator", {"latent_dim": 2, "out_shape": (2,), "hidden": ()})
        >>> g.out_shape
        (2,)
    """
    cls = get_model_class(name)
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a mapping of argument names, got {type(config).__name__}")
    allowed: tuple[str, ...] = cls.config_keys  # type: ignore[attr-defined]
    unknown = sorted(set(config) - set(allowed))
    if unknown:
        raise ValueError(
            f"{name} does not accept the config key(s) {unknown}; allowed keys: {list(allowed)}"
        )
    missing = [k for k in cls.required_keys if k not in config]  # type: ignore[attr-defined]
    if missing:
        raise ValueError(f"{name} needs the config key(s) {missing}, got {sorted(config)}")
    return cls(**config)
