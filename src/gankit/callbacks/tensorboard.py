"""Log metrics to TensorBoard (an optional dependency)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from gankit._validation import check_path, check_positive_int
from gankit.callbacks.base import Callback, Metrics

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["TensorBoardLogger"]


def _import_summary_writer() -> Any:
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as exc:
        raise ImportError(
            'TensorBoardLogger needs the tensorboard package: pip install "gankit[tensorboard]"'
        ) from exc
    return SummaryWriter


class TensorBoardLogger(Callback):
    """Write every metric as a TensorBoard scalar every ``every`` steps.

    The scalar tags are the metric names (``d/loss``, ``g/loss``, ``d/<term>``,
    ``g/<term>``, ...) and the global step is ``trainer.step``. TensorBoard is
    imported at fit start, not before. After a resume at step ``k`` the writer
    purges the events its predecessor logged after ``k`` (``purge_step=k + 1``),
    so the curves have no duplicate steps.

    Args:
        log_dir: The run's folder (``tensorboard --logdir`` its parent).
        every: Log every ``every`` steps.

    Raises:
        TypeError: If ``log_dir`` is not a path or ``every`` not an int.
        ValueError: If ``every < 1``.
        ImportError: At fit start, if ``tensorboard`` is not installed
            (``pip install "gankit[tensorboard]"``).

    Example:
        >>> logger = TensorBoardLogger("runs/exp1", every=50)  # nothing imported yet
        >>> logger.every
        50
    """

    rank_zero_only = True  # writes files: rank 0 alone in distributed runs

    config_keys = ("every",)  # what a config file may set

    def __init__(self, log_dir: str | os.PathLike[str], every: int = 10) -> None:
        self.log_dir = check_path(log_dir, "log_dir")
        self.every = check_positive_int(every, "every")
        self._writer: Any = None

    def on_fit_start(self, trainer: TrainerView) -> None:
        """Open the event writer (purging events after a resumed step)."""
        self._close()
        summary_writer = _import_summary_writer()
        purge = trainer.step + 1 if trainer.step > 0 else None
        self._writer = summary_writer(log_dir=str(self.log_dir), purge_step=purge)

    def reads_diagnostics(self, step: int) -> bool:
        """On the steps it logs: every ``every`` steps."""
        return step % self.every == 0

    def on_log(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Every ``every`` steps, add one scalar per metric."""
        if self._writer is None or trainer.step % self.every != 0:
            return
        for key, value in metrics.items():
            self._writer.add_scalar(key, float(value), global_step=trainer.step)

    def on_fit_end(self, trainer: TrainerView) -> None:
        """Flush and close the writer."""
        self._close()

    def on_exception(self, trainer: TrainerView, exception: BaseException) -> None:
        """Flush and close the writer, keeping what was logged."""
        self._close()

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
