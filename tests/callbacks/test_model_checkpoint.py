from __future__ import annotations

from pathlib import Path

import pytest
import torch

from gankit.callbacks import ModelCheckpoint


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def load(path: Path) -> dict:
    return torch.load(path, weights_only=True)


def drive(ckpt: ModelCheckpoint, trainer, steps: range) -> None:
    for step in steps:
        trainer.step = step
        ckpt.on_step_end(trainer, {"d/loss": 1.0})


def test_every_n_steps_keeps_last_k_and_last_pt(tmp_path: Path, make_trainer) -> None:
    ckpt = ModelCheckpoint(tmp_path / "ckpt", every=2, keep_last=2)
    trainer = make_trainer(callbacks=[ckpt])
    drive(ckpt, trainer, range(1, 10))
    folder = tmp_path / "ckpt"
    assert names(folder) == ["last.pt", "step_00000006.pt", "step_00000008.pt"]
    assert [p.name for p in trainer.saves] == [f"step_{s:08d}.pt" for s in (2, 4, 6, 8)]
    assert load(folder / "step_00000006.pt")["step"] == 6
    assert load(folder / "last.pt")["step"] == 8
    assert (folder / "last.pt").read_bytes() == (folder / "step_00000008.pt").read_bytes()
    # The checkpoint holds the callback's own state, including its own file.
    state = load(folder / "step_00000008.pt")["callbacks"]["ModelCheckpoint"]
    assert state == {"kept": ["step_00000006.pt", "step_00000008.pt"], "last_saved_step": 8}


def test_fit_end_saves_the_final_step_once(tmp_path: Path, make_trainer) -> None:
    ckpt = ModelCheckpoint(tmp_path, every=4, keep_last=2)
    trainer = make_trainer(callbacks=[ckpt])
    drive(ckpt, trainer, range(1, 8))
    ckpt.on_fit_end(trainer)  # step 7: not saved yet
    assert names(tmp_path) == ["last.pt", "step_00000004.pt", "step_00000007.pt"]
    assert load(tmp_path / "last.pt")["step"] == 7
    drive(ckpt, trainer, range(8, 9))
    ckpt.on_fit_end(trainer)  # step 8 was just saved by on_step_end
    assert [p.name for p in trainer.saves].count("step_00000008.pt") == 1
    assert names(tmp_path) == ["last.pt", "step_00000007.pt", "step_00000008.pt"]


def test_switches(tmp_path: Path, make_trainer) -> None:
    ckpt = ModelCheckpoint(tmp_path, every=1, keep_last=None, save_last=False,
                           save_on_fit_end=False)
    trainer = make_trainer(callbacks=[ckpt])
    drive(ckpt, trainer, range(1, 6))
    trainer.step = 7
    ckpt.on_fit_end(trainer)
    assert names(tmp_path) == [f"step_{s:08d}.pt" for s in range(1, 6)]


def test_exception_saves_nothing(tmp_path: Path, make_trainer) -> None:
    ckpt = ModelCheckpoint(tmp_path, every=2)
    trainer = make_trainer(callbacks=[ckpt])
    drive(ckpt, trainer, range(1, 5))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    trainer.step = 5
    with torch.no_grad():
        trainer.generator.weight.fill_(float("nan"))  # the diverged state
    ckpt.on_exception(trainer, RuntimeError("diverged"))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert load(tmp_path / "last.pt")["step"] == 4
    assert torch.isfinite(load(tmp_path / "last.pt")["generator"]["weight"]).all()


def test_resume_keeps_pruning_the_old_files(tmp_path: Path, make_trainer) -> None:
    first = ModelCheckpoint(tmp_path, every=2, keep_last=2)
    trainer = make_trainer(callbacks=[first])
    drive(first, trainer, range(1, 7))  # saves 2, 4, 6; keeps 4, 6
    assert names(tmp_path) == ["last.pt", "step_00000004.pt", "step_00000006.pt"]

    # A new process resumes from step 4 (its checkpoint lists steps 2 and 4).
    state = load(tmp_path / "step_00000004.pt")
    second = ModelCheckpoint(tmp_path, every=2, keep_last=2)
    second.load_state_dict(state["callbacks"]["ModelCheckpoint"])
    assert second.kept == ["step_00000002.pt", "step_00000004.pt"]
    trainer = make_trainer(callbacks=[second])
    trainer.step = state["step"]
    second.on_fit_start(trainer)
    drive(second, trainer, range(5, 9))  # saves 6 (again) and 8
    # Without the restored state, step_00000004.pt would be left behind.
    assert names(tmp_path) == ["last.pt", "step_00000006.pt", "step_00000008.pt"]


def test_resume_prunes_the_abandoned_future_first(tmp_path: Path, make_trainer) -> None:
    first = ModelCheckpoint(tmp_path, every=10, keep_last=2)
    trainer = make_trainer(callbacks=[first])
    drive(first, trainer, range(1, 26))
    first.on_fit_end(trainer)  # saves 25; keeps 20, 25
    state = load(tmp_path / "step_00000020.pt")  # lists steps 10 and 20

    second = ModelCheckpoint(tmp_path, every=10, keep_last=2)
    second.load_state_dict(state["callbacks"]["ModelCheckpoint"])
    trainer = make_trainer(callbacks=[second])
    trainer.step = 20
    second.on_fit_start(trainer)
    assert second.kept == ["step_00000025.pt", "step_00000010.pt", "step_00000020.pt"]
    drive(second, trainer, range(21, 31))
    assert names(tmp_path) == ["last.pt", "step_00000020.pt", "step_00000030.pt"]


def test_fresh_start_adopts_no_files(tmp_path: Path, make_trainer) -> None:
    (tmp_path / "step_00000500.pt").write_bytes(b"another run")
    ckpt = ModelCheckpoint(tmp_path, every=1, keep_last=1)
    trainer = make_trainer(callbacks=[ckpt])
    ckpt.on_fit_start(trainer)
    drive(ckpt, trainer, range(1, 3))
    assert names(tmp_path) == ["last.pt", "step_00000002.pt", "step_00000500.pt"]


def test_failed_save_leaves_state_unchanged(tmp_path: Path, make_trainer) -> None:
    ckpt = ModelCheckpoint(tmp_path, every=1, keep_last=1)
    trainer = make_trainer(callbacks=[ckpt])
    drive(ckpt, trainer, range(1, 2))

    def broken(path):
        raise OSError("disk full")

    trainer.save_checkpoint = broken
    with pytest.raises(OSError, match="disk full"):
        drive(ckpt, trainer, range(2, 3))
    assert ckpt.state_dict() == {"kept": ["step_00000001.pt"], "last_saved_step": 1}
    assert names(tmp_path) == ["last.pt", "step_00000001.pt"]


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"keep_last must be a positive int \(>= 1\), got 0"):
        ModelCheckpoint(tmp_path, keep_last=0)
    with pytest.raises(ValueError, match="every must be a positive int"):
        ModelCheckpoint(tmp_path, every=0)
    with pytest.raises(TypeError, match=r"dirpath must be a str or os\.PathLike"):
        ModelCheckpoint(None)  # type: ignore[arg-type]
