"""Build the ``[loss]`` section: one loss, or a weighted sum of terms.

Either a single loss with its arguments::

    [loss]
    name = "WGANGP"
    weight = 10.0

or a list of terms, each optionally weighted by ``weight``::

    [loss]
    terms = [{name = "NSGAN"}, {name = "R1Penalty", weight = 0.1}]

which builds ``NSGAN() + R1Penalty(weight=0.1)``. A term's ``weight`` goes to
the loss's own ``weight`` argument when it has one (every penalty calls its
coefficient ``weight``), and otherwise multiplies the term:
``{name = "NSGAN", weight = 0.5}`` builds ``0.5 * NSGAN()``.

The names are the registered losses (:func:`gankit.losses.list_losses`), and a
loss's keys are its ``config_keys``; the constructor checks the values. A
``name`` of the form ``"package.module:ClassName"`` imports a user-defined
:class:`~gankit.losses.Loss` and passes it the other keys.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import NONE, Field, check_value, join_path
from gankit.losses import Loss, get_loss_class, list_losses
from gankit.losses._registry import RENAMED_KEYS

__all__ = ["LOSSES", "build_loss"]

#: The built-in losses by config name (a snapshot of :func:`gankit.losses.list_losses`).
LOSSES: dict[str, type[Loss]] = {name: get_loss_class(name) for name in list_losses()}

_WEIGHT = Field("float", None, "multiplies the term (default 1)")


def __getattr__(name: str) -> Any:
    if name == "LOSS_FIELDS":
        from gankit._deprecation import warn_renamed

        warn_renamed("gankit.config.losses.LOSS_FIELDS",
                     "gankit.losses.get_loss_class(name).config_keys")
        return {n: get_loss_class(n).config_keys for n in list_losses()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _import_loss(spec: str, path: str) -> type[Loss]:
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            path, f"cannot import module {module_name!r} for {spec!r}: {exc}"
        ) from None
    cls = getattr(module, attr, None)
    if not (isinstance(cls, type) and issubclass(cls, Loss)):
        raise ConfigError(
            path, f"{spec!r} must name a gankit.losses.Loss subclass, got {cls!r}"
        )
    return cls


def _loss_class(table: dict[str, Any], path: str) -> tuple[str, type[Loss]]:
    name = table.get("name")
    if name is None:
        raise ConfigError(join_path(path, "name"),
                          f"missing; expected one of {list_losses()} or 'module:Class'")
    if not isinstance(name, str):
        raise ConfigError(join_path(path, "name"), f"expected a string, got {format_value(name)}")
    if ":" in name:
        return name, _import_loss(name, join_path(path, "name"))
    if name not in list_losses():
        raise unknown_name_error(join_path(path, "name"), name, list_losses(), "loss")
    return name, get_loss_class(name)


def _warn_old_key(path: str, old: str, new: str, name: str) -> None:
    warnings.warn(
        f"config key {path!r} is deprecated and will be removed in the next release; use "
        f"{new!r} (in a terms list, {name}'s {new} is its own coefficient, not a factor on "
        "the term)",
        FutureWarning,
        stacklevel=5,
    )


def _build_one(table: Any, path: str, *, scaled: bool) -> tuple[Loss, dict[str, Any]]:
    """Build one loss (a term when ``scaled``: it may have a ``weight``).

    A term's ``weight`` goes to the constructor when the class takes a
    ``weight``, and otherwise multiplies the term. With a deprecated key
    (``gamma``, ``gp_weight``) the term's ``weight`` keeps its old meaning, a
    factor, and the resolved table keeps the keys as given.
    """
    if not isinstance(table, dict):
        raise ConfigError(path, f"expected a table with a 'name', got {format_value(table)}")
    name, cls = _loss_class(table, path)
    keys = cls.config_keys
    given: dict[str, Any] = {k: v for k, v in table.items() if k != "name"}
    renamed = {old: new for old, new in RENAMED_KEYS.get(name, {}).items() if old in given}
    kwargs = dict(given)
    factor = None
    if scaled and "weight" in kwargs and (renamed or "weight" not in keys):
        factor = check_value(kwargs.pop("weight"), _WEIGHT, join_path(path, "weight"))
    for old, new in renamed.items():
        if new in kwargs:
            raise ConfigError(join_path(path, old),
                              f"give {new!r} or its deprecated alias {old!r}, not both")
        _warn_old_key(join_path(path, old), old, new, name)
        kwargs[new] = kwargs.pop(old)
    if ":" not in name:
        allowed = [*keys, "weight"] if scaled and "weight" not in keys else list(keys)
        for key in kwargs:
            if key not in keys:
                raise unknown_name_error(join_path(path, key), key, allowed, "key")
    try:
        loss = cls(**{k: None if v == NONE else v for k, v in kwargs.items()})
    except (TypeError, ValueError) as exc:
        raise ConfigError(path, f"{name}: {exc}") from None
    if not isinstance(loss, Loss):
        raise ConfigError(path, f"{name} built a {type(loss).__name__}, not a gankit Loss")
    config = loss.get_config()
    resolved: dict[str, Any] = {"name": name}
    for key, value in given.items():
        if key == "weight" and factor is not None:
            resolved[key] = factor
        else:
            resolved[key] = config.get(renamed.get(key, key), value)
    return (loss if factor is None else factor * loss), resolved


def build_loss(section: Any, path: str = "loss") -> tuple[Loss, dict[str, Any]]:
    """Build the loss of a ``[loss]`` section.

    Args:
        section: The section: ``{name = ..., <args>}`` or ``{terms = [...]}``.
        path: The section's dotted path, for error messages.

    Returns:
        The loss and the resolved section.

    Raises:
        ConfigError: On an unknown loss name or argument (with a "did you
            mean" hint), a value the loss rejects, both or neither of
            ``name`` and ``terms``, or an empty ``terms`` list.

    Example:
        >>> loss, _ = build_loss({"terms": [{"name": "NSGAN"},
        ...                                 {"name": "R1Penalty", "weight": 0.1}]})
        >>> loss
        NSGAN() + R1Penalty(weight=0.1)
    """
    if not isinstance(section, dict):
        raise ConfigError(path, f"expected a table, got {format_value(section)}")
    if "terms" not in section:
        return _build_one(section, path, scaled=False)
    if set(section) != {"terms"}:
        others = sorted(set(section) - {"terms"})
        raise ConfigError(
            path, f"give either 'name' (one loss) or 'terms' (a list of terms), not both "
            f"'terms' and {others}"
        )
    terms = section["terms"]
    if not isinstance(terms, list) or not terms:
        raise ConfigError(
            join_path(path, "terms"),
            "expected a non-empty list of tables like {name = \"NSGAN\"}, got "
            f"{format_value(terms)}",
        )
    built = [_build_one(t, join_path(join_path(path, "terms"), i), scaled=True)
             for i, t in enumerate(terms)]
    loss = built[0][0]
    for term, _ in built[1:]:
        loss = loss + term
    return loss, {"terms": [r for _, r in built]}
