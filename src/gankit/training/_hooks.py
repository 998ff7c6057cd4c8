"""The trainer's callbacks: the list it was given, the built-in ones, and a table of hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

from gankit.callbacks.base import HOOKS, Callback
from gankit.callbacks.divergence import DivergenceGuard
from gankit.callbacks.progress import ProgressBar

__all__ = ["HookTable", "callback_list", "with_defaults"]


def callback_list(callbacks: Any) -> list[Callback]:
    """One callback or an iterable of them, as a list; anything else is a TypeError."""
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Iterable):
        raise TypeError(
            "callbacks must be a gankit.callbacks.Callback or a sequence of them, "
            f"got {type(callbacks).__name__}"
        )
    out = list(callbacks)
    for cb in out:
        if not isinstance(cb, Callback):
            raise TypeError(
                f"callbacks must be gankit.callbacks.Callback objects, got {type(cb).__name__}"
            )
    return out


def with_defaults(
    callbacks: list[Callback], divergence_guard: bool, progress_bar: bool
) -> list[Callback]:
    """``callbacks`` with a leading :class:`DivergenceGuard` and a :class:`ProgressBar`, if on."""
    out = list(callbacks)
    if progress_bar and not any(isinstance(cb, ProgressBar) for cb in out):
        out.append(ProgressBar())
    if divergence_guard and not any(isinstance(cb, DivergenceGuard) for cb in out):
        out.insert(0, DivergenceGuard())
    return out


class HookTable:
    """For each hook, the bound methods of the callbacks that override it.

    The trainer dispatches a hook only to callbacks that override it, so an
    unused hook costs nothing. The time spent in each callback is summed
    (:meth:`callback_seconds`). Callbacks marked ``rank_zero_only`` (those that
    write files) are bound only on the process of rank 0.

    Args:
        callbacks: The callbacks, in dispatch order.
        rank_zero: Whether this process has rank 0.

    Raises:
        ValueError: If two callbacks share a ``state_key``.
    """

    def __init__(self, callbacks: Iterable[Callback], *, rank_zero: bool = True) -> None:
        self.callbacks = list(callbacks)
        keys = [cb.state_key for cb in self.callbacks]
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"two callbacks share a state_key, so their checkpoint states would clash: "
                f"{keys}; override state_key on one of them"
            )
        self.table: dict[str, list[tuple[Callable[..., None], int]]] = {h: [] for h in HOOKS}
        self.active: list[Callback] = []  # the callbacks bound on this process
        self.seconds = [0.0] * len(self.callbacks)  # time in each callback's hooks
        for i, cb in enumerate(self.callbacks):
            if cb.rank_zero_only and not rank_zero:
                continue
            self.active.append(cb)
            for hook in HOOKS:
                if getattr(type(cb), hook) is not getattr(Callback, hook):
                    self.table[hook].append((getattr(cb, hook), i))

    def reads_diagnostics(self, step: int) -> bool:
        """Whether a callback of this process reads the diagnostics of ``step``."""
        return any(cb.reads_diagnostics(step) for cb in self.active)

    def __call__(self, hook: str, trainer: Any, *args: Any) -> None:
        """Call ``hook(trainer, *args)`` on every callback that overrides it, in order."""
        for fn, i in self.table[hook]:
            start = perf_counter()
            fn(trainer, *args)
            self.seconds[i] += perf_counter() - start

    def callback_seconds(self) -> dict[str, float]:
        """Seconds spent in each callback's hooks so far, by :attr:`~Callback.state_key`."""
        return {cb.state_key: self.seconds[i] for i, cb in enumerate(self.callbacks)}
