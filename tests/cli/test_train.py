"""``gankit train``: the run folder, config errors, resume, and Ctrl-C."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import gankit.training.trainer as trainer_module
from gankit.cli.main import main
from gankit.config import ConfigError, loads_toml
from gankit.training import load_checkpoint_file


def weights(path: Path) -> dict[str, torch.Tensor]:
    ckpt = load_checkpoint_file(path)
    out = {f"G.{k}": v for k, v in ckpt["generator"]["state_dict"].items()}
    out.update({f"D.{k}": v for k, v in ckpt["discriminator"]["state_dict"].items()})
    out.update({f"EMA.{k}": v for k, v in (ckpt["ema_generator"] or {}).items()})
    return out


def assert_same_weights(a: Path, b: Path) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for key in wa:
        assert torch.equal(wa[key], wb[key]), key


def log_steps(path: Path) -> list[int]:
    with path.open(newline="") as f:
        return [int(row["step"]) for row in csv.DictReader(f)]


def test_train_writes_the_run_folder(tiny_config: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    pictures = ["--set", "callbacks.loss_plot.enabled=true", "--set",
                "callbacks.samples.enabled=true", "--set", "eval.plot=true"]
    assert main(["train", str(tiny_config), "--out", str(out), *pictures]) == 0
    for name in ["config.toml", "log.csv", "losses.png", "samples.png", "metrics.json",
                 "checkpoints/last.pt", "checkpoints/step_00000020.pt",
                 "checkpoints/step_00000015.pt"]:
        assert (out / name).is_file(), name
    assert not (out / "checkpoints/step_00000010.pt").exists()  # keep_last = 2
    assert list((out / "samples").glob("*.png"))
    assert log_steps(out / "log.csv") == list(range(2, 21, 2))
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["step"] == 20 and metrics["num_samples"] == 500 and metrics["ema"] is True
    assert metrics["num_modes"] == 8 and 0 <= metrics["modes_covered"] <= 8
    assert 0.0 <= metrics["high_quality_fraction"] <= 1.0
    assert 0.0 <= metrics["reverse_kl"] <= torch.log(torch.tensor(8.0)).item() + 1e-9
    assert load_checkpoint_file(out / "checkpoints/last.pt")["step"] == 20
    resolved = loads_toml((out / "config.toml").read_text())
    assert resolved["trainer"]["steps"] == 20 and resolved["generator"]["out_shape"] == [2]
    printed = capsys.readouterr().out
    assert "trained to step 20" in printed and "modes covered:" in printed
    assert str(out / "metrics.json") in printed and str(out / "checkpoints/last.pt") in printed


def test_resolved_config_reproduces_the_run(tiny_config: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["train", str(tiny_config), "--out", str(first), "--steps", "6"]) == 0
    assert main(["train", str(first / "config.toml"), "--out", str(second)]) == 0
    assert_same_weights(first / "checkpoints/last.pt", second / "checkpoints/last.pt")
    assert (first / "log.csv").read_text() == (second / "log.csv").read_text()


def test_set_overrides_reach_the_run(tiny_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    argv = ["train", str(tiny_config), "--out", str(out), "--set", "trainer.steps=4",
            "--set", "loss.terms.1.weight=2", "--set", "callbacks.csv.every=1",
            "--set", "eval.enabled=false"]
    assert main(argv) == 0
    resolved = loads_toml((out / "config.toml").read_text())
    assert resolved["loss"]["terms"][1]["weight"] == 2.0
    assert log_steps(out / "log.csv") == [1, 2, 3, 4]
    assert not (out / "metrics.json").exists()


def test_default_output_folder_is_runs_slash_config_name(
        tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(tiny_config), "--steps", "2", "--set", "eval.enabled=false"]) == 0
    assert (tmp_path / "runs" / "tiny" / "checkpoints" / "last.pt").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "trainer.d_step=2"],
         "config key 'trainer.d_step': unknown key 'd_step' (did you mean 'd_steps'?)"),
        (["--set", "trainer.batch_size=big"],
         "config key 'trainer.batch_size': expected an int >= 1, got the string 'big'"),
        (["--set", "trainer.steps"], "--set expects key=value"),
        (["--set", "loss.terms.5.weight=1"], "'loss.terms' is a list of 2 items"),
        (["--set", "generator.name=MLPGenerater"],
         "unknown generator model 'MLPGenerater' (did you mean 'MLPGenerator'?)"),
        (["--set", "data.name=rings"], "unknown data set 'rings' (did you mean 'ring'?)"),
        (["--set", "optimizer.generator.betas=[0.5]"],
         "config key 'optimizer.generator.betas': expected a list of numbers >= 0 of length 2"),
    ],
)
def test_config_errors_exit_2_with_one_line(tiny_config: Path, tmp_path: Path, args: list[str],
                                            message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", str(tiny_config), "--out", str(tmp_path / "r"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gankit: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "r").exists()  # nothing is written for an invalid config


def test_missing_section_and_missing_file(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "partial.toml"
    path.write_text('[data]\nname = "ring"\n')
    assert main(["train", str(path)]) == 2
    assert "missing required section [generator]" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "absent.toml")]) == 2
    assert "absent.toml' does not exist" in capsys.readouterr().err


def test_debug_shows_the_real_exception(tiny_config: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="d_step"):
        main(["train", str(tiny_config), "--out", str(tmp_path), "--set", "trainer.d_step=1",
              "--debug"])


def test_missing_data_path_is_a_clean_runtime_error(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tiny_config.read_text().replace('name = "ring"', 'name = "mnist"\npath = "no/mnist"')
    tiny_config.write_text(text)
    assert main(["train", str(tiny_config), "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gankit: error: ") and "no/mnist" in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("damage", ["truncated", "garbage", "missing"])
def test_bad_resume_checkpoint_is_a_clean_error(
        tiny_config: Path, tmp_path: Path, damage: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(run), "--steps", "2"]) == 0
    bad = run / "checkpoints" / "last.pt"
    if damage == "truncated":
        data = bad.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        bad.write_bytes(b"not a checkpoint at all")
    else:
        bad.unlink()
    capsys.readouterr()
    assert main(["train", str(tiny_config), "--out", str(run), "--resume", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gankit: error: ") and str(bad) in err
    assert err.count("\n") == 1 and "Traceback" not in err
    expected = {"truncated": "truncated or corrupt", "garbage": "not a torch checkpoint",
                "missing": "does not exist"}[damage]
    assert expected in err


def test_resume_matches_an_uninterrupted_run(tiny_config: Path, tmp_path: Path) -> None:
    full, split = tmp_path / "full", tmp_path / "split"
    assert main(["train", str(tiny_config), "--out", str(full)]) == 0
    assert main(["train", str(tiny_config), "--out", str(split), "--steps", "10"]) == 0
    last = split / "checkpoints" / "last.pt"
    assert load_checkpoint_file(last)["step"] == 10
    assert main(["train", str(tiny_config), "--out", str(split), "--resume", str(last)]) == 0
    assert load_checkpoint_file(last)["step"] == 20
    assert_same_weights(full / "checkpoints/last.pt", last)
    assert log_steps(split / "log.csv") == list(range(2, 21, 2))  # no duplicate steps
    assert (full / "log.csv").read_text() == (split / "log.csv").read_text()
    assert (json.loads((full / "metrics.json").read_text())["counts"]
            == json.loads((split / "metrics.json").read_text())["counts"])


def test_resume_in_a_fresh_process(tiny_config: Path, tmp_path: Path) -> None:
    full, split = tmp_path / "full", tmp_path / "split"
    assert main(["train", str(tiny_config), "--out", str(full), "--steps", "12"]) == 0
    assert main(["train", str(tiny_config), "--out", str(split), "--steps", "5"]) == 0
    cmd = [sys.executable, "-m", "gankit", "train", str(tiny_config), "--out", str(split)]
    second = subprocess.run([*cmd, "--steps", "12", "--resume",
                             str(split / "checkpoints/last.pt")],
                            capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "resuming at step 5" in second.stdout
    assert_same_weights(full / "checkpoints/last.pt", split / "checkpoints/last.pt")


def test_keyboard_interrupt_saves_a_checkpoint_that_resumes_exactly(
        tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    full, cut = tmp_path / "full", tmp_path / "cut"
    assert main(["train", str(tiny_config), "--out", str(full)]) == 0
    real_step = trainer_module.Trainer._train_step

    def step_or_interrupt(self: trainer_module.Trainer) -> dict:
        if self.step == 7:  # Ctrl-C lands inside step 8, which still finishes
            os.kill(os.getpid(), signal.SIGINT)
        return real_step(self)

    monkeypatch.setattr(trainer_module.Trainer, "_train_step", step_or_interrupt)
    assert main(["train", str(tiny_config), "--out", str(cut)]) == 130
    saved = cut / "checkpoints" / "interrupted.pt"
    assert load_checkpoint_file(saved)["step"] == 8
    assert f"--resume {saved}" in capsys.readouterr().out
    monkeypatch.setattr(trainer_module.Trainer, "_train_step", real_step)
    assert main(["train", str(tiny_config), "--out", str(cut), "--resume", str(saved)]) == 0
    assert_same_weights(full / "checkpoints/last.pt", cut / "checkpoints/last.pt")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_to_a_subprocess_saves_and_exits_130(tiny_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gankit", "train", str(tiny_config), "--out", str(out),
         "--steps", "10000000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "log.csv").exists():  # training has started
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "training did not start"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    saved = out / "checkpoints" / "interrupted.pt"
    assert load_checkpoint_file(saved)["step"] > 0
    assert "interrupted at step" in stdout and "Traceback" not in stderr
