"""Private helpers for the file loaders: folders, optional gzip, split names."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Sequence
from pathlib import Path

from gankit.data._errors import DataError, DataNotFoundError

__all__ = ["check_split", "find_file", "read_maybe_gzip", "require_folder"]


def require_folder(path: str | os.PathLike[str], what: str, needs: str) -> Path:
    """Return ``path`` as a ``Path`` if it is an existing folder.

    ``what`` names the loader and ``needs`` says what the folder should hold
    and where to get it; both go into the error messages.

    Raises:
        TypeError: If ``path`` is not a string or path.
        DataNotFoundError: If it does not exist.
        DataError: If it is not a folder.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    folder = Path(path).expanduser()
    if not folder.exists():
        raise DataNotFoundError(f"{what}: the folder {folder} does not exist; {needs}")
    if not folder.is_dir():
        raise DataError(f"{what}: {folder} is a file, expected a folder; {needs}")
    return folder


def find_file(folders: Sequence[Path], names: Sequence[str]) -> Path | None:
    """Return the first existing ``folder / name``, folders outer, names inner."""
    for folder in folders:
        for name in names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def read_maybe_gzip(file: Path) -> bytes:
    """Read ``file``, decompressing it if its name ends in ``.gz``.

    Raises:
        DataError: If the gzip stream is corrupt or truncated (naming the file).
    """
    if file.suffix != ".gz":
        return file.read_bytes()
    try:
        return gzip.decompress(file.read_bytes())
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(
            f"{file} is not a valid gzip file (corrupt or truncated): {error}"
        ) from error


def check_split(split: object, allowed: Sequence[str]) -> str:
    """Return ``split`` if it is one of ``allowed``, else raise ``ValueError``."""
    if not isinstance(split, str) or split not in allowed:
        shown = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"split must be {shown}, got {split!r}")
    return split
