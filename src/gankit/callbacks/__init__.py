"""Callbacks: hooks into :class:`~gankit.Trainer` for logging, checkpoints, samples and EMA.

The protocol lives in :mod:`gankit.callbacks.base`; every built-in callback is
one file of this package.
"""

from gankit.callbacks.base import HOOKS, Callback, Metrics
from gankit.callbacks.checkpoint import ModelCheckpoint
from gankit.callbacks.collapse import CollapseWarning, ModeCollapseWarning
from gankit.callbacks.csv_logger import CSVLogger
from gankit.callbacks.divergence import DivergenceError, DivergenceGuard
from gankit.callbacks.ema import EMA
from gankit.callbacks.evaluation import (
    DensityCoverageEval,
    EvalFn,
    Evaluation,
    FrechetEval,
    ModeCoverageEval,
    PrecisionRecallEval,
)
from gankit.callbacks.loss_plot import LossPlot
from gankit.callbacks.progress import ProgressBar
from gankit.callbacks.samples import SampleGrid
from gankit.callbacks.tensorboard import TensorBoardLogger

__all__ = [
    "EMA",
    "HOOKS",
    "CSVLogger",
    "Callback",
    "CollapseWarning",
    "DensityCoverageEval",
    "DivergenceError",
    "DivergenceGuard",
    "EvalFn",
    "Evaluation",
    "FrechetEval",
    "LossPlot",
    "Metrics",
    "ModeCollapseWarning",
    "ModeCoverageEval",
    "ModelCheckpoint",
    "PrecisionRecallEval",
    "ProgressBar",
    "SampleGrid",
    "TensorBoardLogger",
]
