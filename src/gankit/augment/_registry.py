"""Private registry of augmentation classes by class name, read by the config layer and tests.

Every registered class defines ``config_keys``, the constructor arguments a
config file may set, and ``get_config()``, their values (both inherited from
:class:`~gankit.augment.Augment`, where ``config_keys`` is empty), so that
``build_augment(type(a).__name__, a.get_config())`` rebuilds ``a``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from gankit.augment.adaptive import AdaptiveAugment
from gankit.augment.base import Augment
from gankit.augment.diffaugment import DiffAugment

__all__ = ["build_augment", "get_augment_class", "list_augments", "register_augment"]

AugmentT = TypeVar("AugmentT", bound=type[Augment])

_AUGMENTS: dict[str, type[Augment]] = {}


def register_augment(cls: AugmentT) -> AugmentT:
    """Register an augmentation class under its class name (usable as a class decorator).

    A registered augmentation can be named in a config file without its import path.

    Args:
        cls: An :class:`~gankit.augment.Augment` subclass whose ``config_keys``
            are its constructor arguments.

    Returns:
        ``cls`` unchanged.

    Raises:
        TypeError: If ``cls`` is not an ``Augment`` subclass.
        ValueError: If another class is already registered under the same name.

    Example:
        >>> register_augment(DiffAugment) is DiffAugment
        True
    """
    if not (isinstance(cls, type) and issubclass(cls, Augment)):
        raise TypeError(f"only gankit.augment.Augment subclasses can be registered, got {cls!r}")
    name = cls.__name__
    if name in _AUGMENTS and _AUGMENTS[name] is not cls:
        raise ValueError(f"a different augmentation class is already registered as {name!r}")
    _AUGMENTS[name] = cls
    return cls


def list_augments() -> list[str]:
    """Return the sorted names of the registered augmentations.

    Example:
        >>> list_augments()
        ['AdaptiveAugment', 'DiffAugment']
    """
    return sorted(_AUGMENTS)


def get_augment_class(name: str) -> type[Augment]:
    """Return the augmentation class registered as ``name``.

    Args:
        name: A class name from :func:`list_augments`, e.g. ``"DiffAugment"``.

    Returns:
        The class.

    Raises:
        KeyError: If ``name`` is not registered (the message lists the names).

    Example:
        >>> get_augment_class("DiffAugment").config_keys
        ('policy',)
    """
    if name not in _AUGMENTS:
        raise KeyError(f"unknown augmentation {name!r}; registered augmentations: "
                       f"{list_augments()}")
    return _AUGMENTS[name]


def build_augment(name: str, config: Mapping[str, Any] | None = None) -> Augment:
    """Build the augmentation registered as ``name`` from its ``get_config()`` dictionary.

    Args:
        name: A class name from :func:`list_augments`.
        config: Constructor keyword arguments (a subset of the class's
            ``config_keys``); ``None`` for the defaults.

    Returns:
        The new augmentation (an ``AdaptiveAugment`` starts at its initial ``p``;
        load a ``state_dict`` to continue from a saved one).

    Raises:
        KeyError: If ``name`` is not registered.
        TypeError: If ``config`` is not a mapping, or the constructor rejects a type.
        ValueError: If ``config`` has a key the class does not take (the message
            lists the allowed ones), or the constructor rejects a value.

    Example:
        >>> build_augment("DiffAugment", {"policy": "translation,cutout"})
        DiffAugment(policy='translation,cutout')
    """
    cls = get_augment_class(name)
    config = {} if config is None else config
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a mapping of argument names, got {type(config).__name__}")
    unknown = sorted(set(config) - set(cls.config_keys))
    if unknown:
        raise ValueError(f"{name} does not take the config key(s) {unknown}; allowed keys: "
                         f"{list(cls.config_keys)}")
    return cls(**config)


for _cls in (AdaptiveAugment, DiffAugment):
    register_augment(_cls)
