"""Deprecated aliases of renamed public names and keywords, kept for one release: they warn.

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
from typing import Any

__all__ = ["deprecated_aliases", "renamed_argument", "warn_renamed"]


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


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Emit the :class:`DeprecationWarning` for a name renamed from ``old`` to ``new``.

    Args:
        old: The deprecated spelling, e.g. ``"R1Penalty(gamma=...)"``.
        new: Its replacement, e.g. ``"R1Penalty(weight=...)"``.
        stacklevel: Passed to :func:`warnings.warn`; the default points at the
            caller of the function that calls this one.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_renamed("old_name", "new_name", stacklevel=2)
        >>> str(caught[0].message)
        'old_name is deprecated and will be removed in the next release; use new_name'
    """
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def renamed_argument(
    owner: str, old: str, new: str, old_value: Any, new_value: Any, default: Any
) -> Any:
    """Resolve a keyword argument renamed from ``old`` to ``new``, warning about ``old``.

    Call it when the caller passed the deprecated keyword (``old_value`` is not
    ``None``).

    Args:
        owner: The class or function, for the messages, e.g. ``"R1Penalty"``.
        old: The deprecated keyword.
        new: The keyword that replaces it.
        old_value: The value given for ``old``.
        new_value: The value of ``new`` (its default unless the caller gave it).
        default: The default of ``new``.

    Returns:
        ``old_value``, to use as the value of ``new``.

    Raises:
        TypeError: If ``new`` was given too (a value other than its default).

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     renamed_argument("R1Penalty", "gamma", "weight", 0.1, 10.0, 10.0)
        0.1
    """
    if new_value != default:
        raise TypeError(f"{owner} got both {new}= and its deprecated alias {old}=; pass {new} only")
    warn_renamed(f"{owner}({old}=...)", f"{owner}({new}=...)", stacklevel=4)
    return old_value
