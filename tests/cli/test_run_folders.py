"""``gankit train`` across runs as users chain them: train, train again, resume, pipe.

Issue 14, items 2, 4, 5 and 11.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gankit.cli._run_folder import find_checkpoint
from gankit.cli.main import main
from gankit.training import load_checkpoint_file

GANKIT = [sys.executable, "-m", "gankit"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_steps_is_the_total_even_when_the_config_has_epochs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The DCGAN example sets epochs; --steps 55 used to stop at the epoch's step 50.
    config = tmp_path / "dcgan.toml"
    text = (Path(__file__).parents[2] / "examples/configs/dcgan.toml").read_text()
    config.write_text(text + '\n[eval]\nenabled = false\n' if "[eval]" not in text else text)
    run = tmp_path / "run"
    assert main(["train", str(config), "--out", str(run), "--steps", "3",
                 "--set", "trainer.epochs=1", "--set", "trainer.progress_bar=false",
                 "--set", "callbacks.samples.enabled=false"]) == 0
    out = capsys.readouterr().out
    assert "training 3 steps" in out and "trained to step 3 " in out
    assert load_checkpoint_file(run / "checkpoints/last.pt")["step"] == 3


def test_epochs_is_its_own_flag(tiny_config: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    text = tiny_config.read_text().replace('name = "ring"', 'name = "ring"\nfixed_size = 320')
    tiny_config.write_text(text)
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run), "--epochs", "2"]) == 0
    assert "training 2 epochs" in capsys.readouterr().out
    ckpt = load_checkpoint_file(run / "checkpoints/last.pt")
    assert ckpt["epoch"] == 2 and ckpt["step"] == 2 * 320 // 32


def test_a_second_train_into_a_finished_run_refuses_and_changes_nothing(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run)]) == 0
    before = snapshot(run)
    capsys.readouterr()
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "5"]) == 2
    err = capsys.readouterr().err
    assert "already holds a run" in err and "--resume" in err and "--overwrite" in err
    assert snapshot(run) == before


def test_overwrite_replaces_the_run_and_nothing_else(tiny_config: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run)]) == 0
    (run / "notes.txt").write_text("mine")
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "5",
                 "--overwrite"]) == 0
    assert load_checkpoint_file(run / "checkpoints/last.pt")["step"] == 5
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["last.pt",
                                                                      "step_00000005.pt"]
    assert (run / "notes.txt").read_text() == "mine"


def test_a_config_error_with_overwrite_keeps_the_old_run(
        tiny_config: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run)]) == 0
    before = snapshot(run)
    assert main(["train", str(tiny_config), "--out", str(run), "--overwrite",
                 "--set", "trainer.stepz=3"]) == 2
    assert snapshot(run) == before


def test_resuming_a_finished_run_says_so_and_writes_nothing(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run)]) == 0
    before = snapshot(run)
    capsys.readouterr()
    assert main(["train", "--resume", str(run)]) == 0
    out = capsys.readouterr().out
    assert "already the run's target of 20 steps; nothing to do" in out
    assert snapshot(run) == before


def test_resume_dir_continues_with_the_saved_config_and_steps(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full, run = tmp_path / "full", tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(full), "--steps", "30",
                 "--set", "loss.terms.1.weight=0.5"]) == 0
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "30",
                 "--set", "loss.terms.1.weight=0.5", "--set", "trainer.steps=10"]) == 0
    # the run folder's config.toml holds every --set and the total
    assert "weight = 0.5" in (run / "config.toml").read_text()
    ckpt = load_checkpoint_file(run / "checkpoints/last.pt")
    assert ckpt["step"] == 30  # --steps wins over --set trainer.steps
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "40",
                 "--set", "loss.terms.1.weight=0.5", "--resume", str(run)]) == 0
    assert main(["train", str(tiny_config), "--out", str(full), "--steps", "40",
                 "--set", "loss.terms.1.weight=0.5", "--resume", str(full)]) == 0
    a = load_checkpoint_file(run / "checkpoints/last.pt")
    b = load_checkpoint_file(full / "checkpoints/last.pt")
    assert a["step"] == b["step"] == 40
    assert all((a["generator"]["state_dict"][k] == v).all()
               for k, v in b["generator"]["state_dict"].items())


def test_seed_on_resume_warns_that_the_saved_rng_wins(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "4"]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--steps", "6", "--set", "trainer.seed=9"]) == 0
    err = capsys.readouterr().err
    assert "warning: --set trainer.seed on a resumed run" in err and "RNG states win" in err


def test_resume_with_a_changed_d_steps_is_refused_unless_allowed(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "4"]) == 0
    capsys.readouterr()
    args = ["train", "--resume", str(run), "--steps", "6", "--set", "trainer.d_steps=2"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "d_steps was 1 in the run that wrote it and is 2 here" in err
    assert err.count("\n") == 1
    assert main([*args, "--allow-mismatch", "d_steps"]) == 0


def test_find_checkpoint_takes_the_newer_of_interrupted_and_last(tmp_path: Path,
                                                                 tiny_config: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "7"]) == 0
    ck = run / "checkpoints"
    (ck / "interrupted.pt").write_bytes((ck / "step_00000005.pt").read_bytes())
    assert find_checkpoint(run) == ck / "last.pt"  # 7 > 5
    (ck / "interrupted.pt").write_bytes((ck / "last.pt").read_bytes())
    (ck / "last.pt").write_bytes((ck / "step_00000005.pt").read_bytes())
    assert find_checkpoint(run) == ck / "interrupted.pt"
    (ck / "last.pt").unlink()
    (ck / "interrupted.pt").unlink()
    assert main(["train", "--resume", str(run)]) == 2


def test_a_relative_data_path_is_relative_to_the_config_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from gankit.config import load_config

    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "run.toml").write_text('[data]\nname = "mnist"\npath = "files/mnist"\n')
    monkeypatch.chdir(tmp_path)  # not the config's folder
    assert load_config("project/run.toml")["data"]["path"] == str(folder / "files/mnist")
    (folder / "abs.toml").write_text(f'[data]\nname = "mnist"\npath = "{tmp_path}"\n')
    assert load_config(folder / "abs.toml")["data"]["path"] == str(tmp_path)


def test_a_closed_stdout_pipe_does_not_stop_training(tiny_config: Path, tmp_path: Path) -> None:
    text = tiny_config.read_text().replace("progress_bar = false", "progress_bar = true")
    tiny_config.write_text(text)
    run = tmp_path / "run"
    cmd = " ".join([*GANKIT, "train", str(tiny_config), "--out", str(run), "--steps", "1200",
                    "--set", "callbacks.checkpoint.every=600"])
    shell = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd} | head -n 1; "
                            "echo \"status ${PIPESTATUS[0]}\" >&2"],
                           capture_output=True, text=True, timeout=300)
    assert shell.stdout.startswith("gankit: training 1200 steps")
    assert "status 0" in shell.stderr, shell.stderr
    assert "BrokenPipeError" not in shell.stderr and "Traceback" not in shell.stderr
    assert load_checkpoint_file(run / "checkpoints/last.pt")["step"] == 1200
    assert json.loads((run / "metrics.json").read_text())["step"] == 1200
