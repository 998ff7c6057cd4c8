"""Read what a run folder holds, for the report: every piece optional, damage noted.

Each file is read on its own: a missing one leaves its field empty, and one
that cannot be parsed (a torn ``metrics.json``, a ``log.csv`` with a bad
number) leaves a note naming the file instead, so the report still renders
whatever else is there.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RUN_MARKERS", "NotARunFolderError", "RunFolder", "read_run_folder"]

#: A folder holding at least one of these is a run folder.
RUN_MARKERS: tuple[str, ...] = (
    "config.toml", "log.csv", "metrics.json", "samples", "checkpoints", "warnings.json",
)

_SAMPLE = re.compile(r"samples_(\d+)\.png")


class NotARunFolderError(ValueError):
    """The folder does not exist, or holds none of a run's files (:data:`RUN_MARKERS`)."""


@dataclass
class RunFolder:
    """The contents of a run folder.

    Attributes:
        path: The folder.
        config_text: ``config.toml`` as written (``None`` if missing).
        log: ``log.csv`` as columns of floats (NaN for an empty cell), in file order.
        metrics: ``metrics.json`` (``None`` if missing or damaged).
        samples: ``(step, PNG bytes)`` of ``samples/samples_XXXXXXXX.png``, by step.
        warnings: The warnings ``gankit train`` recorded (``warnings.json``), each
            with ``category`` and ``message``.
        error: The error that ended the run (``type``, ``message``), or ``None``.
        notes: One line per damaged file, naming it.
    """

    path: Path
    config_text: str | None = None
    log: dict[str, list[float]] = field(default_factory=dict)
    metrics: dict[str, Any] | None = None
    samples: list[tuple[int, bytes]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def _number(text: str) -> float:
    return math.nan if text == "" else float(text)


def _read_log(path: Path) -> dict[str, list[float]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        columns: dict[str, list[float]] = {name: [] for name in header}
        for line, row in enumerate(reader, start=2):
            if len(row) > len(header):
                raise ValueError(f"line {line} has {len(row)} cells, the header {len(header)}")
            cells = row + [""] * (len(header) - len(row))
            for name, cell in zip(header, cells):
                columns[name].append(_number(cell))
    return columns


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def read_run_folder(folder: str | os.PathLike[str]) -> RunFolder:
    r"""Read a run folder's config, log, metrics, sample pictures and warnings.

    Args:
        folder: The run folder (what ``gankit train --out`` wrote).

    Returns:
        The :class:`RunFolder`; damaged files are described in ``notes``.

    Raises:
        NotARunFolderError: If ``folder`` is not a folder holding a run.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "log.csv").write_text("step,d/loss\n10,0.5\n20,\n")
        >>> read_run_folder(folder).log
        {'step': [10.0, 20.0], 'd/loss': [0.5, nan]}
    """
    path = Path(folder)
    if not path.is_dir():
        raise NotARunFolderError(f"{str(path)!r} is not a folder")
    if not any((path / name).exists() for name in RUN_MARKERS):
        raise NotARunFolderError(
            f"{str(path)!r} is not a run folder: it holds none of {', '.join(RUN_MARKERS)}")
    run = RunFolder(path)
    if (path / "config.toml").is_file():
        run.config_text = (path / "config.toml").read_text(encoding="utf-8", errors="replace")
    if (path / "log.csv").is_file():
        try:
            run.log = _read_log(path / "log.csv")
        except (ValueError, csv.Error, UnicodeDecodeError) as exc:
            run.notes.append(f"log.csv could not be read ({exc}); its curves are left out")
    if (path / "metrics.json").is_file():
        try:
            metrics = _read_json(path / "metrics.json")
            if not isinstance(metrics, dict):
                raise ValueError(f"expected an object, got {type(metrics).__name__}")
            run.metrics = metrics
        except (ValueError, UnicodeDecodeError) as exc:
            run.notes.append(f"metrics.json could not be read ({exc}); its figures are left out")
    for picture in sorted((path / "samples").glob("samples_*.png")):
        match = _SAMPLE.fullmatch(picture.name)
        if match:
            run.samples.append((int(match.group(1)), picture.read_bytes()))
    run.samples.sort()
    if (path / "warnings.json").is_file():
        try:
            recorded = _read_json(path / "warnings.json")
            run.warnings = list(recorded.get("warnings", []))
            run.error = recorded.get("error")
        except (ValueError, AttributeError, TypeError, UnicodeDecodeError) as exc:
            run.notes.append(f"warnings.json could not be read ({exc})")
    return run
