"""Log a run to MLflow (an optional dependency)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gankit.callbacks._run_params import flatten_params
from gankit.callbacks._tracker import TrackerLogger

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["MLflowLogger"]

#: MLflow's limits: parameters per ``log_batch`` call, and characters of a value.
_PARAMS_PER_BATCH = 100
_MAX_VALUE = 6000


def _import_mlflow() -> Any:
    try:
        import mlflow.entities
        import mlflow.tracking
    except ImportError as exc:
        raise ImportError('MLflowLogger needs the mlflow package: pip install "gankit[mlflow]"') \
            from exc
    return mlflow


def _optional_str(value: object, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got {type(value).__name__}")
    return value


class MLflowLogger(TrackerLogger):
    """Send the metrics, sample pictures and config of a run to MLflow.

    At fit start a run is created in the experiment ``experiment_name``
    (created if needed), or the run whose id a checkpoint holds is set running
    again (what ``mlflow.start_run(run_id=...)`` does, through an
    :class:`mlflow.tracking.MlflowClient` so no global active run is touched).
    The config is recorded as flat parameters (``optimizer.generator.lr``) and
    as the artifact ``config.json``: the resolved config from ``gankit train``,
    else the trainer's hyper-parameters. On resume only parameters the run
    lacks are added (MLflow refuses to change one). Every ``every`` steps the
    metrics are logged at ``step=trainer.step``; every ``image_every`` steps,
    and when the fit ends, the sample picture ``samples/samples_{step:08d}.png``
    drawn from fixed noise as :class:`~gankit.callbacks.SampleGrid` draws it.
    The run ends ``FINISHED``, ``FAILED`` (an error) or ``KILLED`` (an interrupt).

    Args:
        tracking_uri: The tracking store: a server, ``sqlite:///...``, or a
            ``file:`` folder; ``None`` follows ``MLFLOW_TRACKING_URI`` (else
            MLflow's default). MLflow 3 refuses ``file:`` stores unless
            ``MLFLOW_ALLOW_FILE_STORE=true``.
        experiment_name: The experiment the run belongs to.
        run_name: The run's name (``None``: MLflow picks one).
        every: Log the metrics every ``every`` steps.
        image_every: Log a sample picture every ``image_every`` steps; ``None``: never.
        n: Samples in the picture.
        seed: Seed of the picture's fixed noise.
        config: The config to record (``None``: the trainer's hyper-parameters).

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every``, ``image_every`` or ``n`` is below 1.
        ImportError: At fit start, if mlflow is not installed
            (``pip install "gankit[mlflow]"``).

    Example:
        >>> logger = MLflowLogger("file:///tmp/mlruns", every=50)  # imports nothing
        >>> logger.experiment_name, logger.run_id
        ('gankit', None)
    """

    config_keys = ("every", "image_every", "n", "seed", "tracking_uri", "experiment_name",
                   "run_name")

    def __init__(
        self,
        tracking_uri: str | None = None,
        experiment_name: str = "gankit",
        run_name: str | None = None,
        every: int = 10,
        image_every: int | None = 500,
        n: int = 64,
        seed: int = 0,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(every=every, image_every=image_every, n=n, seed=seed, config=config)
        self.tracking_uri = _optional_str(tracking_uri, "tracking_uri")
        if not isinstance(experiment_name, str) or not experiment_name:
            raise TypeError(f"experiment_name must be a non-empty str, got {experiment_name!r}")
        self.experiment_name = experiment_name
        self.run_name = _optional_str(run_name, "run_name")
        self._client: Any = None

    def _start(self, trainer: TrainerView, run_id: str | None) -> str:
        mlflow = _import_mlflow()
        self._client = mlflow.tracking.MlflowClient(tracking_uri=self.tracking_uri)
        if run_id is not None:
            self._client.update_run(run_id, status="RUNNING")
            return run_id
        found = self._client.get_experiment_by_name(self.experiment_name)
        experiment = found.experiment_id if found is not None else (
            self._client.create_experiment(self.experiment_name))
        run = self._client.create_run(experiment, run_name=self.run_name)
        return str(run.info.run_id)

    def _log_scalars(self, step: int, scalars: dict[str, float]) -> None:
        entities = _import_mlflow().entities
        now = int(time.time() * 1000)
        metrics = [entities.Metric(k, v, now, step) for k, v in scalars.items()]
        self._client.log_batch(self.run_id, metrics=metrics)

    def _log_image(self, step: int, path: Path) -> None:
        self._client.log_artifact(self.run_id, str(path), artifact_path="samples")

    def _log_config(self, config: dict[str, Any], resumed: bool) -> None:
        entities = _import_mlflow().entities
        params = flatten_params(config)
        if resumed:
            held = self._client.get_run(self.run_id).data.params
            params = {k: v for k, v in params.items() if k not in held}
        items = [entities.Param(k, v[:_MAX_VALUE]) for k, v in params.items()]
        for i in range(0, len(items), _PARAMS_PER_BATCH):
            self._client.log_batch(self.run_id, params=items[i : i + _PARAMS_PER_BATCH])
        self._client.log_dict(self.run_id, config, "config.json")

    def _finish(self, status: str) -> None:
        self._client.set_terminated(self.run_id, status=status)
        self._client = None
