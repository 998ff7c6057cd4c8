"""Deprecated aliases of renamed public names, kept for one release.

A module that renamed ``Old`` to ``New`` keeps a table ``{"Old": "New"}`` and
a module-level ``__getattr__`` that calls :func:`deprecated_alias`, so that
``module.Old`` still works but warns (PEP 562).

Example:
    >>> import warnings
    >>> namespace = {"New": 1}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     deprecated_alias("pkg", "Old", {"Old": "New"}, namespace)
    1
    >>> str(caught[0].message)
    'pkg.Old is deprecated and will be removed in the next release; use pkg.New'
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

__all__ = ["deprecated_alias"]


def deprecated_alias(
    module: str, name: str, aliases: Mapping[str, str], namespace: Mapping[str, object]
) -> object:
    """Return the object that the deprecated ``name`` now stands for, with a warning.

    Args:
        module: The module's ``__name__``, shown in the messages.
        name: The attribute looked up.
        aliases: Old name to new name.
        namespace: The module's ``globals()``, which holds the new names.

    Returns:
        ``namespace[aliases[name]]``.

    Raises:
        AttributeError: If ``name`` is not a deprecated alias.

    Warns:
        DeprecationWarning: Naming the new name.
    """
    if name not in aliases:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new = aliases[name]
    warnings.warn(
        f"{module}.{name} is deprecated and will be removed in the next release; "
        f"use {module}.{new}",
        DeprecationWarning,
        stacklevel=3,
    )
    return namespace[new]
