"""A pickle reader that can rebuild numpy arrays and nothing else.

``pickle.load`` runs whatever callable a file names, so a doctored "data
batch" can execute code. :func:`safe_load` refuses every global except the
few a pickled dict of numpy arrays needs.
"""

from __future__ import annotations

import pickle
from typing import IO, Any

import numpy as np

try:  # numpy >= 2 keeps the implementation in numpy._core
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct  # type: ignore[no-redef]

__all__ = ["safe_load"]


def _latin1_encode(text: str, encoding: str = "utf-8") -> bytes:
    """Stand-in for ``_codecs.encode`` as protocol 2 uses it: ``bytes`` saved by Python 3."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(
            f"refusing _codecs.encode({type(text).__name__}, {encoding!r}): only the latin-1 "
            "encoding of a string (how protocol 2 stores bytes) is allowed"
        )
    return text.encode("latin-1")


_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,  # arrays saved by numpy 1.x
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,  # arrays saved by numpy 2.x
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,  # bytes pickled by Python 3 with protocol 2
}


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler whose ``find_class`` only resolves the globals in ``_ALLOWED``."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"it references {module}.{name}, which is not allowed: only numpy "
                "array reconstruction is (a real data batch needs nothing else)"
            ) from None


def safe_load(stream: IO[bytes]) -> Any:
    """Unpickle ``stream`` allowing only numpy arrays, dicts, lists, strings and numbers.

    Python 2 strings decode as latin-1, which is how the original CIFAR files
    (written by Python 2) must be read; their dict keys then come back as
    ``str``, while files written by Python 3 keep ``bytes`` keys.

    Args:
        stream: A binary file object.

    Returns:
        The unpickled object.

    Raises:
        pickle.UnpicklingError: If the pickle names any other global, or is malformed.
        EOFError: If the stream ends early.

    Example:
        >>> import io
        >>> blob = pickle.dumps({b"data": np.arange(3, dtype=np.uint8)}, protocol=2)
        >>> safe_load(io.BytesIO(blob))[b"data"].tolist()
        [0, 1, 2]
        >>> safe_load(io.BytesIO(pickle.dumps(print)))
        Traceback (most recent call last):
            ...
        _pickle.UnpicklingError: it references builtins.print, which is not allowed: ...
    """
    return _ArrayUnpickler(stream, encoding="latin1").load()
