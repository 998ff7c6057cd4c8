"""Build an ``[augment]`` section: a registered augmentation and its arguments.

The section names a class registered in :mod:`gankit.augment` and sets its
constructor arguments (its ``config_keys``)::

    [augment]
    name = "DiffAugment"
    policy = "color,translation,cutout"

or::

    [augment]
    name = "AdaptiveAugment"
    target = 0.6
    speed_kimg = 500

(``target = "none"`` keeps ADA's probability fixed.) The constructor checks the
values. The section is optional: without it the discriminator sees the images
unchanged.
"""

from __future__ import annotations

from typing import Any

from gankit.augment import Augment, get_augment_class, list_augments
from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import NONE, join_path

__all__ = ["build_augment_section"]


def build_augment_section(section: Any, path: str = "augment") -> tuple[Augment, dict[str, Any]]:
    """Build the augmentation of an ``[augment]`` section.

    Args:
        section: The section's table: ``name`` and the class's arguments.
        path: The section's dotted path, for error messages.

    Returns:
        The augmentation and the resolved section (every argument filled in,
        ``None`` written as ``"none"``).

    Raises:
        ConfigError: If ``name`` is missing or not a registered augmentation, a
            key is not one of the class's ``config_keys`` (with a "did you mean"
            hint), or the constructor rejects a value.

    Example:
        >>> augment, resolved = build_augment_section({"name": "DiffAugment",
        ...                                            "policy": "translation"})
        >>> augment, resolved
        (DiffAugment(policy='translation'), {'name': 'DiffAugment', 'policy': 'translation'})
    """
    if not isinstance(section, dict):
        raise ConfigError(path, f"expected a table, got {format_value(section)}")
    names = list_augments()
    name = section.get("name")
    if name is None:
        raise ConfigError(join_path(path, "name"), f"missing; expected one of {names}")
    if not isinstance(name, str):
        raise ConfigError(join_path(path, "name"), f"expected a string, got {format_value(name)}")
    if name not in names:
        raise unknown_name_error(join_path(path, "name"), name, names, "augmentation")
    cls = get_augment_class(name)
    kwargs = {k: v for k, v in section.items() if k != "name"}
    for key in kwargs:
        if key not in cls.config_keys:
            raise unknown_name_error(join_path(path, key), key, ["name", *cls.config_keys], "key")
    try:
        augment = cls(**{k: None if v == NONE else v for k, v in kwargs.items()})
    except (TypeError, ValueError) as exc:
        raise ConfigError(path, f"{name}: {exc}") from None
    config = augment.get_config()
    resolved = {"name": name, **{k: NONE if v is None else v for k, v in config.items()}}
    return augment, resolved
