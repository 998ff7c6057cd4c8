"""Build the ``[callbacks]`` section into callbacks that write into the run folder.

Each callback is a sub-table with its arguments (the class's ``config_keys``:
its constructor arguments other than the paths the run folder fixes, checked by
the constructor); its presence turns it on and
``enabled = false`` turns it off. ``csv``, ``checkpoint``, ``samples`` and
``loss_plot`` are on by default; ``ema``, ``tensorboard``, ``wandb``, ``mlflow``
and ``collapse_warning`` are off unless their table is present::

    [callbacks.checkpoint]
    every = 500
    keep_last = 2

    [callbacks.ema]
    decay = 0.99

Files go to fixed places in the output folder ``DIR``: ``DIR/log.csv``,
``DIR/checkpoints/{step_*.pt,last.pt}``, ``DIR/samples/``, ``DIR/losses.png``,
``DIR/tensorboard/`` and ``DIR/wandb/``. The MLflow logger writes to its
``tracking_uri`` (default: ``MLFLOW_TRACKING_URI``, else MLflow's default);
both trackers record the resolved config (set by
:func:`~gankit.config.build_experiment`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gankit.callbacks._registry import get_callback_class, list_callbacks
from gankit.callbacks.base import Callback
from gankit.config.data import DataSpec
from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import NONE, Field, check_value, join_path

__all__ = ["DEFAULT_ON", "ORDER", "build_callbacks"]

_ENABLED = Field("bool", None, "turn the callback on or off")

#: The callbacks that run when ``[callbacks]`` does not mention them.
DEFAULT_ON: tuple[str, ...] = ("csv", "checkpoint", "samples", "loss_plot")

#: The order the callbacks run in (see :func:`build_callbacks`).
ORDER: tuple[str, ...] = (
    "ema", "csv", "tensorboard", "wandb", "mlflow", "loss_plot", "samples", "collapse_warning",
    "checkpoint",
)

#: Where each callback writes, inside the run folder: its path argument and the name.
_FILES: dict[str, tuple[str, str]] = {
    "csv": ("path", "log.csv"),
    "checkpoint": ("dirpath", "checkpoints"),
    "samples": ("dirpath", "samples"),
    "loss_plot": ("path", "losses.png"),
    "tensorboard": ("log_dir", "tensorboard"),
    "wandb": ("save_dir", "."),  # W&B makes its own wandb/ folder in it
}


def __getattr__(name: str) -> Any:
    if name == "CALLBACK_FIELDS":
        from gankit._deprecation import warn_renamed

        warn_renamed("gankit.config.callbacks.CALLBACK_FIELDS",
                     "gankit.callbacks.<Class>.config_keys")
        return {n: ("enabled", *get_callback_class(n).config_keys) for n in ORDER}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _fixed_args(name: str, out: Path, data: DataSpec) -> dict[str, Any]:
    """The arguments the run folder fixes: output paths, and real points for 2-D scatters."""
    args: dict[str, Any] = {}
    if name in _FILES:
        key, file = _FILES[name]
        args[key] = out / file
    if name == "samples":
        args["real"] = data.real_points(1000)
    return args


def _build_one(
    name: str, given: Any, out: Path, data: DataSpec, path: str
) -> tuple[Callback, bool, dict[str, Any]]:
    """Build one callback (enabled or not, so its arguments are checked either way)."""
    cls = get_callback_class(name)
    table = {} if given is None else given
    if not isinstance(table, dict):
        raise ConfigError(path, f"expected a table, got {format_value(table)}")
    for key in table:
        if key != "enabled" and key not in cls.config_keys:
            raise unknown_name_error(join_path(path, key), key,
                                     ["enabled", *cls.config_keys], "key")
    enabled = given is not None or name in DEFAULT_ON
    if "enabled" in table:
        enabled = check_value(table["enabled"], _ENABLED, join_path(path, "enabled"))
    args = {k: None if v == NONE else v for k, v in table.items() if k != "enabled"}
    try:
        callback = cls(**_fixed_args(name, out, data), **args)
    except (TypeError, ValueError) as exc:
        raise ConfigError(path, f"{cls.__name__}: {exc}") from None
    return callback, enabled, {"enabled": enabled, **callback.get_config()}


def build_callbacks(
    section: Any, out_dir: Path, data: DataSpec, path: str = "callbacks"
) -> tuple[list[Callback], dict[str, Any]]:
    """Build the callbacks of a ``[callbacks]`` section.

    Callbacks run in a fixed order: EMA first (so that later callbacks sample
    the averaged generator), then CSV, TensorBoard, W&B, MLflow, loss plot, samples,
    collapse warning, and checkpoints last (so a checkpoint holds every
    other callback's state of the same step).

    Args:
        section: The table of callback tables; ``None`` for the defaults.
        out_dir: The run's output folder (nothing is written here yet).
        data: The run's data (real points for 2-D scatter plots).
        path: The section's dotted path.

    Returns:
        The callbacks and the resolved section (one table per callback, each
        with ``enabled`` and its arguments).

    Raises:
        ConfigError: On an unknown callback or argument, or a bad value.

    Example:
        >>> from pathlib import Path
        >>> from gankit.config.data import build_data
        >>> spec, _ = build_data({"name": "ring"}, seed=0)
        >>> cbs, resolved = build_callbacks({"ema": {"decay": 0.99}}, Path("run"), spec)
        >>> [type(cb).__name__ for cb in cbs]
        ['EMA', 'CSVLogger', 'LossPlot', 'SampleGrid', 'ModelCheckpoint']
    """
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise ConfigError(path, f"expected a table of callback tables, got {format_value(section)}")
    for name in section:
        if name not in list_callbacks():
            raise unknown_name_error(join_path(path, name), name, ORDER, "callback")
    callbacks: list[Callback] = []
    resolved: dict[str, Any] = {}
    for name in ORDER:
        callback, enabled, resolved[name] = _build_one(
            name, section.get(name), out_dir, data, join_path(path, name))
        if enabled:
            callbacks.append(callback)
    return callbacks, resolved
