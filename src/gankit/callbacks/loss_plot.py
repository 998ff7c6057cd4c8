"""Record the losses during training and plot them to a PNG."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gankit._validation import check_path, check_positive_int
from gankit._writer import write_job
from gankit.callbacks._metrics import is_loss_key
from gankit.callbacks.base import Callback, Metrics
from gankit.visualize.plots import save_loss_plot

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["LossPlot"]


class LossPlot(Callback):
    """Record ``d/loss``, ``g/loss`` and every loss term; plot them against the step.

    Every ``every`` steps the loss metrics (``d/loss``, ``g/loss``, ``d/<term>``,
    ``g/<term>``) are converted to floats and appended to :attr:`history`; the
    PNG at ``path`` is (re)written every ``plot_every`` steps and when the fit
    ends (see :func:`~gankit.visualize.save_loss_plot`). The history is part of
    this callback's state, so the curves of a resumed run continue the old
    ones; at fit start, points after ``trainer.step`` are dropped.

    Put :class:`~gankit.callbacks.ModelCheckpoint` after this callback in the
    trainer's list, so that a checkpoint includes the point of its own step.

    Args:
        path: The PNG file; its folder is created when first written.
        every: Record every ``every`` steps.
        plot_every: Rewrite the PNG every ``plot_every`` steps; ``None``: only
            when the fit ends.

    Attributes:
        history (dict[str, tuple[list[int], list[float]]]): Series name to
            ``(steps, values)``.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every`` or ``plot_every`` is below 1.

    Example:
        >>> import tempfile, pathlib
        >>> from types import SimpleNamespace
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "loss.png"
        >>> plot = LossPlot(path, every=2)
        >>> trainer = SimpleNamespace(step=0)
        >>> for trainer.step in (1, 2, 3, 4):
        ...     plot.on_log(trainer, {"d/loss": 1.0 / trainer.step, "d/real_logit": 0.3})
        >>> plot.history
        {'d/loss': ([2, 4], [0.5, 0.25])}
        >>> plot.on_fit_end(trainer)
        >>> path.is_file()
        True
    """

    rank_zero_only = True  # writes files: rank 0 alone in distributed runs

    config_keys = ("every", "plot_every")  # what a config file may set

    def __init__(
        self, path: str | os.PathLike[str], every: int = 10, plot_every: int | None = 1000
    ) -> None:
        self.path = check_path(path, "path")
        self.every = check_positive_int(every, "every")
        self.plot_every = None if plot_every is None else check_positive_int(
            plot_every, "plot_every"
        )
        self.history: dict[str, tuple[list[int], list[float]]] = {}

    def on_fit_start(self, trainer: TrainerView) -> None:
        """Drop recorded points after ``trainer.step`` (left over from a longer run)."""
        for name, (steps, values) in list(self.history.items()):
            keep = sum(1 for s in steps if s <= trainer.step)
            self.history[name] = (steps[:keep], values[:keep])

    def reads_diagnostics(self, step: int) -> bool:
        """Never: this callback reads the loss terms only."""
        return False

    def on_log(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Every ``every`` steps record the losses; every ``plot_every`` steps plot."""
        if trainer.step % self.every == 0:
            for key, value in metrics.items():
                if is_loss_key(key):
                    steps, values = self.history.setdefault(key, ([], []))
                    steps.append(trainer.step)
                    values.append(float(value))
        if self.plot_every is not None and trainer.step % self.plot_every == 0:
            self.plot(trainer)

    def on_fit_end(self, trainer: TrainerView) -> None:
        """Write the PNG."""
        self.plot(trainer)

    def plot(self, trainer: TrainerView | None = None) -> Path:
        """Write the PNG of the history: on ``trainer.writer`` if given one, else now.

        Returns:
            The path (written, or queued).
        """
        history = {k: (list(steps), list(values)) for k, (steps, values) in self.history.items()}
        write_job(trainer, self.path.name, save_loss_plot, history, self.path, "losses")
        return self.path

    def state_dict(self) -> dict[str, Any]:
        """The history: ``{name: {"steps": [...], "values": [...]}}``."""
        return {
            "history": {
                name: {"steps": list(steps), "values": list(values)}
                for name, (steps, values) in self.history.items()
            }
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the history, so the curves continue after a resume."""
        self.history = {
            str(name): ([int(s) for s in series["steps"]], [float(v) for v in series["values"]])
            for name, series in state.get("history", {}).items()
        }
