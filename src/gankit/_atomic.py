"""Write a file so that a crash leaves either the old file or the new one, never a torn one.

:func:`atomic_write` opens a temporary file in the destination's folder; when
the ``with`` block ends normally the file is flushed, fsynced and moved into
place with ``os.replace`` (atomic on POSIX and Windows), and the folder is
fsynced so that the rename itself survives a power loss. When the block
raises, the temporary file is deleted and the destination is untouched. The
file gets the mode a plain ``open()`` would give it (``0666`` less the umask).
Checkpoints, CSV logs and the cached digits classifier all write through it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write"]


@contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "wb", **open_kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the block ends without error.

    Args:
        path: Destination file; its folder is created if needed.
        mode: ``"wb"`` or ``"w"`` (any write mode of :func:`open`).
        **open_kwargs: Passed to :func:`os.fdopen`, e.g. ``newline=""`` or
            ``encoding="utf-8"`` for text.

    Yields:
        The open temporary file.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
        >>> with atomic_write(target, "w", encoding="utf-8") as f:
        ...     _ = f.write("done")
        >>> target.read_text(encoding="utf-8")
        'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; give it the mode open() would (0666 less the
        # umask), so checkpoints and logs get the same mode as every other output.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
