"""Exact resume: k steps, save, load in a fresh process, train to N == N steps in one go."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).with_name("resume_case.py")


def run(*args: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr


#: Each case is a fresh-process run of ~25 s; the first three run by default, the rest
#: (each a feature with its own in-process resume test) with ``-m slow``.
SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    "case", ["nsgan", "wgangp", "conditional",
             *(pytest.param(c, marks=SLOW) for c in ("loader", "label_noise", "random_crop",
                                                     "lazy_r1", "accumulate", "ada",
                                                     "diffaugment"))]
)
def test_resume_in_fresh_process_is_bitwise_exact(case: str, tmp_path: Path) -> None:
    full, part, resumed = tmp_path / "full.pt", tmp_path / "part.ckpt", tmp_path / "resumed.pt"
    run(case, "full", str(full))
    run(case, "part", str(part))
    run(case, "resume", str(resumed), str(part))
    a = torch.load(full, weights_only=True)
    b = torch.load(resumed, weights_only=True)
    assert a["epoch"] == b["epoch"]
    assert a["weights"].keys() == b["weights"].keys()
    for key in a["weights"]:
        assert torch.equal(a["weights"][key], b["weights"][key]), key
    # And training really moved the weights (a no-op resume would pass trivially otherwise).
    start = torch.load(part, weights_only=True)["generator"]["state_dict"]
    moved = [not torch.equal(start[k], a["weights"][f"G.{k}"]) for k in start
             if start[k].is_floating_point()]
    assert any(moved)
    if case == "ada":  # ADA's p moved during the run, and resumed to the same value
        assert float(a["weights"]["augment.p"]) != 0.3
