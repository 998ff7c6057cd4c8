"""Helpers shared by the benchmark scripts: JSON output, timing, summaries, machine info."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from gankit._atomic import atomic_write  # the library's all-or-nothing file write

__all__ = ["machine_info", "mean_and_sem", "stopwatch", "write_json"]


def write_json(obj: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` as indented JSON atomically (temp file, fsync, then ``os.replace``).

    Args:
        obj: A JSON-serialisable object.
        path: Destination file; missing parent folders are created.

    Returns:
        The path written.
    """
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    return path


def mean_and_sem(values: Sequence[float]) -> dict[str, float | int]:
    """Mean, standard error ``std / sqrt(n)`` (sample std, ``ddof = 1``) and ``n``.

    Args:
        values: At least one number.

    Returns:
        ``{"mean", "sem", "std", "n"}``; ``sem`` and ``std`` are 0 when ``n = 1``.

    Raises:
        ValueError: If ``values`` is empty.
    """
    n = len(values)
    if n == 0:
        raise ValueError("mean_and_sem needs at least one value, got an empty sequence")
    mean = math.fsum(values) / n
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "sem": std / math.sqrt(n), "std": std, "n": n}


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """Measure wall time: ``with stopwatch() as t: ...`` then ``t["seconds"]``."""
    out = {"seconds": float("nan")}
    start = time.perf_counter()
    try:
        yield out
    finally:
        out["seconds"] = time.perf_counter() - start


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(threads: int | None = None) -> dict[str, Any]:
    """What the numbers were measured on: CPU, core count, threads, Python and torch versions.

    Args:
        threads: The torch intra-op threads the benchmark used; read from
            ``torch.get_num_threads()`` when ``None``.

    Returns:
        A JSON-safe dict.
    """
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads() if threads is None else threads,
        "load_average_at_start": load,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
    }
