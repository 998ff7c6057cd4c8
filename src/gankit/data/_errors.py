"""The errors raised by the data loaders.

A loader never downloads anything. Missing files raise
:class:`DataNotFoundError`, which names the files needed and where to put
them; unreadable, truncated or malformed files raise :class:`DataError`, which
names the offending file.
"""

from __future__ import annotations

__all__ = ["DataError", "DataNotFoundError"]


class DataError(ValueError):
    """A data file or folder is corrupt, truncated or malformed.

    The message names the offending file and what was expected of it.

    Example:
        >>> issubclass(DataError, ValueError)
        True
    """


class DataNotFoundError(DataError, FileNotFoundError):
    """The data a loader needs is not on disk (nothing is ever downloaded).

    The message lists the files expected, the folder searched and where to get
    them. It is both a :class:`DataError` and a :class:`FileNotFoundError`.

    Example:
        >>> [issubclass(DataNotFoundError, c) for c in (FileNotFoundError, DataError)]
        [True, True]
    """
