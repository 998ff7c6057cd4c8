"""Deprecated aliases of renamed public names, kept for one release.

A module that renamed ``Old`` to ``New`` sets its module-level ``__getattr__``
(PEP 562) to :func:`deprecated_aliases`, so that ``module.Old`` and
``from module import Old`` still work but warn.

Example:
    >>> import warnings
    >>> from gankit.metrics import kernel
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     kernel.KernelDistanceMetric is kernel.KernelDistance
    True
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    gankit.metrics.kernel.KernelDistanceMetric is deprecated ...; use ....KernelDistance
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Mapping

__all__ = ["deprecated_aliases"]


def deprecated_aliases(module: str, aliases: Mapping[str, str]) -> Callable[[str], object]:
    """Return a module ``__getattr__`` that resolves old names to new ones, with a warning.

    Args:
        module: The module's ``__name__``; the new names are looked up there.
        aliases: Old name to new name.

    Returns:
        ``__getattr__(name)``, which returns the module's ``aliases[name]`` and
        warns :class:`DeprecationWarning` naming the new name, or raises
        :class:`AttributeError` for any other name.
    """
    table = dict(aliases)

    def __getattr__(name: str) -> object:  # noqa: N807 (the PEP 562 hook's name)
        if name not in table:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} is deprecated and will be removed in the next release; "
            f"use {module}.{table[name]}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(sys.modules[module], table[name])

    return __getattr__
