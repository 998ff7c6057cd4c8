"""Log a run to Weights & Biases (an optional dependency)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gankit._validation import check_path
from gankit.callbacks._tracker import TrackerLogger

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["WandbLogger"]

#: The W&B metric every logged value is plotted against (the trainer's step).
STEP_KEY = "trainer/step"

_MODES = ("online", "offline", "disabled")


def _import_wandb() -> Any:
    try:
        import wandb
    except ImportError as exc:
        raise ImportError('WandbLogger needs the wandb package: pip install "gankit[wandb]"') \
            from exc
    return wandb


def _optional_str(value: object, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got {type(value).__name__}")
    return value


class WandbLogger(TrackerLogger):
    """Send the metrics, sample pictures and config of a run to Weights & Biases.

    At fit start the run is opened with ``wandb.init(id=run_id, resume="allow")``
    and the config recorded (``run.config``): the resolved config from
    ``gankit train``, else the trainer's hyper-parameters. Every ``every`` steps
    the metrics (``d/loss``, ``g/loss``, ``d/<term>``, ...) are logged against
    the custom step metric ``trainer/step``; every ``image_every`` steps, and
    when the fit ends, a ``samples`` image drawn from fixed noise as
    :class:`~gankit.callbacks.SampleGrid` draws it. The run id is kept in
    :meth:`state_dict`, so a fit resumed from a checkpoint continues the same
    W&B run (steps after the checkpoint are logged again, at their
    ``trainer/step``). wandb is imported at fit start, not before.

    Args:
        save_dir: The folder W&B writes its ``wandb/`` files into.
        project: The W&B project.
        run_name: The run's display name (``None``: W&B picks one).
        entity: The W&B team or user (``None``: the default one).
        mode: ``"online"``, ``"offline"`` (nothing sent; ``wandb sync`` later)
            or ``"disabled"``; ``None`` follows ``WANDB_MODE``.
        every: Log the metrics every ``every`` steps.
        image_every: Log a sample picture every ``image_every`` steps; ``None``: never.
        n: Samples in the picture.
        seed: Seed of the picture's fixed noise.
        config: The config to record (``None``: the trainer's hyper-parameters).

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every``, ``image_every`` or ``n`` is below 1, or
            ``mode`` is not one of the three.
        ImportError: At fit start, if wandb is not installed
            (``pip install "gankit[wandb]"``).

    Example:
        >>> logger = WandbLogger("runs/exp1", mode="offline", every=50)  # imports nothing
        >>> logger.every, logger.run_id
        (50, None)
    """

    config_keys = ("every", "image_every", "n", "seed", "project", "run_name", "entity", "mode")

    def __init__(
        self,
        save_dir: str | os.PathLike[str] = ".",
        project: str = "gankit",
        run_name: str | None = None,
        entity: str | None = None,
        mode: str | None = None,
        every: int = 10,
        image_every: int | None = 500,
        n: int = 64,
        seed: int = 0,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(every=every, image_every=image_every, n=n, seed=seed, config=config)
        self.save_dir = check_path(save_dir, "save_dir")
        if not isinstance(project, str) or not project:
            raise TypeError(f"project must be a non-empty str, got {project!r}")
        self.project = project
        self.run_name = _optional_str(run_name, "run_name")
        self.entity = _optional_str(entity, "entity")
        if _optional_str(mode, "mode") is not None and mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES} or None, got {mode!r}")
        self.mode = mode
        self._run: Any = None

    def _start(self, trainer: TrainerView, run_id: str | None) -> str:
        wandb = _import_wandb()
        self.save_dir.mkdir(parents=True, exist_ok=True)
        self._run = wandb.init(
            project=self.project, entity=self.entity, name=self.run_name, mode=self.mode,
            dir=str(self.save_dir), id=run_id, resume="allow",
            settings=wandb.Settings(console="off"),
        )
        self._run.define_metric(STEP_KEY)
        self._run.define_metric("*", step_metric=STEP_KEY)
        return str(self._run.id)

    def _log_scalars(self, step: int, scalars: dict[str, float]) -> None:
        self._run.log({STEP_KEY: step, **scalars})

    def _log_image(self, step: int, path: Path) -> None:
        wandb = _import_wandb()
        self._run.log({STEP_KEY: step,
                       "samples": wandb.Image(str(path), caption=f"step {step}")})

    def _log_config(self, config: dict[str, Any], resumed: bool) -> None:
        self._run.config.update(config, allow_val_change=True)

    def _finish(self, status: str) -> None:
        self._run.finish(exit_code=0 if status == "FINISHED" else 1)
        self._run = None
