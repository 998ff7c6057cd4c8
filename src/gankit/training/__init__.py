"""Training: the :class:`Trainer` and its checkpoint files."""

from gankit.training.checkpoint import (
    CHECKPOINT_FORMAT,
    CheckpointError,
    load_checkpoint_file,
    load_generator,
    save_checkpoint_file,
)
from gankit.training.trainer import OptimizerFactory, Trainer

__all__ = [
    "CHECKPOINT_FORMAT",
    "CheckpointError",
    "OptimizerFactory",
    "Trainer",
    "load_checkpoint_file",
    "load_generator",
    "save_checkpoint_file",
]
