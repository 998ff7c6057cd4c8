"""WandbLogger, offline: what it logged is read back from the run's transaction log.

W&B runs with ``mode="offline"`` (and ``WANDB_MODE=offline``) into ``tmp_path``;
nothing touches the network. ``_wandb_offline`` parses the ``run-<id>.wandb``
file (see its docstring for why not ``wandb.Api``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gankit.callbacks import WandbLogger

from ._tracker_runs import fit, resumed, tiny_trainer


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    pytest.importorskip("wandb", reason="wandb is not installed (pip install \"gankit[wandb]\")")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _runs(save_dir: Path) -> list:
    from ._wandb_offline import offline_runs

    return offline_runs(save_dir)


def test_missing_wandb_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wandb", None)
    logger = WandbLogger(tmp_path, mode="offline")  # constructing imports nothing
    with pytest.raises(ImportError, match=r'pip install "gankit\[wandb\]"'):
        fit(tiny_trainer([logger]), 1)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="every must be a positive int"):
        WandbLogger(tmp_path, every=0)
    with pytest.raises(ValueError, match="mode must be one of"):
        WandbLogger(tmp_path, mode="online-ish")
    with pytest.raises(TypeError, match="config must be a mapping"):
        WandbLogger(tmp_path, config=[1])  # type: ignore[arg-type]


def test_logs_scalars_image_and_config_offline(offline: Path) -> None:
    logger = WandbLogger(offline, mode="offline", every=2, image_every=3, n=32,
                         config={"trainer": {"steps": 4}, "note": "hello"})
    fit(tiny_trainer([logger]), 4)
    (run,) = _runs(offline)
    assert run.run_id == logger.run_id
    assert run.config["trainer"] == {"steps": 4} and run.config["note"] == "hello"
    scalars = [row for row in run.history if "d/loss" in row]
    assert [row["trainer/step"] for row in scalars] == [2, 4]
    assert all({"g/loss", "d/grad_norm", "g/grad_norm"} <= set(row) for row in scalars)
    images = [row for row in run.history if row.get("samples/_type") == "image-file"]
    assert [row["trainer/step"] for row in images] == [3, 4]  # every 3 steps, and at the end
    picture = run.folder / "files" / images[0]["samples/path"]
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_records_the_trainer_hyperparameters_without_a_config(offline: Path) -> None:
    logger = WandbLogger(offline, mode="offline", every=1, image_every=None)
    fit(tiny_trainer([logger]), 1)
    (run,) = _runs(offline)
    assert run.config["generator"]["class"] == "MLPGenerator"
    assert run.config["trainer"]["d_steps"] == 1
    assert run.config["optimizer"]["generator"]["class"] == "Adam"
    assert not [row for row in run.history if "samples/_type" in row]


def test_resume_continues_the_same_run(offline: Path) -> None:
    first = WandbLogger(offline, mode="offline", every=1, image_every=None)
    trainer = fit(tiny_trainer([first]), 2)
    checkpoint = trainer.save_checkpoint(offline / "last.pt")
    second = WandbLogger(offline, mode="offline", every=1, image_every=None)
    resumed([second], checkpoint, 4)
    assert second.run_id == first.run_id
    runs = _runs(offline)
    assert [r.run_id for r in runs] == [first.run_id, first.run_id]
    steps = [row["trainer/step"] for r in runs for row in r.history if "d/loss" in row]
    assert steps == [1, 2, 3, 4]
