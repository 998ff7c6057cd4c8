"""Private registry of loss classes by class name, read by the config layer and tests.

Every registered class defines ``config_keys``, the constructor arguments a
config file may set, and ``get_config()``, their values (both inherited from
:class:`~gankit.losses.Loss`, where ``config_keys`` is empty).
"""

from __future__ import annotations

from typing import TypeVar

from gankit.losses.auxiliary import AuxiliaryClassifier
from gankit.losses.base import Loss
from gankit.losses.bce import MMGAN, NSGAN
from gankit.losses.consistency import BalancedConsistency
from gankit.losses.hinge import Hinge
from gankit.losses.least_squares import LSGAN
from gankit.losses.penalties import GradientPenalty, R1Penalty
from gankit.losses.wasserstein import WGAN, WGANGP

__all__ = ["RENAMED_KEYS", "get_loss_class", "list_losses", "register_loss", "upgrade_loss_repr"]

LossT = TypeVar("LossT", bound=type[Loss])

_LOSSES: dict[str, type[Loss]] = {}


def register_loss(cls: LossT) -> LossT:
    """Register a loss class under its class name (usable as a class decorator).

    A registered loss can be named in a config file's ``[loss]`` section
    without its import path.

    Args:
        cls: A :class:`~gankit.losses.Loss` subclass whose ``config_keys`` are
            its constructor arguments.

    Returns:
        ``cls`` unchanged.

    Raises:
        TypeError: If ``cls`` is not a ``Loss`` subclass.
        ValueError: If another class is already registered under the same name.

    Example:
        >>> register_loss(NSGAN) is NSGAN
        True
    """
    if not (isinstance(cls, type) and issubclass(cls, Loss)):
        raise TypeError(f"only gankit.losses.Loss subclasses can be registered, got {cls!r}")
    name = cls.__name__
    if name in _LOSSES and _LOSSES[name] is not cls:
        raise ValueError(f"a different loss class is already registered as {name!r}")
    _LOSSES[name] = cls
    return cls


def list_losses() -> list[str]:
    """Return the sorted names of the registered losses.

    Returns:
        The class names.

    Example:
        >>> list_losses()  # doctest: +NORMALIZE_WHITESPACE
        ['AuxiliaryClassifier', 'BalancedConsistency', 'GradientPenalty', 'Hinge', 'LSGAN',
         'MMGAN', 'NSGAN', 'R1Penalty', 'WGAN', 'WGANGP']
    """
    return sorted(_LOSSES)


def get_loss_class(name: str) -> type[Loss]:
    """Return the loss class registered as ``name``.

    Args:
        name: A class name from :func:`list_losses`, e.g. ``"R1Penalty"``.

    Returns:
        The class.

    Raises:
        KeyError: If ``name`` is not registered (the message lists the names).

    Example:
        >>> get_loss_class("R1Penalty").config_keys
        ('weight', 'every')
    """
    if name not in _LOSSES:
        raise KeyError(f"unknown loss {name!r}; registered losses: {list_losses()}")
    return _LOSSES[name]


for _cls in (AuxiliaryClassifier, BalancedConsistency, GradientPenalty, Hinge, LSGAN, MMGAN, NSGAN,
             R1Penalty, WGAN, WGANGP):
    register_loss(_cls)

#: Config keys renamed in this release, by loss: ``{old: new}``. A config file
#: that still uses an old key gets a ``FutureWarning`` and the old meaning.
RENAMED_KEYS: dict[str, dict[str, str]] = {
    "R1Penalty": {"gamma": "weight"},
    "WGANGP": {"gp_weight": "weight"},
}


def upgrade_loss_repr(text: str) -> str:
    """Rewrite a loss ``repr`` saved before the renames in :data:`RENAMED_KEYS`.

    Checkpoints record ``repr(loss)``; one written before the rename reads
    ``R1Penalty(gamma=0.1)`` where the same loss is now
    ``R1Penalty(weight=0.1)``.

    Args:
        text: A loss ``repr``, old or new.

    Returns:
        The same loss in today's spelling.

    Example:
        >>> upgrade_loss_repr("NSGAN() + 0.5 * R1Penalty(gamma=0.1)")
        'NSGAN() + 0.5 * R1Penalty(weight=0.1)'
    """
    for name, keys in RENAMED_KEYS.items():
        for old, new in keys.items():
            text = text.replace(f"{name}({old}=", f"{name}({new}=")
    return text
