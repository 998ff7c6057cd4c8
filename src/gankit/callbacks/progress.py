"""A tqdm progress bar on a terminal, silent everywhere else."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from gankit.callbacks._args import check_positive_int
from gankit.callbacks.base import Callback, Metrics

if TYPE_CHECKING:
    from gankit.training.trainer import Trainer

__all__ = ["ProgressBar"]


def _import_tqdm() -> Any:
    try:
        from tqdm import tqdm
    except ImportError as exc:
        raise ImportError(
            'ProgressBar needs tqdm: pip install "gankit[extras]" '
            "(or pass progress_bar=False to the Trainer)"
        ) from exc
    return tqdm


class ProgressBar(Callback):
    """Show the step and the discriminator and generator losses in a tqdm bar.

    On by default in :class:`~gankit.Trainer`. The bar writes to ``stderr`` and
    only when ``stderr`` is a terminal: in a log file, a notebook's captured
    output or a CI job it prints nothing, and tqdm is not even imported. The
    bar is redrawn every ``every`` steps only (reading a loss waits for the
    device, so reading it each step would cost speed). Its total is the fit's
    target ``trainer.max_steps`` when known; after a resume it starts at the
    resumed step.

    Args:
        every: Update the bar every ``every`` steps.

    Raises:
        TypeError: If ``every`` is not an int.
        ValueError: If ``every < 1``.
        ImportError: At fit start, if ``stderr`` is a terminal and tqdm is not
            installed (``pip install "gankit[extras]"``).

    Example:
        >>> import contextlib, io
        >>> from types import SimpleNamespace
        >>> bar = ProgressBar(every=10)
        >>> trainer = SimpleNamespace(step=0, epoch=0, max_steps=100)
        >>> with contextlib.redirect_stderr(io.StringIO()):  # not a terminal: silent
        ...     bar.on_fit_start(trainer)
        >>> bar.enabled
        False
    """

    rank_zero_only = True  # writes files: rank 0 alone in distributed runs

    def __init__(self, every: int = 10) -> None:
        self.every = check_positive_int(every, "every")
        self.enabled = False
        self._bar: Any = None
        self._shown_step = 0

    def on_fit_start(self, trainer: Trainer) -> None:
        """Open the bar if ``stderr`` is a terminal."""
        self._close()
        stream = sys.stderr
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        if not self.enabled:
            return
        tqdm = _import_tqdm()
        self._shown_step = trainer.step
        self._bar = tqdm(
            total=getattr(trainer, "max_steps", None),
            initial=trainer.step,
            file=stream,
            unit="step",
            dynamic_ncols=True,
            mininterval=0.0,
            miniters=1,
        )

    def on_step_end(self, trainer: Trainer, metrics: Metrics) -> None:
        """Every ``every`` steps, advance the bar and show the losses."""
        if self._bar is None or trainer.step % self.every != 0:
            return
        shown = {k: f"{float(metrics[k]):.4g}" for k in ("d_loss", "g_loss") if k in metrics}
        shown["epoch"] = str(trainer.epoch)
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(trainer.step - self._shown_step)
        self._shown_step = trainer.step

    def on_fit_end(self, trainer: Trainer) -> None:
        """Bring the bar to the final step and close it."""
        if self._bar is not None and trainer.step != self._shown_step:
            self._bar.update(trainer.step - self._shown_step)
            self._shown_step = trainer.step
        self._close()

    def on_exception(self, trainer: Trainer, exception: BaseException) -> None:
        """Close the bar so the error's traceback starts on a clean line."""
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
