"""Data-parallel training on two CPU processes (gloo, file rendezvous, one thread each)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).with_name("dist_case.py")


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout)


def ok(*args: str) -> None:
    proc = run(str(SCRIPT), *args)
    assert proc.returncode == 0, proc.stderr[-3000:]


def load(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)


@pytest.mark.parametrize("loss", ["nsgan", *(pytest.param(c, marks=pytest.mark.slow)
                                          for c in ("wgangp", "accumulate"))])
def test_two_processes_equal_one_process_with_double_batch(loss: str, tmp_path: Path) -> None:
    """Two processes of batch B equal one of 2B; with accumulate=2 (WGAN-GP), one of 4B."""
    ok("2", f"{loss}:full", str(tmp_path / "two"), "6")
    ok("single", f"{loss}:full", str(tmp_path / "one"), "6")
    one = load(tmp_path / "one")
    rank0, rank1 = load(tmp_path / "two.rank0"), load(tmp_path / "two.rank1")
    start = load(tmp_path / "one.start")
    for key in one:
        assert torch.equal(rank0[key], rank1[key]), f"ranks differ at {key}"
        torch.testing.assert_close(rank0[key], one[key], rtol=0, atol=1e-5)
    assert any(not torch.equal(one[k], start[k]) for k in start)  # training moved the weights


def test_adas_p_sees_the_global_batch_and_agrees_across_processes(tmp_path: Path) -> None:
    ok("2", "ada:full", str(tmp_path / "two"), "6")
    rank0, rank1 = load(tmp_path / "two.rank0"), load(tmp_path / "two.rank1")
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), f"ranks differ at {key}"
    assert float(rank0["augment.p"]) != 0.5  # p moved, by the same steps on both ranks
    assert float(rank0["augment.seen"]) == 0.0 and int(rank0["augment.calls"]) == 0


def test_two_process_resume_matches_uninterrupted_run(tmp_path: Path) -> None:
    ckpt = tmp_path / "k.pt"
    ok("2", "nsgan:full", str(tmp_path / "full"), "8")
    ok("2", "nsgan:part", str(tmp_path / "part"), f"3,{ckpt}")
    ok("2", "nsgan:resume", str(tmp_path / "resumed"), f"8,{ckpt}")
    for rank in (0, 1):
        full, resumed = load(tmp_path / f"full.rank{rank}"), load(tmp_path / f"resumed.rank{rank}")
        for key in full:
            assert torch.equal(full[key], resumed[key]), (rank, key)


def test_a_failing_rank_ends_the_job_with_its_error(tmp_path: Path) -> None:
    start = time.monotonic()
    proc = run("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               str(SCRIPT), "fail", timeout=240)
    assert proc.returncode != 0
    assert "boom on rank 1 at step 3" in proc.stdout + proc.stderr
    assert time.monotonic() - start < 200


def test_torchrun_cli_trains_data_parallel_and_rank_zero_writes(tmp_path: Path) -> None:
    config = Path(__file__).resolve().parents[2] / "examples" / "configs" / "ring.toml"
    out = tmp_path / "run"
    proc = run("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               "-m", "gankit", "train", str(config), "--steps", "20", "--out", str(out),
               timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("trained to step 20") == 1  # rank 0 alone reports
    assert (out / "checkpoints" / "last.pt").is_file()
    rows = (out / "log.csv").read_text().splitlines()
    steps = [row.split(",")[0] for row in rows[1:]]
    assert steps == sorted(set(steps), key=int)  # one writer: no duplicated rows
    ckpt = torch.load(out / "checkpoints" / "last.pt", weights_only=True)
    assert ckpt["trainer"]["world_size"] == 2
