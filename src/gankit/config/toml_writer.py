"""Write the subset of TOML that configs use (``tomllib`` only reads).

Tables become ``[section]`` headers, lists of tables become arrays of inline
tables, and ``None`` becomes the string ``"none"`` (TOML has no null), which
the config reader turns back into ``None``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from gankit.config.schema import NONE

__all__ = ["dumps_toml"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _string(text: str) -> str:
    # JSON's escapes are TOML's, except that TOML wants non-ASCII characters
    # raw (not as surrogate pairs) and DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _value(value: Any) -> str:
    if value is None:
        return _string(NONE)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items())
        return "{" + inner + "}" if inner else "{}"
    raise TypeError(
        f"cannot write {type(value).__name__} {value!r} to TOML: only bools, ints, floats, "
        "strings, None, lists and tables are supported"
    )


def _table(lines: list[str], name: str, table: Mapping[str, Any]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    subtables = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    if name and (scalars or not subtables):
        if lines:
            lines.append("")
        lines.append(f"[{name}]")
    for key, value in scalars.items():
        lines.append(f"{_key(str(key))} = {_value(value)}")
    for key, value in subtables.items():
        child = f"{name}.{_key(str(key))}" if name else _key(str(key))
        _table(lines, child, value)


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Serialise nested dicts as TOML that ``tomllib.loads`` reads back.

    Args:
        data: A mapping of bools, ints, floats, strings, ``None``, lists,
            tuples and nested mappings.

    Returns:
        The TOML document, ending in a newline.

    Raises:
        TypeError: If a value has another type.

    Example:
        >>> print(dumps_toml({"trainer": {"steps": 10, "betas": (0.5, 0.9)},
        ...                   "loss": {"terms": [{"name": "NSGAN"}]}}), end="")
        [trainer]
        steps = 10
        betas = [0.5, 0.9]
        <BLANKLINE>
        [loss]
        terms = [{name = "NSGAN"}]
    """
    lines: list[str] = []
    top = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    for key, value in top.items():
        lines.append(f"{_key(str(key))} = {_value(value)}")
    _table(lines, "", {k: v for k, v in data.items() if isinstance(v, Mapping)})
    return "\n".join(lines) + "\n"
