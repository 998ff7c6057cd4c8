"""benchmarks/memory.py and benchmarks/scaling.py run and write their JSON (tiny settings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, *args: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_memory_benchmark_writes_json(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    out = tmp_path / "memory.json"
    run("memory.py", "--steps", "100", "--dcgan-steps", "2", "--demo-steps", "10",
        "--out", str(out))
    result = json.loads(out.read_text())
    assert result["demo"]["peak_rss_mib"] > 0
    assert result["dcgan_digits_16"]["peak_rss_mib"] > 0
    steps = [s for s, _ in result["flat_over_steps"]["rss_mib_by_step"]]
    assert steps == list(range(5, 101, 5))


def test_scaling_benchmark_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "scaling.json"
    run("scaling.py", "--steps", "1", "--warmup", "1", "--batches", "64,128", "--sizes", "8",
        "--channels", "8", "--out", str(out))
    result = json.loads(out.read_text())
    assert [r["batch_size"] for r in result["by_batch"]] == [64, 128]
    assert all(r["ms_per_step"] > 0 for r in result["by_batch"] + result["by_image_size"])
