"""Deprecated module: the collapse monitor lives in :mod:`gankit.callbacks.collapse_monitor`.

``from gankit.callbacks.collapse import CollapseWarning`` (gankit 0.1.0) still
works for one release, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import warnings

from gankit.callbacks.collapse_monitor import CollapseMonitor, ModeCollapseWarning

__all__ = ["CollapseMonitor", "ModeCollapseWarning"]

warnings.warn(
    "gankit.callbacks.collapse is now gankit.callbacks.collapse_monitor (and CollapseWarning "
    "is CollapseMonitor); the old module goes in the next release",
    DeprecationWarning, stacklevel=2,
)


def __getattr__(name: str) -> object:
    if name == "CollapseWarning":
        from gankit.callbacks import collapse_monitor

        return collapse_monitor.__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
