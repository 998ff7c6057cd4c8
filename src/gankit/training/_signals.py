"""Stop training cleanly on SIGINT (Ctrl-C) or SIGTERM (what schedulers send before preemption).

While :meth:`gankit.Trainer.fit` runs, the first SIGINT or SIGTERM only sets a
flag: the step in progress finishes (every discriminator update and the
generator update, the step counted, the callbacks called), and then ``fit``
raises :class:`TrainingInterrupted`. The trainer is then in exactly the state an
uninterrupted run has between two steps, so a checkpoint saved now resumes bit
for bit. A second signal raises :class:`KeyboardInterrupt` at once, mid-step
(nothing consistent to save: the last checkpoint written before stays intact).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["SignalFlag", "TrainingInterrupted", "exit_status", "graceful_signals"]

#: The signals that stop training after the current step.
SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


def exit_status(signum: int) -> int:
    """The exit status a shell reports for a process ended by ``signum``: ``128 + signum``.

    Example:
        >>> exit_status(signal.SIGINT), exit_status(signal.SIGTERM)
        (130, 143)
    """
    return 128 + int(signum)


class TrainingInterrupted(KeyboardInterrupt):
    """``fit`` stopped after a whole step because of SIGINT or SIGTERM.

    A subclass of :class:`KeyboardInterrupt`, so a script that does not catch
    it ends as after Ctrl-C. The trainer's state is consistent: save a
    checkpoint now and resuming it equals the uninterrupted run.

    Attributes:
        signum: The signal's number (``signal.SIGINT`` or ``signal.SIGTERM``).
        step: The last completed step.
    """

    def __init__(self, signum: int, step: int) -> None:
        self.signum = int(signum)
        self.step = int(step)
        name = signal.Signals(self.signum).name
        super().__init__(f"{name} received: training stopped after step {self.step}")


class SignalFlag:
    """Which stopping signal arrived first while :func:`graceful_signals` was active.

    Attributes:
        signum: The first signal's number, or ``None``.
    """

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: remember the first signal, abort on the second."""
        if self.signum is not None:
            raise KeyboardInterrupt(f"{signal.Signals(signum).name} received twice: aborted")
        self.signum = signum
        with contextlib.suppress(OSError, ValueError):  # a closed stderr is no crash
            print(
                f"\ngankit: {signal.Signals(signum).name} received; finishing this step, "
                "then stopping (send it again to abort at once)",
                file=sys.stderr,
                flush=True,
            )


@contextmanager
def graceful_signals(enabled: bool = True) -> Iterator[SignalFlag]:
    """Catch SIGINT and SIGTERM into a :class:`SignalFlag` for the ``with`` block.

    Handlers are installed only in the main thread (Python delivers signals
    there alone) and the previous handlers are restored when the block ends.

    Args:
        enabled: ``False`` installs nothing (signals act as usual).

    Yields:
        The flag; ``flag.signum`` is set by the first signal.

    Example:
        >>> import os
        >>> with graceful_signals() as flag:
        ...     os.kill(os.getpid(), signal.SIGTERM)
        ...     received = flag.signum
        >>> received == signal.SIGTERM
        True
    """
    flag = SignalFlag()
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in SIGNALS:
            previous[sig] = signal.signal(sig, flag)
        yield flag
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
