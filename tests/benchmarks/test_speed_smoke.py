"""benchmarks/speed.py runs and writes its JSON (a few steps; real figures come from a full run)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "speed.py"


def test_speed_benchmark_writes_json(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("speed_bench", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    out = tmp_path / "speed.json"
    module.main(["--quick", "--cases", "mlp_ring,wgan_gp_d5", "--out", str(out)])
    result = json.loads(out.read_text())
    for mode in ("fit", "cases"):
        assert set(result[mode]) == {"mlp_ring", "wgan_gp_d5"}
        for case in result[mode].values():
            assert set(case["median_ratio_vs_hand"]) == {"default", "all_callbacks", "fast"}
            assert all(v > 0 for v in case["median_steps_per_s"].values())
    assert result["fit"]["wgan_gp_d5"]["fast_options"]["lazy_gp_every"] == 4
