"""MLflowLogger against a local file store in ``tmp_path``, read back with MlflowClient.

MLflow 3 refuses ``file:`` stores unless ``MLFLOW_ALLOW_FILE_STORE=true``
(it prefers a database); the tests set it, so they need no server and no
database migrations.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from gankit.callbacks import MLflowLogger

from ._tracker_runs import fit, resumed, tiny_trainer


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    pytest.importorskip("mlflow", reason="mlflow is not installed (pip install \"gankit[mlflow]\")")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    return (tmp_path / "mlruns").as_uri()


def _client(uri: str) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri)


def test_missing_mlflow_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)
    logger = MLflowLogger(tmp_path.as_uri())  # constructing imports nothing
    with pytest.raises(ImportError, match=r'pip install "gankit\[mlflow\]"'):
        fit(tiny_trainer([logger]), 1)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="image_every must be"):
        MLflowLogger(image_every=0)
    with pytest.raises(TypeError, match="tracking_uri must be a str"):
        MLflowLogger(tracking_uri=3)  # type: ignore[arg-type]


def test_logs_scalars_image_and_config(store: str) -> None:
    config = {"trainer": {"steps": 4}, "loss": {"terms": [{"name": "NSGAN"}]}}
    logger = MLflowLogger(store, every=2, image_every=3, n=32, config=config)
    fit(tiny_trainer([logger]), 4)
    client = _client(store)
    run = client.get_run(logger.run_id)
    assert run.info.status == "FINISHED"
    history = client.get_metric_history(logger.run_id, "d/loss")
    assert [m.step for m in history] == [2, 4]
    assert {"g/loss", "d/grad_norm", "g/grad_norm"} <= set(run.data.metrics)
    assert run.data.params["trainer.steps"] == "4"
    assert run.data.params["loss.terms.0.name"] == "NSGAN"
    artifacts = {a.path for a in client.list_artifacts(logger.run_id)}
    assert {"config.json", "samples"} <= artifacts
    pictures = sorted(a.path for a in client.list_artifacts(logger.run_id, "samples"))
    assert pictures == ["samples/samples_00000003.png", "samples/samples_00000004.png"]
    local = Path(client.download_artifacts(logger.run_id, pictures[0]))
    assert local.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = Path(client.download_artifacts(logger.run_id, "config.json"))
    assert json.loads(saved.read_text()) == config


def test_records_the_trainer_hyperparameters_without_a_config(store: str) -> None:
    logger = MLflowLogger(store, every=1, image_every=None)
    fit(tiny_trainer([logger]), 1)
    params = _client(store).get_run(logger.run_id).data.params
    assert params["generator.class"] == "MLPGenerator"
    assert params["optimizer.discriminator.lr"] == "0.0002"


def test_resume_continues_the_same_run(store: str, tmp_path: Path) -> None:
    first = MLflowLogger(store, every=1, image_every=None)
    trainer = fit(tiny_trainer([first]), 2)
    checkpoint = trainer.save_checkpoint(tmp_path / "last.pt")
    second = MLflowLogger(store, every=1, image_every=None)
    resumed([second], checkpoint, 4)
    assert second.run_id == first.run_id
    client = _client(store)
    (experiment,) = [e for e in client.search_experiments() if e.name == "gankit"]
    assert len(client.search_runs([experiment.experiment_id])) == 1
    assert [m.step for m in client.get_metric_history(first.run_id, "g/loss")] == [1, 2, 3, 4]
    assert client.get_run(first.run_id).info.status == "FINISHED"


def test_an_error_marks_the_run_failed(store: str) -> None:
    from gankit.callbacks import Callback

    class Boom(Callback):
        def on_step_end(self, trainer: Any, metrics: Any) -> None:
            raise RuntimeError("boom")

    logger = MLflowLogger(store, every=1, image_every=None)
    with pytest.raises(RuntimeError, match="boom"):
        fit(tiny_trainer([logger, Boom()]), 2)
    assert _client(store).get_run(logger.run_id).info.status == "FAILED"


def test_a_config_file_turns_it_on_and_it_records_the_resolved_config(
        store: str, tmp_path: Path) -> None:
    from gankit.config import build_experiment

    config = {
        "data": {"name": "ring"}, "loss": {"name": "NSGAN"},
        "generator": {"name": "MLPGenerator", "latent_dim": 2, "hidden": [8]},
        "discriminator": {"name": "MLPDiscriminator", "hidden": [8]},
        "trainer": {"steps": 2, "progress_bar": False, "handle_signals": False},
        "callbacks": {"mlflow": {"tracking_uri": store, "every": 1, "image_every": 2, "n": 16}},
        "eval": {"enabled": False},
    }
    exp = build_experiment(config, tmp_path / "run")
    (logger,) = [cb for cb in exp.trainer.callbacks if isinstance(cb, MLflowLogger)]
    assert logger.config == exp.config
    exp.trainer.fit(exp.data.data, **exp.fit_kwargs)
    params = _client(store).get_run(logger.run_id).data.params
    assert params["data.name"] == "ring" and params["callbacks.mlflow.every"] == "1"
    assert params["generator.hidden"] == "[8]"
