"""What the benchmark scripts share: arguments, JSON output, timing, summaries, machine info."""

from __future__ import annotations

import argparse
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

__all__ = [
    "check_seed_arguments",
    "machine_info",
    "mean_and_sem",
    "seed_parser",
    "stopwatch",
    "targets_met",
    "write_json",
]


def seed_parser(description: str, default_seeds: int) -> argparse.ArgumentParser:
    """A parser with the seeded benchmarks' shared options.

    ``--seeds``, ``--first-seed``, ``--steps``, ``--threads``, ``--out`` and
    ``--note``; the caller adds its own (``--dataset``, ``--recipe``, ...) and
    checks the values with :func:`check_seed_arguments`.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seeds", type=int, default=default_seeds, help="number of seeds")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=None,
                        help="generator updates per seed (default: the recipe's)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--note", default="", help="a remark stored in the JSON")
    return parser


def check_seed_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Stop with the parser's error when ``--seeds``, ``--threads`` or ``--steps`` is below 1."""
    for name in ("seeds", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be >= 1, got {args.steps}")


def targets_met(targets: dict[str, tuple[str, float]], mean: dict[str, float]) -> dict[str, Any]:
    """Whether each mean meets its target ``(">=" or "<=", bound)``, as the JSON records it."""
    out: dict[str, Any] = {}
    for key, (op, bound) in targets.items():
        ok = mean[key] >= bound if op == ">=" else mean[key] <= bound
        out[key] = {"target": f"{op} {bound}", "mean": mean[key], "met": bool(ok)}
    return out


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
