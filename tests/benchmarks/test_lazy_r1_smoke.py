"""benchmarks/lazy_r1.py runs end to end (--quick) and writes its ratios."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` by path, registered under ``name`` in sys.modules."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_lazy_r1_quick(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    _load("_common")
    bench = _load("lazy_r1")
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
