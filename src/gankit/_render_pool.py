"""One helper process for the writer's matplotlib figures, so they leave the GIL alone.

Drawing a figure with matplotlib is Python and C++ code that holds the GIL
for a tenth of a second or more; on a background *thread* it would stall the
training loop (which needs the GIL between its tensor operations) for about
as long. :class:`RenderPool` runs such jobs in one helper process instead:
``python -c "from gankit._render_pool import serve; serve()"``, which reads
pickled ``(function, arguments)`` pairs on its stdin and answers on a copy of
its stdout. It is a plain subprocess, not ``multiprocessing``: it never
imports the user's ``__main__`` script, and it runs in its own session, so
Ctrl-C in a terminal reaches the training loop alone. If the helper cannot
start or dies, the job (and every later one) runs in the calling thread: a
picture is never lost to the pool.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import IO, Any

__all__ = ["RenderPool", "serve"]


class RenderPool:
    """Run picklable jobs in one helper process, falling back to the calling thread.

    Args:
        enabled: Use a helper process at all (``False``: always the calling thread).
        start_after: Run this many jobs in the calling thread before starting
            the helper: a short run that draws a figure or two does not pay
            for a process start (about a second) it would not win back.

    Example:
        >>> pool = RenderPool(enabled=False)
        >>> pool.run(sum, ([1, 2, 3],))
        6
    """

    def __init__(self, enabled: bool = True, start_after: int = 2) -> None:
        self.enabled = enabled
        self.start_after = start_after
        self.jobs = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def started(self) -> bool:
        """Whether the helper process is running."""
        return self._proc is not None and self._proc.poll() is None

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """``fn(*args)`` in the helper process (started if needed), or here if it fails.

        An error raised by ``fn`` itself propagates (re-raised here); only a
        helper that cannot start, cannot be sent the job, or dies makes the job
        run in this thread.
        """
        self.jobs += 1
        if not self.enabled or self.jobs <= self.start_after:
            return fn(*args)
        try:
            proc = self._process()
            assert proc.stdin is not None and proc.stdout is not None
            pickle.dump((fn, args), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
            status, value = pickle.load(proc.stdout)
        except (OSError, EOFError, pickle.PickleError, AttributeError, TypeError):
            self.close()
            self.enabled = False
            return fn(*args)
        if status == "error":
            raise value
        return value

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", "from gankit._render_pool import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        return self._proc

    def close(self) -> None:
        """Stop the helper process (a later :meth:`run` starts a new one)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()  # the helper ends at the end of its input
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()


def serve(source: IO[bytes] | None = None, sink: IO[bytes] | None = None) -> None:
    """The helper's loop: run each pickled ``(fn, args)`` and answer ``(status, value)``.

    Anything the jobs print goes to stderr; the answers go to the original stdout.
    """
    if sink is None:
        sink = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)  # stray prints must not garble the answers
        sys.stdout = sys.stderr
    source = source if source is not None else sys.stdin.buffer
    while True:
        try:
            fn, args = pickle.load(source)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", fn(*args))
        except Exception as exc:
            answer = ("error", exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or error
            data = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        sink.write(data)
        sink.flush()
