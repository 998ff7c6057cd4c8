"""Log metrics to a CSV file that survives a resume without duplicate rows."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gankit._atomic import atomic_write
from gankit._validation import check_path, check_positive_int
from gankit._writer import write_job
from gankit.callbacks._metrics import OLD_KEYS
from gankit.callbacks.base import Callback, Metrics

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["CSVLogger"]


def _write_atomic(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    """Write a whole CSV file via a temporary file and ``os.replace``."""
    with atomic_write(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), restval="")
        writer.writeheader()
        writer.writerows(rows)


class CSVLogger(Callback):
    """Append one row of metrics every ``every`` steps to a CSV file.

    Columns are ``step``, ``epoch``, then every metric key in the order first
    seen (``d/loss``, ``g/loss``, ``d/<term>``, ...), as floats. The header comes
    from the first logged row; a key that appears later adds a column (the file
    is rewritten once, atomically, with the wider header) and a key missing
    from a row leaves its cell empty. Each row is flushed as it is written, on the
    trainer's background writer (``trainer.writer``) when it has one.

    Resume-safe: at fit start, if the file exists, it is rewritten (temporary
    file, then ``os.replace``) keeping only the rows with
    ``step <= trainer.step``, and new rows are appended after them. A run
    resumed from a checkpoint at step ``k`` therefore drops the rows its
    predecessor wrote after ``k`` and writes each later step once.

    Args:
        path: The CSV file; its folder is created at fit start.
        every: Log every ``every`` steps.

    Raises:
        TypeError: If ``path`` is not a path or ``every`` not an int.
        ValueError: If ``every < 1``.

    Example:
        >>> import tempfile, pathlib
        >>> from types import SimpleNamespace
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
        >>> logger = CSVLogger(path, every=2)
        >>> trainer = SimpleNamespace(step=0, epoch=0)
        >>> logger.on_fit_start(trainer)
        >>> for trainer.step in (1, 2, 3, 4):
        ...     logger.on_log(trainer, {"d/loss": 0.5, "g/loss": 2.0})
        >>> print(path.read_text().strip())
        step,epoch,d/loss,g/loss
        2,0,0.5,2.0
        4,0,0.5,2.0
    """

    rank_zero_only = True  # writes files: rank 0 alone in distributed runs

    config_keys = ("every",)  # what a config file may set

    def __init__(self, path: str | os.PathLike[str], every: int = 10) -> None:
        self.path = check_path(path, "path")
        self.every = check_positive_int(every, "every")
        self.columns: list[str] | None = None
        self._started = False

    def on_fit_start(self, trainer: TrainerView) -> None:
        """Drop rows after ``trainer.step`` from an existing file; adopt its columns."""
        self._started = True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.columns = None
        if not self.path.is_file():
            return
        with self.path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            columns = list(reader.fieldnames or [])
            rows = [r for r in reader if r.get("step") and int(r["step"]) <= trainer.step]
        if not rows or "step" not in columns:
            self.path.unlink()  # nothing to keep: the next row writes a fresh header
            return
        # A log written by gankit 0.1.0 (d_loss, ...) continues under today's names.
        renamed = {old: new for old, new in OLD_KEYS.items() if old in columns
                   and new not in columns}
        columns = [renamed.get(c, c) for c in columns]
        rows = [{renamed.get(k, k): v for k, v in r.items()} for r in rows]
        _write_atomic(self.path, columns, rows)
        self.columns = columns

    def reads_diagnostics(self, step: int) -> bool:
        """On the steps it writes a row: every ``every`` steps."""
        return step % self.every == 0

    def on_log(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Every ``every`` steps, append a row (metrics converted with ``float``)."""
        if trainer.step % self.every != 0:
            return
        if not self._started:
            self.on_fit_start(trainer)
        row = {"step": str(trainer.step), "epoch": str(trainer.epoch)}
        row.update({k: repr(float(v)) for k, v in metrics.items()})
        fresh = self.columns is None
        if self.columns is None:
            self.columns = list(row)
        new = [k for k in row if k not in self.columns]
        self.columns = self.columns + new
        write_job(trainer, self.path.name, _write_row, self.path, list(self.columns), row,
                  fresh, bool(new))


def _write_row(
    path: Path, columns: list[str], row: Mapping[str, str], fresh: bool, widened: bool
) -> None:
    """Append ``row``: after a new header if ``fresh``, after widening the header if ``widened``."""
    if fresh:
        _write_atomic(path, columns, [])
    elif widened:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        _write_atomic(path, columns, rows)
    with path.open("a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, fieldnames=columns, restval="").writerow(row)
        f.flush()
