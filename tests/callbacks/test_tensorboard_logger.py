from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from gankit.callbacks import TensorBoardLogger


def test_missing_tensorboard_names_the_extra(tmp_path: Path, make_trainer, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    logger = TensorBoardLogger(tmp_path / "run")  # constructing imports nothing
    with pytest.raises(ImportError, match=r'pip install "gankit\[tensorboard\]"'):
        logger.on_fit_start(make_trainer())
    assert not (tmp_path / "run").exists()


def test_logs_scalars(tmp_path: Path, make_trainer) -> None:
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    trainer = make_trainer()
    logger = TensorBoardLogger(tmp_path, every=2)
    logger.on_fit_start(trainer)
    for step in range(1, 6):
        trainer.step = step
        logger.on_log(trainer, {"d/loss": torch.tensor(float(step)), "g/adv": 0.5})
    logger.on_fit_end(trainer)
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    assert [(e.step, e.value) for e in events.Scalars("d/loss")] == [(2, 2.0), (4, 4.0)]
    assert [e.step for e in events.Scalars("g/adv")] == [2, 4]


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="every must be a positive int"):
        TensorBoardLogger(tmp_path, every=0)
