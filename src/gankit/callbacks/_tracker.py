"""The machinery the experiment-tracker loggers share: when to log, samples, and the run id.

:class:`TrackerLogger` decides *what* and *when* (scalars every ``every``
steps, a sample picture every ``image_every`` steps and at the end, the run
config at fit start, the run id in ``state_dict``); a subclass
(:class:`~gankit.callbacks.WandbLogger`, :class:`~gankit.callbacks.MLflowLogger`)
only talks to its tracker through five small methods.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gankit._validation import check_optional_positive_int, check_positive_int
from gankit.callbacks._run_params import trainer_hparams
from gankit.callbacks.base import Callback, Metrics
from gankit.callbacks.samples import SampleGrid

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["TrackerLogger"]


class TrackerLogger(Callback):
    """Base class of the loggers that send a run to an experiment tracker.

    Subclasses implement :meth:`_start` (open or resume the run, return its
    id), :meth:`_log_scalars`, :meth:`_log_image`, :meth:`_log_config` and
    :meth:`_finish`.

    Args:
        every: Log the scalars every ``every`` steps.
        image_every: Log a picture of samples from fixed noise every
            ``image_every`` steps and at the end of the fit; ``None``: never.
        n: Samples in the picture (as :class:`~gankit.callbacks.SampleGrid` draws them).
        seed: Seed of the picture's fixed noise.
        config: The run config to record; ``None`` records
            :func:`~gankit.callbacks._run_params.trainer_hparams` of the trainer.
            ``gankit train`` sets it to the resolved config.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every``, ``image_every`` or ``n`` is below 1.
    """

    rank_zero_only = True  # talks to the tracker: rank 0 alone in distributed runs

    def __init__(self, *, every: int, image_every: int | None, n: int, seed: int,
                 config: Mapping[str, Any] | None) -> None:
        self.every = check_positive_int(every, "every")
        self.image_every = check_optional_positive_int(image_every, "image_every")
        self.n = check_positive_int(n, "n")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        self.seed = seed
        if config is not None and not isinstance(config, Mapping):
            raise TypeError(f"config must be a mapping or None, got {type(config).__name__}")
        self.config: dict[str, Any] | None = None if config is None else dict(config)
        #: The tracker's id of the run; kept in checkpoints, so a resumed fit continues it.
        self.run_id: str | None = None
        self._active = False
        self._folder: Path | None = None
        self._grid: SampleGrid | None = None
        self._image_step: int | None = None

    # What a subclass implements --------------------------------------------
    def _start(self, trainer: TrainerView, run_id: str | None) -> str:
        """Open the run ``run_id`` (a new one if ``None``) and return its id."""
        raise NotImplementedError

    def _log_scalars(self, step: int, scalars: dict[str, float]) -> None:
        """Record ``scalars`` at ``step``."""
        raise NotImplementedError

    def _log_image(self, step: int, path: Path) -> None:
        """Record the PNG file ``path`` as the samples of ``step``."""
        raise NotImplementedError

    def _log_config(self, config: dict[str, Any], resumed: bool) -> None:
        """Record the run config (``resumed``: the run already holds one)."""
        raise NotImplementedError

    def _finish(self, status: str) -> None:
        """Close the run with ``status``: ``"FINISHED"``, ``"FAILED"`` or ``"KILLED"``."""
        raise NotImplementedError

    # Hooks -------------------------------------------------------------------
    def on_fit_start(self, trainer: TrainerView) -> None:
        """Open (or resume) the run and record the config."""
        self._close("FINISHED")
        resumed = self.run_id is not None
        self.run_id = self._start(trainer, self.run_id)
        self._active = True
        self._folder = Path(tempfile.mkdtemp(prefix="gankit-tracker-"))
        self._grid = SampleGrid(self._folder, every=self.image_every or 1, n=self.n,
                                seed=self.seed)
        self._image_step = None
        self._log_config(self.config if self.config is not None else trainer_hparams(trainer),
                         resumed)

    def on_log(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Every ``every`` steps the scalars; every ``image_every`` steps a picture."""
        if not self._active:
            return
        step = trainer.step
        if step % self.every == 0:
            self._log_scalars(step, {k: float(v) for k, v in metrics.items()})
        if self.image_every is not None and step % self.image_every == 0:
            self.log_samples(trainer)

    def log_samples(self, trainer: TrainerView) -> None:
        """Draw the fixed-noise samples now and record their picture."""
        if not self._active or self._grid is None:
            return
        path = self._grid.save(trainer, background=False)  # the tracker reads it at once
        self._log_image(trainer.step, path)
        path.unlink(missing_ok=True)
        self._image_step = trainer.step

    def on_fit_end(self, trainer: TrainerView) -> None:
        """Record the final picture (unless just recorded) and close the run."""
        if self.image_every is not None and self._image_step != trainer.step:
            self.log_samples(trainer)
        self._close("FINISHED")

    def on_exception(self, trainer: TrainerView, exception: BaseException) -> None:
        """Close the run as killed (an interrupt) or failed, keeping what was logged."""
        self._close("KILLED" if isinstance(exception, KeyboardInterrupt) else "FAILED")

    def _close(self, status: str) -> None:
        if self._active:
            self._active = False
            self._finish(status)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    # State -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Return ``{"run_id": ...}``: a resumed fit continues the same tracked run."""
        return {"run_id": self.run_id}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the run id."""
        run_id = state.get("run_id")
        self.run_id = None if run_id is None else str(run_id)
