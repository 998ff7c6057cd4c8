"""The one error a bad config file raises, and helpers that phrase it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["ConfigError", "format_value", "unknown_name_error"]


class ConfigError(ValueError):
    """A config file or a ``--set`` override is invalid.

    The message names the offending key by its dotted path (``trainer.d_step``)
    and says what is allowed there. The command line prints it as one line
    and exits with status 2.

    Args:
        path: The dotted key path, e.g. ``"trainer.d_steps"``; ``""`` for the
            file as a whole.
        message: What is wrong and what is expected.

    Attributes:
        path (str): The dotted key path.

    Example:
        >>> str(ConfigError("trainer.d_steps", "expected an int, got 'two'"))
        "config key 'trainer.d_steps': expected an int, got 'two'"
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"config key {path!r}: {message}" if path else message)


def format_value(value: object) -> str:
    """Show a config value with its TOML type, e.g. ``the string 'two'``.

    Args:
        value: A value read from a config file.

    Returns:
        A short description for error messages.

    Example:
        >>> format_value("two"), format_value(3), format_value([1, 2])
        ("the string 'two'", 'the int 3', 'the list [1, 2]')
    """
    kinds = {bool: "bool", int: "int", float: "float", str: "string", list: "list", dict: "table"}
    kind = kinds.get(type(value), type(value).__name__)
    if isinstance(value, bool):
        return f"the bool {str(value).lower()}"
    if isinstance(value, dict):
        return f"a table with keys {sorted(value)}"
    return f"the {kind} {value!r}"


def unknown_name_error(path: str, given: str, allowed: Iterable[str], what: str) -> ConfigError:
    """Build the error for an unknown key or name, with a "did you mean" hint.

    Args:
        path: The dotted path of the key (for an unknown key, its own path).
        given: The unknown key or name.
        allowed: Every allowed key or name.
        what: What ``given`` is, e.g. ``"key"`` or ``"loss name"``.

    Returns:
        The error, to be raised by the caller.

    Example:
        >>> print(unknown_name_error("trainer.d_step", "d_step", ["d_steps", "seed"], "key"))
        config key 'trainer.d_step': unknown key 'd_step' (did you mean 'd_steps'?); \
allowed: d_steps, seed
    """
    options = sorted(allowed)
    close = difflib.get_close_matches(given, options, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = ", ".join(options) if options else "(none)"
    return ConfigError(path, f"unknown {what} {given!r}{hint}; allowed: {shown}")
