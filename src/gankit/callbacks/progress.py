"""A tqdm progress bar on a terminal; plain progress lines on stdout everywhere else."""

from __future__ import annotations

import math
import sys
import time
from typing import TYPE_CHECKING, Any

from gankit._console import SafeStream
from gankit._validation import check_positive_int
from gankit.callbacks.base import Callback, Metrics

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["ProgressBar", "progress_line"]


def _import_tqdm() -> Any:
    try:
        from tqdm import tqdm
    except ImportError as exc:
        raise ImportError(
            'ProgressBar needs tqdm: pip install "gankit[extras]" '
            "(or pass progress_bar=False to the Trainer)"
        ) from exc
    return tqdm


def _duration(seconds: float) -> str:
    """``3h05m``, ``4m07s`` or ``12s``."""
    s = max(round(seconds), 0)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def progress_line(
    step: int, max_steps: int | None, metrics: Metrics, epoch: int, rate: float
) -> str:
    """One plain progress line: step, losses, epoch, steps/s and the time left.

    Args:
        step: The completed step.
        max_steps: The fit's target, or ``None`` (no percentage, no ETA).
        metrics: The step's metrics; ``d/loss`` and ``g/loss`` are shown.
        epoch: Completed passes over the data.
        rate: Steps per second in this fit so far.

    Example:
        >>> progress_line(500, 3000, {"d/loss": 1.2345, "g/loss": 0.7}, 0, 50.0)
        'step 500/3000 (16%)  d/loss 1.234  g/loss 0.7  epoch 0  50.0 steps/s  ETA 50s'
    """
    head = f"step {step}" if max_steps is None else (
        f"step {step}/{max_steps} ({100 * step // max(max_steps, 1)}%)"
    )
    losses = "".join(f"  {k} {float(metrics[k]):.4g}" for k in ("d/loss", "g/loss") if k in metrics)
    tail = f"  epoch {epoch}  {rate:.1f} steps/s"
    if max_steps is not None and rate > 0 and math.isfinite(rate):
        tail += f"  ETA {_duration((max_steps - step) / rate)}"
    return head + losses + tail


class ProgressBar(Callback):
    """Show the step and the losses: a tqdm bar on a terminal, plain lines elsewhere.

    On by default in :class:`~gankit.Trainer`. When ``stderr`` is a terminal, a
    tqdm bar on ``stderr`` is redrawn every ``every`` steps (reading a loss
    waits for the device, so reading it each step would cost speed); its total
    is the fit's target ``trainer.max_steps`` when known, and after a resume it
    starts at the resumed step. Anywhere else (a log file, ``nohup``, a pipe, a
    CI job, a notebook's captured output) a plain line goes to ``stdout`` every
    ``log_every`` steps or after ``log_seconds`` seconds, whichever comes first
    (checked at the end of each step): step, losses, epoch, steps/s and the
    estimated time left (see :func:`progress_line`). Lines are flushed at once,
    and a closed ``stdout`` (``| head``) stops the lines, not the training.

    Args:
        every: Update the bar every ``every`` steps.
        log_every: Without a terminal, print a line every ``log_every`` steps.
        log_seconds: ... or when ``log_seconds`` have passed since the last line.

    Raises:
        TypeError: If ``every`` or ``log_every`` is not an int.
        ValueError: If ``every < 1``, ``log_every < 1`` or ``log_seconds <= 0``.
        ImportError: At fit start, if ``stderr`` is a terminal and tqdm is not
            installed (``pip install "gankit[extras]"``).

    Example:
        >>> import contextlib, io
        >>> from types import SimpleNamespace
        >>> bar = ProgressBar(every=10, log_every=50)
        >>> trainer = SimpleNamespace(step=0, epoch=0, max_steps=100)
        >>> out = io.StringIO()
        >>> with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(out):
        ...     bar.on_fit_start(trainer)  # not a terminal: plain lines on stdout
        ...     for trainer.step in range(1, 101):
        ...         bar.on_log(trainer, {"d/loss": 1.0, "g/loss": 2.0})
        >>> bar.enabled, [line.split("  ")[0] for line in out.getvalue().splitlines()]
        (False, ['step 50/100 (50%)', 'step 100/100 (100%)'])
    """

    rank_zero_only = True  # writes files: rank 0 alone in distributed runs

    def __init__(self, every: int = 10, log_every: int = 500, log_seconds: float = 30.0) -> None:
        self.every = check_positive_int(every, "every")
        self.log_every = check_positive_int(log_every, "log_every")
        if isinstance(log_seconds, bool) or not isinstance(log_seconds, (int, float)):
            raise TypeError(f"log_seconds must be a number, got {type(log_seconds).__name__}")
        if not log_seconds > 0:
            raise ValueError(f"log_seconds must be > 0, got {log_seconds!r}")
        self.log_seconds = float(log_seconds)
        self.enabled = False
        self._bar: Any = None
        self._shown_step = 0
        self._lines: SafeStream | None = None
        self._start = (0.0, 0)  # (time, step) when the fit started
        self._last_line = (0.0, 0)  # (time, step) of the last line

    def on_fit_start(self, trainer: TrainerView) -> None:
        """Open the bar if ``stderr`` is a terminal, else get ready to print lines."""
        self._close()
        stream = sys.stderr
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        if not self.enabled:
            self._lines = SafeStream(sys.stdout)
            now = time.monotonic()
            self._start = self._last_line = (now, trainer.step)
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

    def reads_diagnostics(self, step: int) -> bool:
        """Never: this callback reads ``d/loss`` and ``g/loss`` only."""
        return False

    def on_log(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Every ``every`` steps, advance the bar; without a terminal, maybe print a line."""
        if self._lines is not None:
            self._maybe_line(trainer, metrics)
            return
        if self._bar is None or trainer.step % self.every != 0:
            return
        shown = {k: f"{float(metrics[k]):.4g}" for k in ("d/loss", "g/loss") if k in metrics}
        shown["epoch"] = str(trainer.epoch)
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(trainer.step - self._shown_step)
        self._shown_step = trainer.step

    def _maybe_line(self, trainer: TrainerView, metrics: Metrics) -> None:
        now = time.monotonic()
        t_last, s_last = self._last_line
        if trainer.step - s_last < self.log_every and now - t_last < self.log_seconds:
            return
        assert self._lines is not None
        self._last_line = (now, trainer.step)
        t0, s0 = self._start
        rate = (trainer.step - s0) / (now - t0) if now > t0 else 0.0
        line = progress_line(
            trainer.step, getattr(trainer, "max_steps", None), metrics, trainer.epoch, rate
        )
        self._lines.write(line + "\n")

    def on_fit_end(self, trainer: TrainerView) -> None:
        """Bring the bar to the final step and close it."""
        if self._bar is not None and trainer.step != self._shown_step:
            self._bar.update(trainer.step - self._shown_step)
            self._shown_step = trainer.step
        self._close()

    def on_exception(self, trainer: TrainerView, exception: BaseException) -> None:
        """Close the bar so the error's traceback starts on a clean line."""
        self._close()

    def _close(self) -> None:
        self._lines = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None
