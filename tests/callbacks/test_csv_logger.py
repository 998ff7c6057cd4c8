from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from gankit.callbacks import CSVLogger


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def losses(step: int, run: int = 0) -> dict[str, float | torch.Tensor]:
    # Distinct, exactly representable values per step and run.
    return {
        "d/loss": torch.tensor(step + 0.25 + run),
        "g/loss": step * 0.5 + run,
        "d/adv": torch.tensor(-step, dtype=torch.float64),
    }


def run(logger: CSVLogger, trainer, steps: range, run_id: int = 0) -> None:
    logger.on_fit_start(trainer)
    for step in steps:
        trainer.step = step
        trainer.epoch = step // 4
        logger.on_log(trainer, losses(step, run_id))


def test_rows_every_n_steps_with_floats(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "sub" / "log.csv"
    trainer = make_trainer()
    run(CSVLogger(path, every=3), trainer, range(1, 11))
    columns, rows = read(path)
    assert columns == ["step", "epoch", "d/loss", "g/loss", "d/adv"]
    assert [int(r["step"]) for r in rows] == [3, 6, 9]
    for r in rows:
        step = int(r["step"])
        assert int(r["epoch"]) == step // 4
        assert float(r["d/loss"]) == step + 0.25
        assert float(r["g/loss"]) == step * 0.5
        assert float(r["d/adv"]) == -step


def test_each_row_is_on_disk_immediately(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "log.csv"
    trainer = make_trainer()
    logger = CSVLogger(path, every=1)
    logger.on_fit_start(trainer)
    for step in (1, 2):
        trainer.step = step
        logger.on_log(trainer, {"d/loss": 1.0})
        assert len(read(path)[1]) == step


def test_new_and_missing_keys_keep_a_stable_column_set(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "log.csv"
    trainer = make_trainer()
    logger = CSVLogger(path, every=1)
    logger.on_fit_start(trainer)
    script = [{"d/loss": 1.0, "g/loss": 2.0}, {"d/loss": 3.0, "g/loss": 4.0, "d/gp": 5.0},
              {"g/loss": 6.0}]
    for step, metrics in enumerate(script, start=1):
        trainer.step = step
        logger.on_log(trainer, metrics)
    columns, rows = read(path)
    assert columns == ["step", "epoch", "d/loss", "g/loss", "d/gp"]
    assert [(r["d/loss"], r["g/loss"], r["d/gp"]) for r in rows] == [
        ("1.0", "2.0", ""), ("3.0", "4.0", "5.0"), ("", "6.0", "")
    ]


def test_resume_writes_no_duplicate_steps(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "log.csv"
    trainer = make_trainer()
    run(CSVLogger(path, every=2), trainer, range(1, 11), run_id=0)  # logs 2..10
    # "Crash" and resume from a checkpoint at step 6 with a fresh logger.
    trainer.step = 6
    run(CSVLogger(path, every=2), trainer, range(7, 15), run_id=100)  # logs 8..14
    columns, rows = read(path)
    steps = [int(r["step"]) for r in rows]
    assert steps == [2, 4, 6, 8, 10, 12, 14]
    assert len(set(steps)) == len(steps)
    assert columns == ["step", "epoch", "d/loss", "g/loss", "d/adv"]
    # Rows up to 6 come from the first run, later ones from the resumed run.
    for r in rows:
        step = int(r["step"])
        assert float(r["d/loss"]) == step + 0.25 + (100 if step > 6 else 0)
    assert not list(tmp_path.glob("*.tmp"))


def test_second_fit_in_the_same_run_appends(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "log.csv"
    trainer = make_trainer()
    logger = CSVLogger(path, every=1)
    run(logger, trainer, range(1, 4))
    run(logger, trainer, range(4, 6))
    assert [int(r["step"]) for r in read(path)[1]] == [1, 2, 3, 4, 5]


def test_fresh_run_over_an_old_file_starts_over(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "log.csv"
    path.write_text("step,epoch,old\n5,0,1.0\n")
    trainer = make_trainer()
    run(CSVLogger(path, every=1), trainer, range(1, 3))
    columns, rows = read(path)
    assert columns == ["step", "epoch", "d/loss", "g/loss", "d/adv"]
    assert [int(r["step"]) for r in rows] == [1, 2]


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike, got int"):
        CSVLogger(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="every must be a positive int"):
        CSVLogger("log.csv", every=-1)


def test_a_0_1_0_log_continues_under_the_new_column_names(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "log.csv"
    path.write_text("step,epoch,d/nsgan,d_loss,g_loss\n10,0,0.5,0.5,0.7\n20,0,0.4,0.4,0.8\n")
    trainer = make_trainer()
    trainer.step = 20
    logger = CSVLogger(path, every=10)
    logger.on_fit_start(trainer)
    trainer.step = 30
    logger.on_log(trainer, {"d/nsgan": 0.3, "d/loss": 0.3, "g/loss": 0.9})
    lines = path.read_text().splitlines()
    assert lines[0] == "step,epoch,d/nsgan,d/loss,g/loss"
    assert lines[1:] == ["10,0,0.5,0.5,0.7", "20,0,0.4,0.4,0.8", "30,0,0.3,0.3,0.9"]
