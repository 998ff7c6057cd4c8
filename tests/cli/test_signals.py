"""Real SIGINT / SIGTERM sent to a ``gankit train`` subprocess, inside a step (items 3, 4, 11).

Each step runs d_steps >= 3 discriminator updates, so nearly all of a run's time
is inside a step and the signal lands there. The run must finish that step,
save a consistent checkpoint, print a resume command, and exit 130 (SIGINT) or
143 (SIGTERM); running the printed command must give the very weights, optimizer
states and log of an uninterrupted run.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from gankit.cli.main import main
from gankit.training import load_checkpoint_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

GANKIT = [sys.executable, "-m", "gankit"]

BASE = """\
[generator]
name = "MLPGenerator"
latent_dim = 4
hidden = [{width}, {width}]
norm_layer = "none"
output_activation = "none"
{g_extra}
[discriminator]
name = "MLPDiscriminator"
hidden = [{width}, {width}]
{d_extra}
[optimizer.generator]
lr = 1e-3

[optimizer.discriminator]
lr = 1e-3

[trainer]
steps = 100
batch_size = 32
seed = 3
device = "cpu"
threads = 1
progress_bar = false
d_steps = {d_steps}

[callbacks.csv]
every = 2

[callbacks.checkpoint]
every = 50
keep_last = 2

[callbacks.loss_plot]
enabled = false
plot_every = "none"

[callbacks.samples]
enabled = false

[callbacks.ema]
decay = 0.9

[eval]
enabled = false
"""

CASES = {
    "nsgan": dict(data='[data]\nname = "ring"\n', loss='[loss]\nname = "NSGAN"\n', d_steps=3,
                  g_extra="", d_extra=""),
    "wgangp": dict(data='[data]\nname = "ring"\n', loss='[loss]\nname = "WGANGP"\n', d_steps=5,
                   g_extra="", d_extra='norm_layer = "none"\n'),
    "conditional": dict(data='[data]\nname = "digits"\n', loss='[loss]\nname = "NSGAN"\n',
                        d_steps=3, g_extra="num_classes = 10\n", d_extra="num_classes = 10\n"),
}


def write_config(folder: Path, case: str, width: int = 16) -> Path:
    c = CASES[case]
    text = c["data"] + c["loss"] + BASE.format(width=width, d_steps=c["d_steps"],
                                               g_extra=c["g_extra"], d_extra=c["d_extra"])
    path = folder / f"{case}.toml"
    path.write_text(text)
    return path


def start(config: Path, out: Path, steps: int, *prefix: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*prefix, *GANKIT, "train", str(config), "--out", str(out), "--steps", str(steps)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_until(proc: subprocess.Popen[str], ready: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {ready} appeared: {proc.communicate()}")
        assert time.monotonic() < deadline, f"{ready} did not appear"
        time.sleep(0.005)


def finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def resume_command(stdout: str) -> list[str]:
    line = next(x for x in stdout.splitlines() if x.startswith("resume with: "))
    argv = shlex.split(line[len("resume with: "):])
    assert argv[:2] == ["gankit", "train"], line
    return [*GANKIT, *argv[1:]]


def assert_same_run(a: Path, b: Path) -> None:
    """Two run folders hold the same final state: weights, EMA, optimizers, RNGs, log."""
    ca = load_checkpoint_file(a / "checkpoints/last.pt")
    cb = load_checkpoint_file(b / "checkpoints/last.pt")
    assert ca["step"] == cb["step"]
    for role in ("generator", "discriminator"):
        for key, value in ca[role]["state_dict"].items():
            assert torch.equal(value, cb[role]["state_dict"][key]), (role, key)
    for key, value in ca["ema_generator"].items():
        assert torch.equal(value, cb["ema_generator"][key]), ("ema", key)
    for opt in ("g_optimizer", "d_optimizer"):
        for pid, st in ca[opt]["state"].items():
            for k, v in st.items():
                assert torch.equal(torch.as_tensor(v), torch.as_tensor(cb[opt]["state"][pid][k]))
    assert torch.equal(ca["rng"]["torch"], cb["rng"]["torch"])
    assert (a / "log.csv").read_text() == (b / "log.csv").read_text()


@pytest.mark.parametrize("case", [c if c == "nsgan" else pytest.param(c, marks=pytest.mark.slow)
                                  for c in CASES])  # ~30 s each: one by default, all with -m slow
def test_sigint_inside_a_step_then_the_printed_resume_equals_the_uninterrupted_run(
        case: str, tmp_path: Path) -> None:
    config, steps = write_config(tmp_path, case), 300
    cut = tmp_path / "cut"
    proc = start(config, cut, steps)
    wait_until(proc, cut / "log.csv")
    os.kill(proc.pid, signal.SIGINT)
    stdout, stderr = finish(proc)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "finishing this step" in stderr
    saved = load_checkpoint_file(cut / "checkpoints/interrupted.pt")
    assert 0 < saved["step"] < steps
    # The checkpoint is between two steps: the data position and every RNG were saved
    # after the step was counted (its log row, if any, is there too).
    assert saved["data"] is not None and "python" in saved["rng"]

    argv = resume_command(stdout)
    assert f"--steps {steps}" in " ".join(argv)
    assert str(cut / "config.toml") in argv  # the run folder's own saved config
    resumed = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming at step {saved['step']}" in resumed.stdout

    full = tmp_path / "full"
    assert main(["train", str(config), "--out", str(full), "--steps", str(steps)]) == 0
    assert_same_run(full, cut)


def test_sigterm_saves_and_exits_143_and_resume_dir_finds_the_newest_checkpoint(
        tmp_path: Path) -> None:
    config, steps = write_config(tmp_path, "nsgan"), 300
    cut = tmp_path / "cut"
    proc = start(config, cut, steps)
    wait_until(proc, cut / "checkpoints" / "last.pt")  # step 50 written
    time.sleep(0.1)
    os.kill(proc.pid, signal.SIGTERM)
    stdout, stderr = finish(proc)
    assert proc.returncode == 143, stderr
    assert "SIGTERM: interrupted at step" in stdout
    step = load_checkpoint_file(cut / "checkpoints/interrupted.pt")["step"]
    assert step >= load_checkpoint_file(cut / "checkpoints/last.pt")["step"]
    # `gankit train --resume DIR` needs no config and no checkpoint name.
    resumed = subprocess.run([*GANKIT, "train", "--resume", str(cut)], capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming at step {step}" in resumed.stdout
    full = tmp_path / "full"
    assert main(["train", str(config), "--out", str(full), "--steps", str(steps)]) == 0
    assert_same_run(full, cut)


def test_a_second_ctrl_c_aborts_at_once_and_leaves_the_last_checkpoint_intact(
        tmp_path: Path) -> None:
    # Long steps, so that the second signal lands mid-step.
    config = write_config(tmp_path, "wgangp", width=768)
    cut = tmp_path / "cut"
    proc = start(config, cut, 100000)
    wait_until(proc, cut / "checkpoints" / "last.pt")
    before = (cut / "checkpoints/last.pt").read_bytes()
    os.kill(proc.pid, signal.SIGINT)
    time.sleep(0.02)
    os.kill(proc.pid, signal.SIGINT)
    stdout, stderr = finish(proc)
    assert proc.returncode == 130, stderr
    assert "aborted mid-step" in stdout and "Traceback" not in stderr
    assert not (cut / "checkpoints/interrupted.pt").exists()
    after = cut / "checkpoints/last.pt"
    assert after.read_bytes() == before or load_checkpoint_file(after)["step"] % 50 == 0
    load_checkpoint_file(after)  # loads: not torn
    assert not list((cut / "checkpoints").glob(".*.tmp"))


def test_progress_lines_appear_while_running_under_nohup_and_sigterm_stops_it(
        tmp_path: Path) -> None:
    config = write_config(tmp_path, "nsgan")
    text = config.read_text().replace("progress_bar = false", "progress_bar = true")
    config.write_text(text)
    out, log = tmp_path / "run", tmp_path / "nohup.out"
    with log.open("w") as f:
        proc = subprocess.Popen(
            ["nohup", *GANKIT, "train", str(config), "--out", str(out), "--steps", "10000000"],
            stdout=f, stderr=subprocess.STDOUT, text=True,
        )
    try:
        deadline = time.monotonic() + 180
        while "step 500/10000000" not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        assert proc.poll() is None  # the line came while training went on, not at the end
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert proc.returncode == 143, text
    line = next(x for x in text.splitlines() if x.startswith("step 500/"))
    assert "d/loss" in line and "g/loss" in line and "steps/s" in line and "ETA" in line
    assert (out / "checkpoints/interrupted.pt").is_file()
