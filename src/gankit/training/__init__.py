"""Training: the :class:`Trainer` and its checkpoint files."""

from gankit.training._batch_checks import DataError
from gankit.training._rng import seed_everything
from gankit.training.checkpoint import (
    CHECKPOINT_FORMAT,
    CheckpointError,
    load_checkpoint_file,
    load_generator,
    save_checkpoint_file,
)
from gankit.training.trainer import OptimizerFactory, Trainer, TrainingInterrupted

__all__ = [
    "CHECKPOINT_FORMAT",
    "CheckpointError",
    "DataError",
    "OptimizerFactory",
    "Trainer",
    "TrainingInterrupted",
    "load_checkpoint_file",
    "load_generator",
    "save_checkpoint_file",
    "seed_everything",
]
