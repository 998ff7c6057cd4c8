"""Text output that never stops training: a closed pipe (``gankit train ... | head``) is ignored.

Python ignores SIGPIPE, so writing to a pipe whose reader has gone raises
``BrokenPipeError``. :class:`SafeStream` wraps a text stream: after the first
such error it points the file descriptor at ``os.devnull`` (as the Python
documentation advises, so that the interpreter's final flush cannot fail
either) and drops every later write. Lines are flushed as they are written,
so output under ``nohup`` or in a pipe appears as training goes, not at the end.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["SafeStream", "safe_stdout"]


class SafeStream:
    r"""A write-and-flush proxy of a text stream that survives a closed reader.

    Args:
        stream: The stream to write to; ``None`` means ``sys.stdout`` at each write.

    Example:
        >>> import io
        >>> out = SafeStream(io.StringIO())
        >>> _ = out.write("step 10\\n"); out.closed_reader
        False
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        #: Whether the reader went away (later writes are dropped).
        self.closed_reader = False

    @property
    def stream(self) -> TextIO:
        """The wrapped stream."""
        return self._stream if self._stream is not None else sys.stdout

    def write(self, text: str) -> int:
        """Write ``text`` and flush; after a broken pipe, do nothing."""
        if self.closed_reader:
            return len(text)
        try:
            n = self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            self._silence()
            return len(text)
        except ValueError:  # the stream was closed by its owner
            self.closed_reader = True
            return len(text)
        return n

    def flush(self) -> None:
        """Flush, ignoring a broken pipe."""
        if not self.closed_reader:
            try:
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                self._silence()

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal."""
        return not self.closed_reader and bool(getattr(self.stream, "isatty", lambda: False)())

    def _silence(self) -> None:
        self.closed_reader = True
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)


def safe_stdout() -> SafeStream:
    """A :class:`SafeStream` over ``sys.stdout`` (looked up at each write)."""
    return SafeStream(None)
