"""What the benchmark smoke tests share: importing ``benchmarks/<name>.py`` by path."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py``, registered under ``name`` in ``sys.modules``.

    The scripts import each other by bare name (``from _common import ...``), and
    dataclasses look their module up, so each is registered before it runs.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_benchmark() -> Callable[[str], ModuleType]:
    """``load_benchmark("image_quality")``: the benchmark script as a module."""
    return _load
