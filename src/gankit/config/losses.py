"""Build the ``[loss]`` section: one loss, or a weighted sum of terms.

Either a single loss with its arguments::

    [loss]
    name = "WGANGP"
    gp_weight = 10.0

or a list of terms, each optionally scaled by ``weight``::

    [loss]
    terms = [{name = "NSGAN"}, {name = "R1Penalty", gamma = 0.1, weight = 1.0}]

which builds ``NSGAN() + 1.0 * R1Penalty(gamma=0.1)``. ``GradientPenalty``'s
own ``weight`` argument is its coefficient λ, so for it ``weight`` is passed to
the constructor. A ``name`` of the form ``"package.module:ClassName"`` imports
a user-defined :class:`~gankit.losses.Loss` and passes it the other keys.
"""

from __future__ import annotations

import importlib
from typing import Any

from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import Field, check_table, join_path
from gankit.losses import (
    LSGAN,
    MMGAN,
    NSGAN,
    WGAN,
    WGANGP,
    GradientPenalty,
    Hinge,
    Loss,
    R1Penalty,
)

__all__ = ["LOSSES", "LOSS_FIELDS", "build_loss"]

_SMOOTHING = Field(
    "float", None, "one-sided label smoothing: real targets 1 - s (default 0)", minimum=0.0
)

#: The built-in losses by config name.
LOSSES: dict[str, type[Loss]] = {
    "GradientPenalty": GradientPenalty,
    "Hinge": Hinge,
    "LSGAN": LSGAN,
    "MMGAN": MMGAN,
    "NSGAN": NSGAN,
    "R1Penalty": R1Penalty,
    "WGAN": WGAN,
    "WGANGP": WGANGP,
}

#: The constructor arguments of each built-in loss.
LOSS_FIELDS: dict[str, dict[str, Field]] = {
    "GradientPenalty": {
        "weight": Field("float", None, "the coefficient lambda (default 10)", minimum=0.0),
        "target": Field("float", None, "the target gradient norm (default 1)", minimum=0.0),
    },
    "Hinge": {},
    "LSGAN": {},
    "MMGAN": {"label_smoothing": _SMOOTHING},
    "NSGAN": {"label_smoothing": _SMOOTHING},
    "R1Penalty": {"gamma": Field("float", None, "the coefficient gamma (default 10)", minimum=0.0)},
    "WGAN": {},
    "WGANGP": {"gp_weight": Field("float", None, "lambda (default 10)", minimum=0.0)},
}

_WEIGHT = Field("float", None, "multiplies the term (default 1)")


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


def _build_one(table: Any, path: str, *, scaled: bool) -> tuple[Loss, dict[str, Any]]:
    """Build one loss (a term when ``scaled``: it may have a ``weight``)."""
    if not isinstance(table, dict):
        raise ConfigError(path, f"expected a table with a 'name', got {format_value(table)}")
    name = table.get("name")
    if name is None:
        raise ConfigError(
            join_path(path, "name"), f"missing; expected one of {sorted(LOSSES)} or 'module:Class'"
        )
    if not isinstance(name, str):
        raise ConfigError(join_path(path, "name"), f"expected a string, got {format_value(name)}")
    kwargs = {k: v for k, v in table.items() if k != "name"}
    weight = None
    if ":" in name:
        cls = _import_loss(name, join_path(path, "name"))
        if scaled and "weight" in kwargs:
            weight = check_table({"weight": kwargs.pop("weight")}, {"weight": _WEIGHT}, path)
    else:
        if name not in LOSSES:
            raise unknown_name_error(join_path(path, "name"), name, LOSSES, "loss")
        cls = LOSSES[name]
        fields = dict(LOSS_FIELDS[name])
        if scaled and "weight" not in fields:
            fields["weight"] = _WEIGHT
        kwargs = check_table(kwargs, fields, path)
        if scaled and name != "GradientPenalty" and "weight" in kwargs:
            weight = {"weight": kwargs.pop("weight")}
    try:
        loss = cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(path, f"{name}: {exc}") from None
    if not isinstance(loss, Loss):
        raise ConfigError(path, f"{name} built a {type(loss).__name__}, not a gankit Loss")
    resolved = {"name": name, **kwargs}
    if weight is not None:
        resolved["weight"] = weight["weight"]
        loss = weight["weight"] * loss
    return loss, resolved


def build_loss(section: Any, path: str = "loss") -> tuple[Loss, dict[str, Any]]:
    """Build the loss of a ``[loss]`` section.

    Args:
        section: The section: ``{name = ..., <args>}`` or ``{terms = [...]}``.
        path: The section's dotted path, for error messages.

    Returns:
        The loss and the resolved section.

    Raises:
        ConfigError: On an unknown loss name or argument (with a "did you
            mean" hint), a value of the wrong type, both or neither of
            ``name`` and ``terms``, or an empty ``terms`` list.

    Example:
        >>> loss, _ = build_loss({"terms": [{"name": "NSGAN"},
        ...                                 {"name": "R1Penalty", "gamma": 0.1}]})
        >>> loss
        NSGAN() + R1Penalty(gamma=0.1)
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
