"""benchmarks/lazy_r1.py runs end to end (--quick) and writes its ratios."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


def test_lazy_r1_quick(load_benchmark: Callable[[str], ModuleType], tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    load_benchmark("_common")
    bench = load_benchmark("lazy_r1")
    out = tmp_path / "lazy.json"
    result = bench.main(["--quick", "--threads", "1", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert saved["steps"] == 32 and set(saved["seconds_per_update"]) == {
        "no_r1", "r1_every_1", "r1_every_16"}
    per = saved["seconds_per_update"]
    ratio = per["r1_every_1"]["d"] / per["r1_every_16"]["d"]
    assert saved["d_update_ratio"] == pytest.approx(ratio)
    for variant in per.values():  # the two parts add up to (nearly) the whole fit
        assert variant["d"] + variant["g"] <= variant["fit"] * 1.01
    assert result["target"]["met"] == (saved["d_update_ratio"] >= 1.5)
