"""A user's script with its own stateful callback and loss term, stopped by a signal, resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import pytest
import torch

from gankit.training import load_checkpoint_file

CASE = Path(__file__).with_name("interrupt_case.py")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def run(mode: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CASE), mode, str(out)], capture_output=True,
                          text=True, timeout=600)


def test_ctrl_c_mid_step_then_resume_equals_the_uninterrupted_run(tmp_path: Path) -> None:
    # SIGTERM takes the same path; tests/cli/test_signals.py sends it to `gankit train`.
    sig = signal.SIGINT
    proc = subprocess.Popen([sys.executable, str(CASE), "cut", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while not (tmp_path / "started").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.kill(proc.pid, sig)
        _, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig, stderr
    cut = load_checkpoint_file(tmp_path / "cut.pt")
    assert 3 <= cut["step"] < 200
    window = cut["callbacks"]["LossWindowLR"]["window"]
    assert isinstance(window, deque) and window.maxlen == 5

    resumed, full = run("resume", tmp_path), run("full", tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert full.returncode == 0, full.stderr
    a = load_checkpoint_file(tmp_path / "resumed.pt")
    b = load_checkpoint_file(tmp_path / "full.pt")
    for role in ("generator", "discriminator"):
        for key, value in a[role]["state_dict"].items():
            assert torch.equal(value, b[role]["state_dict"][key]), (role, key)
    assert a["callbacks"]["LossWindowLR"] == b["callbacks"]["LossWindowLR"]
    assert a["d_optimizer"]["param_groups"][0]["lr"] == b["d_optimizer"]["param_groups"][0]["lr"]
