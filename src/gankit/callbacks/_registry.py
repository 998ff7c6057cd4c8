"""Private registry of the callbacks a config file can turn on, by config name.

Each class lists in ``config_keys`` the constructor arguments that a
``[callbacks.<name>]`` table may set (the others, such as output paths, are
fixed by the run folder), and ``get_config()`` returns their values; both are
declared on :class:`~gankit.callbacks.Callback`, where ``config_keys`` is empty.
"""

from __future__ import annotations

from gankit.callbacks.base import Callback
from gankit.callbacks.checkpoint import ModelCheckpoint
from gankit.callbacks.collapse_monitor import CollapseMonitor
from gankit.callbacks.csv_logger import CSVLogger
from gankit.callbacks.ema import EMA
from gankit.callbacks.loss_plot import LossPlot
from gankit.callbacks.mlflow_logger import MLflowLogger
from gankit.callbacks.samples import SampleGrid
from gankit.callbacks.tensorboard import TensorBoardLogger
from gankit.callbacks.wandb_logger import WandbLogger

__all__ = ["get_callback_class", "list_callbacks"]

_CALLBACKS: dict[str, type[Callback]] = {
    "checkpoint": ModelCheckpoint,
    "collapse_warning": CollapseMonitor,
    "csv": CSVLogger,
    "ema": EMA,
    "loss_plot": LossPlot,
    "mlflow": MLflowLogger,
    "samples": SampleGrid,
    "tensorboard": TensorBoardLogger,
    "wandb": WandbLogger,
}


def list_callbacks() -> list[str]:
    """Return the sorted config names of the registered callbacks.

    Returns:
        The names, e.g. ``"csv"`` for :class:`~gankit.callbacks.CSVLogger`.

    Example:
        >>> list_callbacks()  # doctest: +NORMALIZE_WHITESPACE
        ['checkpoint', 'collapse_warning', 'csv', 'ema', 'loss_plot', 'mlflow', 'samples',
         'tensorboard', 'wandb']
    """
    return sorted(_CALLBACKS)


def get_callback_class(name: str) -> type[Callback]:
    """Return the callback class registered under the config name ``name``.

    Args:
        name: A name from :func:`list_callbacks`.

    Returns:
        The class.

    Raises:
        KeyError: If ``name`` is not registered (the message lists the names).

    Example:
        >>> get_callback_class("ema").config_keys
        ('decay', 'start_step', 'every', 'buffers')
    """
    if name not in _CALLBACKS:
        raise KeyError(f"unknown callback {name!r}; registered callbacks: {list_callbacks()}")
    return _CALLBACKS[name]
