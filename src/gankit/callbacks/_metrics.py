"""What the trainer has logged at this step: ``trainer.callback_metrics``.

The trainer owns the logged values (as Lightning's ``callback_metrics``): each
step starts them with the step's own metrics (``d/loss``, ``g/grad_norm``, ...),
callbacks add theirs in ``on_step_end`` with :meth:`LoggedMetrics.log`, and the
loggers read the whole mapping in ``on_log``, after every ``on_step_end``. So
the order of the callbacks does not decide what a logger records.

The keys of gankit 0.1.0 (``d_loss``, ``g_grad_norm``, ``d_real``, ...) still
read, with a :class:`DeprecationWarning` naming the new key, for one release.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Real
from typing import Any

from torch import Tensor

__all__ = ["DIAGNOSTICS", "OLD_KEYS", "LoggedMetrics", "is_loss_key"]

#: What the step logs for a player ``p`` beside its loss terms ``p/<term>`` and
#: their sum ``p/loss``: ``p/grad_norm``, and for D ``d/real_logit`` and ``d/fake_logit``.
#: No loss term may take one of these names, nor ``loss``.
DIAGNOSTICS: frozenset[str] = frozenset({"grad_norm", "real_logit", "fake_logit"})

#: The 0.1.0 key of each renamed metric, and its new key.
OLD_KEYS: dict[str, str] = {
    "d_loss": "d/loss",
    "g_loss": "g/loss",
    "d_grad_norm": "d/grad_norm",
    "g_grad_norm": "g/grad_norm",
    "d_real": "d/real_logit",
    "d_fake": "d/fake_logit",
}


def is_loss_key(key: str) -> bool:
    """Whether ``key`` is a loss value: ``d/<term>``, ``d/loss``, ``g/<term>`` or ``g/loss``.

    Example:
        >>> [is_loss_key(k) for k in ("d/gp", "g/loss", "d/grad_norm", "eval/fid")]
        [True, True, False, False]
    """
    player, _, name = key.partition("/")
    return player in ("d", "g") and bool(name) and name not in DIAGNOSTICS


def _renamed(key: object) -> str | None:
    new = OLD_KEYS.get(key) if isinstance(key, str) else None
    if new is not None:
        warnings.warn(
            f"the metric {key!r} is now called {new!r}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=3,
        )
    return new


class LoggedMetrics(dict[str, "Tensor | float"]):
    """A dict of logged values: names to floats or detached 0-dim tensors.

    Reading a 0.1.0 key (``metrics["d_loss"]``) warns and returns the new
    key's value (``metrics["d/loss"]``).

    Example:
        >>> import warnings
        >>> logged = LoggedMetrics({"d/loss": 0.5})
        >>> logged.log("eval/fid", 12.0)
        >>> sorted(logged)
        ['d/loss', 'eval/fid']
        >>> with warnings.catch_warnings(record=True):
        ...     logged["d_loss"]
        0.5
    """

    def __missing__(self, key: str) -> Tensor | float:
        new = _renamed(key)
        if new is None or not dict.__contains__(self, new):
            raise KeyError(key)
        return self[new]

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        new = _renamed(key)
        return new is not None and dict.__contains__(self, new)

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if present (old keys included), else ``default``."""
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        new = _renamed(key)
        return dict.get(self, new, default) if new is not None else default

    def log(self, name: str, value: Tensor | float) -> None:
        """Publish one value (a number or a 0-dim tensor) under ``name``.

        Raises:
            TypeError: If ``name`` is not a str or ``value`` not a number or 0-dim tensor.
        """
        if not isinstance(name, str):
            raise TypeError(f"a metric name must be a str, got {type(name).__name__}")
        scalar = isinstance(value, Tensor) and value.dim() == 0
        if not scalar and (isinstance(value, bool) or not isinstance(value, Real)):
            shape = f" of shape {tuple(value.shape)}" if isinstance(value, Tensor) else ""
            raise TypeError(
                f"metric {name!r} must be a number or a 0-dim tensor, "
                f"got {type(value).__name__}{shape}"
            )
        self[name] = value if isinstance(value, Tensor) else float(value)

    def log_dict(self, values: Mapping[str, Tensor | float]) -> None:
        """Publish several values; see :meth:`log`."""
        for name, value in values.items():
            self.log(name, value)
