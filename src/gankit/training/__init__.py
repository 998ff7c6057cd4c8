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
from gankit.training.export import EXPORT_FORMATS, export_checkpoint, run_model_card
from gankit.training.trainer import OptimizerFactory, Trainer, TrainingInterrupted

__all__ = [
    "CHECKPOINT_FORMAT",
    "EXPORT_FORMATS",
    "CheckpointError",
    "DataError",
    "OptimizerFactory",
    "Trainer",
    "TrainingInterrupted",
    "export_checkpoint",
    "load_checkpoint_file",
    "load_generator",
    "run_model_card",
    "save_checkpoint_file",
    "seed_everything",
]
