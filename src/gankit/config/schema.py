"""A small hand-written schema: the allowed keys of a table, their types and defaults.

Each section of a config file with fixed keys (``[trainer]``, ``[eval]``, one
callback, one optimizer, one loss term, one data set) is described by a dict
of :class:`Field` objects. :func:`check_table` validates a table against it:
unknown keys get a "did you mean" hint, values of the wrong type name the
expected type, and missing keys take their defaults.

TOML has no null, so a key that accepts ``None`` (``nullable``) takes the
string ``"none"`` for it; leaving such a key out gives its default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gankit.config.errors import ConfigError, format_value, unknown_name_error

__all__ = ["NONE", "REQUIRED", "Field", "check_table", "check_value", "join_path"]

#: The string that stands for Python's ``None`` in a config file.
NONE = "none"


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a field that must be given.
REQUIRED: Any = _Required()

_KINDS = {
    "bool": "a bool (true or false)",
    "int": "an int",
    "float": "a number",
    "str": "a string",
    "int_list": "a list of ints",
    "float_list": "a list of numbers",
    "table": "a table",
}


@dataclass(frozen=True)
class Field:
    """One allowed key of a table.

    Args:
        kind: ``"bool"``, ``"int"``, ``"float"`` (ints are accepted), ``"str"``,
            ``"int_list"``, ``"float_list"`` or ``"table"``.
        default: The value when the key is absent; :data:`REQUIRED` if it must
            be given; ``None`` to leave the key out.
        doc: One line for the documentation.
        choices: The allowed values of a ``"str"`` field.
        minimum: The smallest allowed value of a number (or of each list item).
        nullable: Whether ``"none"`` (meaning ``None``) is allowed.
        length: The required length of a list.

    Example:
        >>> Field("int", 1, "discriminator updates per step", minimum=1).kind
        'int'
    """

    kind: str
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    nullable: bool = False
    length: int | None = None

    def describe(self) -> str:
        """Return the expected type in words, e.g. ``an int >= 1``.

        Returns:
            The description used in error messages.

        Example:
            >>> Field("float", None, "clip", minimum=0.0, nullable=True).describe()
            "a number >= 0 or 'none'"
        """
        text = _KINDS[self.kind]
        if self.choices is not None:
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        if self.minimum is not None:
            text += f" >= {self.minimum:g}"
        if self.length is not None:
            text += f" of length {self.length}"
        if self.nullable:
            text += f" or {NONE!r}"
        return text


def join_path(path: str, key: str | int) -> str:
    """Append ``key`` to the dotted ``path``.

    Args:
        path: The parent's dotted path, ``""`` at the top.
        key: A table key or a list index.

    Returns:
        The child's dotted path.

    Example:
        >>> join_path("loss.terms", 0), join_path("", "trainer")
        ('loss.terms.0', 'trainer')
    """
    return f"{path}.{key}" if path else str(key)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_value(value: Any, field: Field, path: str) -> Any:
    """Check one value against its field and return it in canonical form.

    Ints given for ``"float"`` fields become floats; ``"none"`` becomes ``None``
    where allowed.

    Args:
        value: The value read from the config.
        field: Its field.
        path: Its dotted path, for the error message.

    Returns:
        The checked value.

    Raises:
        ConfigError: If the value has the wrong type or is out of range.

    Example:
        >>> check_value(2, Field("float", 1.0, "a weight"), "loss.weight")
        2.0
    """
    if field.nullable and value == NONE:
        return None
    wrong = ConfigError(path, f"expected {field.describe()}, got {format_value(value)}")
    kind = field.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind == "table":
        if not isinstance(value, dict):
            raise wrong
        return value
    if kind == "str":
        if not isinstance(value, str) or (field.choices is not None and value not in field.choices):
            raise wrong
        return value
    if kind in ("int", "float"):
        items, scalar = [value], True
    elif isinstance(value, list):
        items, scalar = value, False
    else:
        raise wrong
    integral = kind in ("int", "int_list")
    out = []
    for item in items:
        ok = isinstance(item, int) and not isinstance(item, bool) if integral else _is_number(item)
        if not ok or (not integral and not math.isfinite(item)):
            raise wrong
        if field.minimum is not None and item < field.minimum:
            raise wrong
        out.append(int(item) if integral else float(item))
    if not scalar and field.length is not None and len(out) != field.length:
        raise wrong
    return out[0] if scalar else out


def check_table(
    table: Any, fields: Mapping[str, Field], path: str, *, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Validate a table and fill in defaults.

    Args:
        table: The table read from the config (must be a dict).
        fields: Its allowed keys.
        path: Its dotted path, e.g. ``"trainer"``.
        extra: Keys that are allowed but checked by the caller (passed through).

    Returns:
        A new dict: every given key checked, every absent key with a default
        other than ``None`` filled in.

    Raises:
        ConfigError: On an unknown key (with a "did you mean" hint), a value of
            the wrong type, or a missing required key.

    Example:
        >>> fields = {"steps": Field("int", REQUIRED, "steps", minimum=0),
        ...           "seed": Field("int", 0, "seed")}
        >>> check_table({"steps": 10}, fields, "trainer")
        {'steps': 10, 'seed': 0}
    """
    if not isinstance(table, dict):
        raise ConfigError(path, f"expected a table, got {format_value(table)}")
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in extra:
            out[key] = value
        elif key not in fields:
            raise unknown_name_error(join_path(path, key), key, [*fields, *extra], "key")
        else:
            out[key] = check_value(value, fields[key], join_path(path, key))
    for key, field in fields.items():
        if key in out:
            continue
        if field.default is REQUIRED:
            raise ConfigError(
                join_path(path, key), f"missing; expected {field.describe()} ({field.doc})"
            )
        if field.default is not None:
            out[key] = field.default
    return out
