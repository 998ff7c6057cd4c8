"""A private helper for loss reprs that show only the arguments changed from their defaults."""

from __future__ import annotations

__all__ = ["call_repr"]


def call_repr(obj: object, **arguments: tuple[float, float]) -> str:
    """Format ``obj`` as a constructor call, listing only non-default arguments.

    Args:
        obj: The object whose class names the call.
        **arguments: For each argument, its ``(value, default)``.

    Returns:
        For example ``"NSGAN()"`` or ``"R1Penalty(weight=0.1)"``.

    Example:
        >>> call_repr(1.5, weight=(10.0, 10.0), target=(0.0, 1.0))
        'float(target=0.0)'
    """
    shown = ", ".join(f"{k}={v!r}" for k, (v, default) in arguments.items() if v != default)
    return f"{type(obj).__name__}({shown})"
