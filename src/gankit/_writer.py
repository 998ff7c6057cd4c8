"""A background writer: files leave the training loop's hot path, in order, with no loss.

Callbacks that write files (CSV rows, loss plots, sample grids, checkpoints)
hand a *job* (a function and its arguments, already copied to the CPU) to the
trainer's :class:`BackgroundWriter`; one daemon thread runs the jobs in the
order they came. The queue is bounded: when ``max_pending`` jobs wait, the
next :meth:`~BackgroundWriter.submit` blocks until one is done, so memory
stays flat however slow the disk is. Every job writes through
:func:`gankit._atomic.atomic_write`, so a failed or interrupted job leaves the
old file or none, never a torn one.

A job's error is kept and raised in the training thread, as
:class:`WriterError` naming the job, by the next ``submit``,
:meth:`~BackgroundWriter.raise_if_failed` (the trainer calls it after every
step) or :meth:`~BackgroundWriter.flush` (at the end of ``fit`` and on its
errors). The jobs queued after a failure still run, so nothing already handed
over is lost.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import torch

__all__ = ["BackgroundWriter", "WriterError", "cpu_copy", "write_job"]

_STOP = object()


class WriterError(RuntimeError):
    """A background write failed; names the job and chains the original error.

    Example:
        >>> str(WriterError("losses.png", OSError("disk full")))
        'background write of losses.png failed: OSError: disk full'
    """

    def __init__(self, job: str, error: BaseException) -> None:
        self.job, self.error = job, error
        super().__init__(f"background write of {job} failed: {type(error).__name__}: {error}")


class BackgroundWriter:
    """Run file-writing jobs on one background thread, in order, with a bounded queue.

    Args:
        max_pending: Jobs that may wait before :meth:`submit` blocks.

    Raises:
        ValueError: If ``max_pending < 1``.

    Example:
        >>> writer = BackgroundWriter()
        >>> done = []
        >>> writer.submit("a", done.append, 1)
        >>> writer.submit("b", done.append, 2)
        >>> writer.flush()
        >>> done
        [1, 2]
    """

    def __init__(self, max_pending: int = 8) -> None:
        if isinstance(max_pending, bool) or not isinstance(max_pending, int) or max_pending < 1:
            raise ValueError(f"max_pending must be a positive int, got {max_pending!r}")
        self.max_pending = max_pending
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_pending)
        self._thread: threading.Thread | None = None
        self._errors: list[WriterError] = []
        self._lock = threading.Lock()
        self.jobs_done = 0
        self.seconds = 0.0  # time spent running jobs

    @property
    def pending(self) -> int:
        """Jobs queued or running."""
        return self._queue.unfinished_tasks

    def submit(self, job: str, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)``; blocks while ``max_pending`` jobs wait.

        Args:
            job: What the job writes (a file name), for error messages.
            fn: The job; its arguments must not be changed by the caller afterwards.
            *args: Its arguments (tensors already copied to the CPU).

        Raises:
            WriterError: If an earlier job failed.
        """
        self.raise_if_failed()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="gankit-writer", daemon=True)
            self._thread.start()
        self._queue.put((job, fn, args))

    def raise_if_failed(self) -> None:
        """Raise the first job error not yet raised, as :class:`WriterError`."""
        with self._lock:
            if not self._errors:
                return
            first, self._errors = self._errors[0], []
        raise first from first.error

    def flush(self) -> None:
        """Wait until every queued job has run, then raise the first error, if any."""
        if self._thread is not None:
            self._queue.join()
        self.raise_if_failed()

    def close(self) -> None:
        """Flush, then stop the thread (a later :meth:`submit` starts a new one)."""
        try:
            self.flush()
        finally:
            if self._thread is not None and self._thread.is_alive():
                self._queue.put(_STOP)
                self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                job, fn, args = item
                start = time.perf_counter()
                try:
                    fn(*args)
                except BaseException as exc:  # kept for the training thread
                    with self._lock:
                        self._errors.append(WriterError(job, exc))
                finally:
                    self.jobs_done += 1
                    self.seconds += time.perf_counter() - start
            finally:
                self._queue.task_done()


def write_job(trainer: Any, job: str, fn: Callable[..., Any], *args: Any) -> None:
    """Run ``fn(*args)`` on ``trainer.writer`` if it has one, else here and now.

    Callbacks call this, so that they also work with a trainer-like object
    without a writer (a test's ``SimpleNamespace``), synchronously.

    Example:
        >>> from types import SimpleNamespace
        >>> out = []
        >>> write_job(SimpleNamespace(), "x", out.append, 3)
        >>> out
        [3]
    """
    writer = getattr(trainer, "writer", None)
    if isinstance(writer, BackgroundWriter):
        writer.submit(job, fn, *args)
    else:
        fn(*args)


def cpu_copy(obj: Any) -> Any:
    """``obj`` with every tensor replaced by a detached copy on the CPU.

    Dicts (``OrderedDict`` kept), lists and tuples are rebuilt; anything else
    is shared. What a background job writes must not change under it while
    training goes on (parameters and optimizer states change in place).

    Example:
        >>> w = torch.zeros(2)
        >>> state = cpu_copy({"w": w, "step": 3})
        >>> _ = w.add_(1.0)
        >>> state["w"].tolist(), state["step"]
        ([0.0, 0.0], 3)
    """
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, OrderedDict):
        return OrderedDict((k, cpu_copy(v)) for k, v in obj.items())
    if type(obj) is dict:
        return {k: cpu_copy(v) for k, v in obj.items()}
    if type(obj) in (list, tuple):
        return type(obj)(cpu_copy(v) for v in obj)
    return obj
