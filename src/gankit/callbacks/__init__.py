"""Callbacks: hooks into :class:`~gankit.Trainer` for logging, checkpoints, samples and EMA.

The protocol lives in :mod:`gankit.callbacks.base`; every built-in callback is
one file of this package. :class:`BackgroundWriter` (the trainer's
``trainer.writer``) and :func:`write_job` take their files off the training
loop's hot path.
"""

from gankit._writer import BackgroundWriter, WriterError, write_job
from gankit.callbacks._metrics import LoggedMetrics, is_loss_key
from gankit.callbacks._trainer_view import TrainerView
from gankit.callbacks.base import HOOKS, Callback, Metrics
from gankit.callbacks.checkpoint import ModelCheckpoint
from gankit.callbacks.collapse_monitor import CollapseMonitor, ModeCollapseWarning
from gankit.callbacks.csv_logger import CSVLogger
from gankit.callbacks.divergence import DivergenceError, DivergenceGuard
from gankit.callbacks.ema import EMA
from gankit.callbacks.evaluation import EvalFn, Evaluation, EvalValue
from gankit.callbacks.fixed_noise import FixedNoise
from gankit.callbacks.loss_plot import LossPlot
from gankit.callbacks.metric_eval import (
    DensityCoverageEval,
    FrechetEval,
    MetricEval,
    ModeCoverageEval,
    PrecisionRecallEval,
)
from gankit.callbacks.mlflow_logger import MLflowLogger
from gankit.callbacks.progress import ProgressBar
from gankit.callbacks.samples import SampleGrid
from gankit.callbacks.tensorboard import TensorBoardLogger
from gankit.callbacks.wandb_logger import WandbLogger

__all__ = [
    "EMA",
    "HOOKS",
    "BackgroundWriter",
    "CSVLogger",
    "Callback",
    "CollapseMonitor",
    "DensityCoverageEval",
    "DivergenceError",
    "DivergenceGuard",
    "EvalFn",
    "EvalValue",
    "Evaluation",
    "FixedNoise",
    "FrechetEval",
    "LoggedMetrics",
    "LossPlot",
    "MLflowLogger",
    "MetricEval",
    "Metrics",
    "ModeCollapseWarning",
    "ModeCoverageEval",
    "ModelCheckpoint",
    "PrecisionRecallEval",
    "ProgressBar",
    "SampleGrid",
    "TensorBoardLogger",
    "TrainerView",
    "WandbLogger",
    "WriterError",
    "is_loss_key",
    "write_job",
]


def __getattr__(name: str) -> object:
    if name == "CollapseWarning":
        from gankit.callbacks import collapse_monitor

        return collapse_monitor.__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
