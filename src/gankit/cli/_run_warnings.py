"""Record the Python warnings a run raises, and how it ended, into ``RUN_DIR/warnings.json``.

The collapse monitor warns with :class:`~gankit.callbacks.ModeCollapseWarning`
and the divergence guard raises :class:`~gankit.callbacks.DivergenceError`;
neither writes into the run folder, so ``gankit train`` records them here for
the report. Warnings are still shown as usual while they are recorded.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from gankit._atomic import atomic_write

__all__ = ["recording_warnings", "write_warnings"]


@contextmanager
def recording_warnings() -> Iterator[list[dict[str, Any]]]:
    """Collect every warning shown inside the block, and still show it.

    Yields:
        The list the warnings are appended to, each ``{"category", "message",
        "filename", "lineno"}``; the warning filters decide, as outside the
        block, which warnings are shown (and so recorded).

    Example:
        >>> import io, contextlib
        >>> with contextlib.redirect_stderr(io.StringIO()), recording_warnings() as seen:
        ...     warnings.simplefilter("always")
        ...     warnings.warn("careful", UserWarning)
        >>> [w["message"] for w in seen]
        ['careful']
    """
    seen: list[dict[str, Any]] = []
    with warnings.catch_warnings():  # restores showwarning afterwards
        shown = warnings.showwarning

        def record(message: Warning | str, category: type[Warning], filename: str,
                   lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
            seen.append({"category": category.__name__, "message": str(message),
                         "filename": str(filename), "lineno": int(lineno)})
            shown(message, category, filename, lineno, file, line)

        warnings.showwarning = record
        yield seen


def write_warnings(folder: Path, seen: list[dict[str, Any]],
                   error: BaseException | None = None) -> Path:
    """Write ``folder/warnings.json``: the recorded warnings and the error that ended the run.

    Args:
        folder: The run folder.
        seen: What :func:`recording_warnings` collected.
        error: The exception that stopped training (``None`` when it finished).

    Returns:
        The file's path.

    Example:
        >>> import tempfile
        >>> path = write_warnings(Path(tempfile.mkdtemp()), [], ValueError("nan loss"))
        >>> json.loads(path.read_text())["error"]
        {'type': 'ValueError', 'message': 'nan loss'}
    """
    record: dict[str, Any] = {"warnings": seen, "error": None}
    if error is not None:
        record["error"] = {"type": type(error).__name__, "message": str(error)}
    path = folder / "warnings.json"
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(record, indent=2) + "\n")
    return path
