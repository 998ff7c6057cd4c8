"""Errors shared by floors of the package that must not import each other.

:class:`CheckpointError` is raised by the training checkpoints
(:mod:`gankit.training.checkpoint`, where it is documented and exported) and
by the pretrained folders of :mod:`gankit.models`, which sit below training.
"""

from __future__ import annotations

__all__ = ["CheckpointError"]


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, corrupt, unsafe, or not a gankit checkpoint.

    Also raised by :func:`~gankit.training.save_checkpoint_file` for a state
    that could not be loaded back.

    Example:
        >>> from gankit.training import CheckpointError as exported
        >>> exported is CheckpointError
        True
    """

    # Its public home, for tracebacks, pickles and the docs.
    __module__ = "gankit.training.checkpoint"
