"""Read config files (TOML, or YAML with PyYAML), apply ``--set`` overrides, write TOML.

Python reads TOML with the standard library's ``tomllib`` (``tomli`` on
Python 3.10); :func:`dumps_toml` writes it with ``tomli-w``, which the
``extras`` extra installs.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gankit.config.errors import ConfigError, format_value
from gankit.config.schema import NONE, join_path

__all__ = ["apply_overrides", "dumps_toml", "load_config", "loads_toml", "parse_override"]


def _tomllib() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - Python 3.10 only
        import tomli
    except ImportError:  # pragma: no cover
        raise ImportError(
            'reading TOML on Python 3.10 needs tomli: pip install tomli '
            "(Python 3.11 and later read TOML without it)"
        ) from None
    return tomli  # pragma: no cover


def loads_toml(text: str, source: str = "<string>") -> dict[str, Any]:
    r"""Parse TOML text with the standard library's ``tomllib``.

    Args:
        text: The TOML document.
        source: Where it came from, for the error message.

    Returns:
        The document as nested dicts and lists.

    Raises:
        ConfigError: If the text is not valid TOML (the message gives the line).

    Example:
        >>> loads_toml('[trainer]\nsteps = 10')
        {'trainer': {'steps': 10}}
    """
    tomllib = _tomllib()
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{source} is not valid TOML: {exc}") from None
    return data


def _with_none_spelled(value: Any) -> Any:
    """Replace ``None`` by the config's ``"none"``, recursively (TOML has no null)."""
    if value is None:
        return NONE
    if isinstance(value, Mapping):
        return {k: _with_none_spelled(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_with_none_spelled(v) for v in value]
    return value


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Serialise nested dicts as TOML that :func:`loads_toml` reads back, with ``tomli-w``.

    ``None`` is written as the string ``"none"``, which the config reader
    turns back into ``None`` (TOML has no null, and leaving the key out would
    give the key's default instead: ``keep_last = "none"`` keeps every
    checkpoint, while no ``keep_last`` keeps 3).

    Args:
        data: A mapping of bools, ints, floats, strings, ``None``, lists,
            tuples and nested mappings.

    Returns:
        The TOML document.

    Raises:
        ImportError: If ``tomli-w`` is not installed (the message names the extra).
        TypeError: If a value has another type.

    Example:
        >>> print(dumps_toml({"trainer": {"steps": 10, "grad_clip": None},
        ...                   "loss": {"name": "WGANGP"}}), end="")
        [trainer]
        steps = 10
        grad_clip = "none"
        <BLANKLINE>
        [loss]
        name = "WGANGP"
    """
    try:
        import tomli_w
    except ImportError:
        raise ImportError(
            'writing TOML configs needs tomli-w: pip install "gankit[extras]" (or pip install '
            "tomli-w)"
        ) from None
    text: str = tomli_w.dumps(_with_none_spelled(data))
    return text


def _load_yaml(text: str, source: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            "", f'{source}: reading YAML configs needs PyYAML: pip install "gankit[yaml]"'
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError("", f"{source} is not valid YAML: {detail}") from None


def load_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    r"""Read a config file: ``.toml``, or ``.yaml``/``.yml`` when PyYAML is installed.

    The result is the raw document; :func:`gankit.config.resolve_config`
    validates it. A relative ``data.path`` is resolved against the config
    file's folder (so ``path = "mnist"`` beside ``run.toml`` works from any
    working directory); ``--set data.path=...`` on the command line stays
    relative to the working directory, where it was typed.

    Args:
        path: The config file.

    Returns:
        The document as nested dicts and lists.

    Raises:
        ConfigError: If the file is missing, has another suffix, cannot be
            parsed, or is not a table at the top.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.toml"
        >>> _ = path.write_text('[trainer]\nsteps = 10\n')
        >>> load_config(path)
        {'trainer': {'steps': 10}}
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(
            "", f"config file {str(path)!r} must end in .toml, .yaml or .yml, got {suffix!r}"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("", f"config file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"cannot read config file {str(path)!r}: {exc}") from None
    data = loads_toml(text, repr(str(path))) if suffix == ".toml" else _load_yaml(
        text, repr(str(path))
    )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            "", f"{str(path)!r} must hold a table at the top, got {format_value(data)}"
        )
    return _resolve_paths(data, path.parent)


def _resolve_paths(config: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Make a relative ``data.path`` relative to the config file's folder, not the shell's.

    A config can then be run from any working directory, and the copy that
    ``gankit train`` writes into the run folder names the same files.
    """
    data = config.get("data")
    if isinstance(data, dict) and isinstance(data.get("path"), str):
        target = Path(data["path"]).expanduser()
        if not target.is_absolute():
            data["path"] = str((folder / target).resolve())
    return config


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split a ``key=value`` override into its key path and value.

    The value is parsed as a TOML value (``10`` is an int, ``1e-4`` a float,
    ``[64, 64]`` a list, ``true`` a bool, ``"x"`` a string); anything that is
    not valid TOML is taken as a bare string, so ``name=Adam`` works.

    Args:
        text: The override, e.g. ``"trainer.steps=100"`` or ``"loss.terms.1.weight=5"``.

    Returns:
        The key path as a list of parts and the parsed value.

    Raises:
        ConfigError: If there is no ``=`` or the key is empty.

    Example:
        >>> parse_override("trainer.steps=100")
        (['trainer', 'steps'], 100)
        >>> parse_override("optimizer.generator.name=Adam")
        (['optimizer', 'generator', 'name'], 'Adam')
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not sep or not key or any(not p.strip() for p in parts):
        raise ConfigError(
            "", f"--set expects key=value with a dotted key, e.g. trainer.steps=100; got {text!r}"
        )
    raw = raw.strip()
    try:
        value = loads_toml(f"v = {raw}")["v"]
    except ConfigError:
        value = raw
    return [p.strip() for p in parts], value


def _set(node: Any, parts: list[str], value: Any, done: str) -> None:
    part, rest = parts[0], parts[1:]
    path = join_path(done, part)
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ConfigError(
                path, f"--set: {done!r} is a list of {len(node)} items; use an index "
                f"0..{len(node) - 1}, got {part!r}"
            )
        index: Any = int(part)
    elif isinstance(node, dict):
        index = part
    else:
        raise ConfigError(
            path, f"--set: {done!r} is {format_value(node)}, not a table, so it has no key {part!r}"
        )
    if not rest:
        node[index] = value
        return
    if isinstance(node, dict) and part not in node:
        node[part] = {}
    _set(node[index], rest, value, path)


def apply_overrides(config: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``key=value`` overrides to a copy of a raw config.

    Missing tables along the path are created, so ``--set callbacks.ema.decay=0.99``
    works on a config without ``[callbacks]``. A key that the schema does not
    allow is reported later, by validation, with its full path.

    Args:
        config: The raw config.
        overrides: Strings ``"dotted.key=value"``; list items are addressed by
            index, e.g. ``"loss.terms.0.weight=2"``.

    Returns:
        The new config; ``config`` is not modified.

    Raises:
        ConfigError: If an override is malformed or walks into a non-table.

    Example:
        >>> apply_overrides({"trainer": {"steps": 10}}, ["trainer.steps=20", "trainer.seed=3"])
        {'trainer': {'steps': 20, 'seed': 3}}
    """
    out = copy.deepcopy(config)
    for text in overrides:
        parts, value = parse_override(text)
        _set(out, parts, value, "")
    return out
