"""Checkpoint state that ``torch.load(weights_only=True)`` can load back, and nothing else.

The weights-only unpickler rebuilds tensors (``torch.Tensor`` and
``nn.Parameter``, with their Python attributes), ``None``, ``bool``, ``int``,
``float``, ``complex``, ``str``, ``bytes``, ``bytearray``, ``dict``,
``list``, ``tuple``, ``set``, ``collections.OrderedDict`` (with its attributes,
such as a ``state_dict``'s ``_metadata``), ``collections.Counter``,
``torch.Size``, ``torch.dtype``, ``torch.device`` and ``torch.layout``. Every
other class (subclasses of those included: a ``namedtuple``, an ``IntEnum``, a
``defaultdict``) is a pickled global that it refuses, so a checkpoint holding
one saves but never loads.

:func:`encode_state` walks a state before it is saved. It converts a few
harmless types into tagged dicts of the types above (NumPy arrays and scalars,
``collections.deque``, ``frozenset``), which :func:`decode_state` turns back
into what was saved, and refuses anything else with an
:class:`UnsupportedStateError` that names where in the state the value sits.
A tagged dict is ``{"__gankit__": <tag>, ...}``, so the key ``"__gankit__"``
is reserved.
"""

from __future__ import annotations

import collections
import contextlib
import reprlib
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import torch

__all__ = [
    "TAG_KEY",
    "UnsupportedStateError",
    "decode_state",
    "describe_path",
    "encode_state",
]

#: The reserved key of a tagged dict.
TAG_KEY = "__gankit__"

#: Types that are stored as they are: leaves, then containers.
_LEAVES: frozenset[type] = frozenset((
    type(None),
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    bytearray,
    torch.dtype,
    torch.device,
    torch.layout,
))
_SEQUENCES: tuple[type, ...] = (list, tuple, torch.Size)
_MAPPINGS: tuple[type, ...] = (dict, collections.OrderedDict, collections.Counter)
_TENSORS: tuple[type, ...] = (torch.Tensor, torch.nn.Parameter)
_CONTAINERS = frozenset((*_MAPPINGS, list, tuple))

#: What a state may hold, for error messages.
_ALLOWED = (
    "store tensors, numbers, strings, bytes, None, and lists, tuples, dicts or sets of "
    "them (NumPy arrays and scalars, deques and frozensets are converted and restored)"
)

#: The keys and indices from a checkpoint's top level down to a value.
KeyPath = tuple[Any, ...]


class _Note(str):
    """A path step that is not a key: an attribute (``.foo``) or `` (in a set)``."""


class UnsupportedStateError(TypeError):
    """A value that ``torch.load(weights_only=True)`` could not load back."""


def describe_path(path: KeyPath) -> str:
    """Name a place in a checkpoint: ``callback 'history' state key 'window'[3]``.

    Args:
        path: The keys and indices from the checkpoint's top level down.

    Example:
        >>> describe_path(("callbacks", "history", "window", 3))
        "callback 'history' state key 'window'[3]"
        >>> describe_path(("callbacks", "history"))
        "callback 'history' state"
        >>> describe_path(("rng", "python", "state"))
        "checkpoint key 'rng'['python']['state']"
    """
    if len(path) >= 2 and path[0] == "callbacks":
        head, rest = f"callback {path[1]!r} state", path[2:]
        if rest and not isinstance(rest[0], _Note):
            head += f" key {rest[0]!r}"
            rest = rest[1:]
    elif path:
        head, rest = f"checkpoint key {path[0]!r}", path[1:]
    else:
        return "the checkpoint"
    return head + "".join(p if isinstance(p, _Note) else f"[{p!r}]" for p in rest)


def _refuse(
    value: Any, path: KeyPath, why: str | None = None, *, holds: str = "holds"
) -> UnsupportedStateError:
    """The error for ``value`` at ``path``: where, what, its type, and why."""
    kind = type(value)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__}.{name}"
    try:
        shown = reprlib.repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        shown = "<unprintable>"
    reason = why or f"which torch.load(weights_only=True) cannot load; {_ALLOWED}"
    return UnsupportedStateError(
        f"{describe_path(path)} {holds} {shown} of type {name}, {reason}"
    )


def encode_state(obj: Any, path: KeyPath = ()) -> Any:
    """Return ``obj`` in a form ``torch.load(weights_only=True)`` loads back.

    Containers whose contents need no conversion are returned as they are, the
    same objects; the others are copied, so the caller's objects never change.

    Args:
        obj: A checkpoint or a part of one.
        path: Where ``obj`` sits, for error messages.

    Returns:
        ``obj`` with NumPy arrays and scalars, deques and frozensets replaced by
        tagged dicts.

    Raises:
        UnsupportedStateError: If ``obj`` holds a value of any other type (or a
            dict with the reserved key ``"__gankit__"``, or a reference cycle);
            the message names where it sits and its type.

    Example:
        >>> from collections import deque
        >>> encode_state({"window": deque([1, 2], maxlen=3)})
        {'window': {'__gankit__': 'deque', 'items': [1, 2], 'maxlen': 3}}
        >>> encode_state({"span": range(3)}, ("callbacks", "history"))
        Traceback (most recent call last):
        ...
        gankit.training._state_codec.UnsupportedStateError: callback 'history' state key 'span' \
holds range(0, 3) of type range, which torch.load(weights_only=True) cannot load; ...
    """
    return _encode(obj, path, set())


def _encode(obj: Any, path: KeyPath, active: set[int]) -> Any:
    kind = type(obj)
    if kind in _LEAVES:
        return obj
    if kind in _TENSORS:
        _check_plain(getattr(obj, "__dict__", {}), path, "tensor attributes", active)
        return obj
    if isinstance(obj, (np.ndarray, np.generic)):
        return _encode_numpy(obj, path)
    if id(obj) in active:
        raise _refuse(obj, path, "which contains itself; a checkpoint cannot hold a cycle")
    active.add(id(obj))
    try:
        return _encode_container(obj, path, active)
    finally:
        active.discard(id(obj))


def _encode_container(obj: Any, path: KeyPath, active: set[int]) -> Any:
    kind = type(obj)
    if kind in _MAPPINGS:
        if TAG_KEY in obj:
            raise _refuse(obj, path, f"which uses the key {TAG_KEY!r} that gankit reserves")
        items = {}
        for key, value in obj.items():
            _check_key(key, path)
            items[key] = _encode(value, (*path, key), active)
        _check_plain(getattr(obj, "__dict__", {}), path, f"{kind.__name__} attributes", active)
        if all(items[k] is v for k, v in obj.items()):
            return obj
        return _rebuild_mapping(obj, items)
    if kind in _SEQUENCES:
        encoded = [
            v if type(v) in _LEAVES else _encode(v, (*path, i), active) for i, v in enumerate(obj)
        ]
        if kind is torch.Size or all(e is v for e, v in zip(encoded, obj)):
            return obj
        return encoded if kind is list else tuple(encoded)
    if kind is set or kind is frozenset:
        for value in obj:
            _check_key(value, (*path, _Note(" (in a set)")))
        return obj if kind is set else {TAG_KEY: "frozenset", "items": list(obj)}
    if kind is collections.deque:
        queued = [_encode(v, (*path, i), active) for i, v in enumerate(obj)]
        return {TAG_KEY: "deque", "items": queued, "maxlen": obj.maxlen}
    raise _refuse(obj, path)


def _rebuild_mapping(obj: Any, items: dict[Any, Any]) -> Any:
    """A new mapping of ``obj``'s type holding ``items``, with ``obj``'s attributes."""
    out = type(obj)(items)
    if hasattr(obj, "__dict__"):
        out.__dict__.update(obj.__dict__)
    return out


def _check_key(key: Any, path: KeyPath) -> None:
    """Dict keys and set elements must load as they are: plain and hashable."""
    if not isinstance(key, Hashable) or _encode(key, path, set()) is not key:
        raise _refuse(
            key,
            path,
            "but dict keys and set elements must be str, int, float, bool, None, bytes "
            "or tuples of them",
            holds="has the dict key or set element",
        )


def _check_plain(attrs: dict[str, Any], path: KeyPath, what: str, active: set[int]) -> None:
    for name, value in attrs.items():
        where = (*path, _Note(f".{name}"))
        if _encode(value, where, active) is not value:
            raise _refuse(value, where, f"which gankit does not convert in {what}")


# NumPy dtypes that a tensor can hold, by their ``dtype.str`` in native byte order.
_TENSOR_KINDS = "biufc"


def _encode_numpy(obj: np.ndarray | np.generic, path: KeyPath) -> dict[str, Any]:
    """A tagged dict with the dtype (``dtype.str``, byte order included) and the data.

    Arrays of the dtypes torch has keep their data in a tensor (in native byte
    order), other fixed-size dtypes (strings, dates, ``longdouble``) and scalars
    in bytes. Object and structured dtypes and ndarray subclasses are refused.
    """
    dtype = obj.dtype
    if dtype.kind in "OV" or not (type(obj) is np.ndarray or isinstance(obj, np.generic)):
        raise _refuse(
            obj,
            path,
            "which gankit cannot store (object or structured dtype, or an ndarray "
            "subclass); convert it to a plain array of numbers or strings",
        )
    if isinstance(obj, np.generic):
        return {TAG_KEY: "numpy.scalar", "dtype": dtype.str, "data": obj.tobytes()}
    tagged = {TAG_KEY: "numpy.ndarray", "dtype": dtype.str, "shape": list(obj.shape)}
    if dtype.kind in _TENSOR_KINDS:
        native = np.array(obj, dtype=dtype.newbyteorder("="), order="C", copy=True)
        with contextlib.suppress(TypeError):  # a dtype torch lacks, e.g. longdouble
            return {**tagged, "data": torch.from_numpy(native)}
    return {**tagged, "data": obj.tobytes()}


def decode_state(obj: Any) -> Any:
    """Undo :func:`encode_state`: tagged dicts back into what was saved.

    Args:
        obj: A state as ``torch.load`` returned it.

    Returns:
        ``obj`` with every tagged dict decoded; unchanged containers are returned
        as they are.

    Raises:
        ValueError: If a tagged dict is malformed (a damaged file).

    Example:
        >>> import numpy as np
        >>> state = encode_state({"best": np.float32(0.5)})
        >>> decoded = decode_state(state)["best"]
        >>> decoded, type(decoded).__name__
        (np.float32(0.5), 'float32')
    """
    kind = type(obj)
    if kind in _MAPPINGS:
        if kind is dict and TAG_KEY in obj:
            return _decode_tagged(obj)
        items = {k: decode_state(v) for k, v in obj.items()}
        if all(items[k] is v for k, v in obj.items()):
            return obj
        return _rebuild_mapping(obj, items)
    if kind is list or kind is tuple:
        decoded = [decode_state(v) if type(v) in _CONTAINERS else v for v in obj]
        if all(d is v for d, v in zip(decoded, obj)):
            return obj
        return decoded if kind is list else tuple(decoded)
    return obj


def _decode_tagged(obj: dict[str, Any]) -> Any:
    tag = obj[TAG_KEY]
    decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
    if decoder is None:
        raise ValueError(f"unknown {TAG_KEY!r} tag {tag!r}")
    try:
        return decoder(obj)
    except (KeyError, TypeError, ValueError, OverflowError, RuntimeError) as exc:
        raise ValueError(f"malformed {tag!r} entry ({type(exc).__name__}: {exc})") from None


def _numpy_dtype(name: Any) -> np.dtype[Any]:
    if not isinstance(name, str):
        raise TypeError(f"dtype should be a str, found {type(name).__name__}")
    dtype = np.dtype(name)
    if dtype.kind in "OV":
        raise ValueError(f"dtype {name!r} is not one gankit stores")
    return dtype


def _decode_scalar(obj: dict[str, Any]) -> np.generic:
    dtype = _numpy_dtype(obj["dtype"])
    data = obj["data"]
    if type(data) is not bytes or len(data) != dtype.itemsize:
        raise ValueError(f"expected {dtype.itemsize} bytes of data")
    return np.frombuffer(data, dtype=dtype)[0]


def _decode_array(obj: dict[str, Any]) -> np.ndarray:
    dtype = _numpy_dtype(obj["dtype"])
    shape = tuple(obj["shape"])
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"bad shape {shape!r}")
    data = obj["data"]
    if type(data) is torch.Tensor:
        array = data.numpy()
    elif type(data) is bytes:
        array = np.frombuffer(data, dtype=dtype).copy()
    else:
        raise TypeError(f"data should be a tensor or bytes, found {type(data).__name__}")
    return array.reshape(shape).astype(dtype, copy=False)


def _decode_deque(obj: dict[str, Any]) -> collections.deque[Any]:
    items, maxlen = obj["items"], obj["maxlen"]
    if type(items) is not list or not (maxlen is None or type(maxlen) is int):
        raise TypeError("items should be a list and maxlen an int or None")
    return collections.deque(decode_state(items), maxlen=maxlen)


def _decode_frozenset(obj: dict[str, Any]) -> frozenset[Any]:
    if type(obj["items"]) is not list:
        raise TypeError("items should be a list")
    return frozenset(obj["items"])


_DECODERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "deque": _decode_deque,
    "frozenset": _decode_frozenset,
    "numpy.ndarray": _decode_array,
    "numpy.scalar": _decode_scalar,
}
