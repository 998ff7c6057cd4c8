"""Build the ``[callbacks]`` section into callbacks that write into the run folder.

Each callback is a sub-table with its arguments; its presence turns it on and
``enabled = false`` turns it off. ``csv``, ``checkpoint``, ``samples`` and
``loss_plot`` are on by default; ``ema``, ``tensorboard`` and
``collapse_warning`` are off unless their table is present::

    [callbacks.checkpoint]
    every = 500
    keep_last = 2

    [callbacks.ema]
    decay = 0.99

Files go to fixed places in the output folder ``DIR``: ``DIR/log.csv``,
``DIR/checkpoints/{step_*.pt,last.pt}``, ``DIR/samples/``, ``DIR/losses.png``
and ``DIR/tensorboard/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gankit.callbacks import (
    EMA,
    CollapseMonitor,
    CSVLogger,
    LossPlot,
    ModelCheckpoint,
    SampleGrid,
    TensorBoardLogger,
)
from gankit.callbacks.base import Callback
from gankit.config.data import DataSpec
from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import Field, check_table, join_path

__all__ = ["CALLBACK_FIELDS", "DEFAULT_ON", "build_callbacks"]

_ENABLED = Field("bool", None, "turn the callback on or off")


def _every(default: int, what: str) -> Field:
    return Field("int", default, f"{what} every this many steps", minimum=1)


#: The arguments of each callback, as config fields.
CALLBACK_FIELDS: dict[str, dict[str, Field]] = {
    "csv": {"enabled": _ENABLED, "every": _every(10, "log a row")},
    "checkpoint": {
        "enabled": _ENABLED,
        "every": _every(1000, "save checkpoints/step_<N>.pt"),
        "keep_last": Field("int", 3, "step files to keep ('none': all)", minimum=1,
                           nullable=True),
    },
    "samples": {
        "enabled": _ENABLED,
        "every": _every(500, "save a sample picture to samples/"),
        "n": Field("int", 64, "samples per picture", minimum=1),
        "seed": Field("int", 0, "seed of the fixed noise"),
        "nrow": Field("int", None, "images per row of a grid (default: square)", minimum=1),
    },
    "loss_plot": {
        "enabled": _ENABLED,
        "every": _every(10, "record the losses"),
        "plot_every": Field("int", 1000, "rewrite losses.png every this many steps ('none': "
                            "only at the end)", minimum=1, nullable=True),
    },
    "ema": {
        "enabled": _ENABLED,
        "decay": Field("float", 0.999, "decay of the moving average of G's weights",
                       minimum=0.0),
        "start_step": Field("int", 0, "copy G's weights until this step", minimum=0),
        "every": _every(1, "average"),
    },
    "tensorboard": {"enabled": _ENABLED, "every": _every(10, "log scalars")},
    "collapse_warning": {
        "enabled": _ENABLED,
        "every": _every(500, "check sample diversity"),
        "n": Field("int", 256, "samples per check", minimum=2),
        "threshold": Field("float", 0.1, "warn below this diversity ratio", minimum=0.0),
        "seed": Field("int", 0, "seed of the fixed noise"),
    },
}

#: The callbacks that run when ``[callbacks]`` does not mention them.
DEFAULT_ON: tuple[str, ...] = ("csv", "checkpoint", "samples", "loss_plot")


def _make(name: str, args: dict[str, Any], out: Path, data: DataSpec) -> Callback:
    if name == "csv":
        return CSVLogger(out / "log.csv", **args)
    if name == "checkpoint":
        return ModelCheckpoint(out / "checkpoints", **args)
    if name == "samples":
        return SampleGrid(out / "samples", real=data.real_points(1000), **args)
    if name == "loss_plot":
        return LossPlot(out / "losses.png", **args)
    if name == "ema":
        return EMA(**args)
    if name == "tensorboard":
        return TensorBoardLogger(out / "tensorboard", **args)
    return CollapseMonitor(**args)


def build_callbacks(
    section: Any, out_dir: Path, data: DataSpec, path: str = "callbacks"
) -> tuple[list[Callback], dict[str, Any]]:
    """Build the callbacks of a ``[callbacks]`` section.

    Callbacks run in a fixed order: EMA first (so that later callbacks sample
    the averaged generator), then CSV, TensorBoard, loss plot, samples,
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
        if name not in CALLBACK_FIELDS:
            raise unknown_name_error(join_path(path, name), name, CALLBACK_FIELDS, "callback")
    order = ("ema", "csv", "tensorboard", "loss_plot", "samples", "collapse_warning", "checkpoint")
    callbacks: list[Callback] = []
    resolved: dict[str, Any] = {}
    for name in order:
        sub = join_path(path, name)
        given = section.get(name)
        args = check_table({} if given is None else given, CALLBACK_FIELDS[name], sub)
        enabled = args.pop("enabled", given is not None or name in DEFAULT_ON)
        resolved[name] = {"enabled": enabled, **args}
        if not enabled:
            continue
        try:
            callbacks.append(_make(name, args, out_dir, data))
        except (TypeError, ValueError) as exc:
            raise ConfigError(sub, str(exc)) from None
    return callbacks, resolved
