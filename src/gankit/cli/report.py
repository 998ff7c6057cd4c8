"""``gankit report RUN_DIR``: write the run's self-contained HTML page, ``RUN_DIR/report.html``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from gankit.cli.sample import UsageError

__all__ = ["report_command", "write_run_report"]


def write_run_report(out_dir: Path, stream: TextIO | None = None) -> Path | None:
    """Write ``out_dir/report.html`` at the end of ``gankit train``, whatever the run left.

    A report that cannot be written (a full disk, say) is a one-line note on
    ``stream``, never an error: the run's own outcome and exit status stand.

    Args:
        out_dir: The run folder.
        stream: Where the note goes (default ``sys.stderr``).

    Returns:
        The report's path, or ``None`` if it could not be written.
    """
    from gankit.report import write_report

    try:
        return write_report(out_dir)
    except Exception as exc:  # the report must never hide how the run ended
        print(f"gankit: warning: could not write {out_dir / 'report.html'}: "
              f"{type(exc).__name__}: {exc}", file=stream or sys.stderr)
        return None


def report_command(args: argparse.Namespace) -> int:
    """Run ``gankit report RUN_DIR``: (re)write ``RUN_DIR/report.html`` and print its path.

    Args:
        args: ``run_dir`` and ``no_plots``.

    Returns:
        The exit status, 0.

    Raises:
        UsageError: If ``RUN_DIR`` is not a run folder (exit status 2).
    """
    from gankit.report import NotARunFolderError, write_report

    try:
        path = write_report(Path(args.run_dir), plots=not args.no_plots)
    except NotARunFolderError as exc:
        raise UsageError(f"gankit report: {exc}") from None
    print(path)
    return 0
