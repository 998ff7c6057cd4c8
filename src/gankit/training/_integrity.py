"""A SHA-256 digest of a checkpoint's contents, to catch files damaged after saving.

:func:`state_digest` hashes everything that loading gives back: for each
tensor its class, dtype, shape, ``requires_grad``, Python attributes and
element bytes (as its values in row-major order, whatever its strides or
storage), and for everything else its type and value, in a fixed traversal
order (dicts in insertion order, which pickling keeps; sets order-free). Each
item is length-prefixed, so different structures never hash alike.

The same object before saving and after ``torch.load`` has the same digest,
so a digest stored in the file and recomputed on load detects any change to
what the file gives back, inside tensor data included. It guards against
damage (disk, network, truncation), not against tampering: whoever edits a
file can recompute the digest too.
"""

from __future__ import annotations

import collections
import hashlib
import struct
from collections.abc import Callable
from typing import Any

import torch

__all__ = ["state_digest"]

#: Each leaf type's tag and its value as bytes.
_LEAVES: dict[type, tuple[bytes, Callable[[Any], bytes]]] = {
    type(None): (b"none", lambda v: b""),
    bool: (b"bool", lambda v: b"1" if v else b"0"),
    int: (b"int", lambda v: str(v).encode()),
    float: (b"float", lambda v: struct.pack("<d", v)),
    complex: (b"complex", lambda v: struct.pack("<dd", v.real, v.imag)),
    str: (b"str", lambda v: v.encode("utf-8", "surrogatepass")),
    bytes: (b"bytes", bytes),
    bytearray: (b"bytearray", bytes),
    torch.dtype: (b"dtype", lambda v: str(v).encode()),
    torch.device: (b"device", lambda v: str(v).encode()),
    torch.layout: (b"layout", lambda v: str(v).encode()),
}
_MAPPINGS: dict[type, bytes] = {
    dict: b"dict",
    collections.OrderedDict: b"odict",
    collections.Counter: b"counter",
}
_SEQUENCES: dict[type, bytes] = {list: b"list", tuple: b"tuple", torch.Size: b"size"}


def state_digest(obj: Any) -> str:
    """The hex SHA-256 digest of a checkpoint or any part of one.

    Args:
        obj: A state made of the types ``torch.load(weights_only=True)`` returns.

    Returns:
        64 hex digits.

    Raises:
        TypeError: If ``obj`` holds a type that such a load cannot return.

    Example:
        >>> a = state_digest({"w": torch.ones(2), "step": 3})
        >>> a == state_digest({"w": torch.ones(2), "step": 3})
        True
        >>> a == state_digest({"w": torch.tensor([1.0, 1.5]), "step": 3})
        False
    """
    h = hashlib.sha256()
    _feed(h, obj)
    return h.hexdigest()


def _token(h: Any, tag: bytes, payload: bytes | memoryview = b"") -> None:
    """One item: tag, payload length, payload."""
    header = tag + b":" + struct.pack("<Q", len(payload))
    if isinstance(payload, bytes):
        h.update(header + payload)
    else:  # tensor data: hash it in place, without a copy
        h.update(header)
        h.update(payload)


def _feed(h: Any, obj: Any) -> None:
    kind = type(obj)
    leaf = _LEAVES.get(kind)
    if leaf is not None:
        tag, as_bytes = leaf
        _token(h, tag, as_bytes(obj))
    elif kind is torch.Tensor or kind is torch.nn.Parameter:
        _feed_tensor(h, obj)
    elif kind in _MAPPINGS:
        _token(h, _MAPPINGS[kind], struct.pack("<Q", len(obj)))
        for key, value in obj.items():
            _feed(h, key)
            _feed(h, value)
        _feed_attributes(h, obj)
    elif kind in _SEQUENCES:
        _token(h, _SEQUENCES[kind], struct.pack("<Q", len(obj)))
        for value in obj:
            _feed(h, value)
    elif kind is set:  # iteration order may differ after loading: hash order-free
        _token(h, b"set", b"".join(sorted(bytes.fromhex(state_digest(v)) for v in obj)))
    else:
        raise TypeError(f"cannot hash a value of type {kind.__module__}.{kind.__qualname__}")


def _feed_attributes(h: Any, obj: Any) -> None:
    attrs = getattr(obj, "__dict__", None) or {}
    _token(h, b"attrs", struct.pack("<Q", len(attrs)))
    for name, value in attrs.items():
        _feed(h, name)
        _feed(h, value)


def _feed_tensor(h: Any, t: torch.Tensor) -> None:
    """Class, dtype, shape, layout, ``requires_grad``, attributes, then the values."""
    header = (type(t).__name__, str(t.dtype), str(t.layout), t.requires_grad, tuple(t.shape))
    _token(h, b"tensor", repr(header).encode())
    _feed_attributes(h, t)
    if t.is_meta:
        return
    t = t.detach().cpu()
    if t.is_quantized:
        _feed_quantized(h, t)
        return
    if t.layout != torch.strided:
        t = t.to_dense()
    flat = t.resolve_conj().resolve_neg().contiguous().reshape(-1)
    if flat.numel() <= 1:  # counts as contiguous whatever its stride, which view() needs 1
        flat = flat.clone(memory_format=torch.contiguous_format)
    _token(h, b"data", flat.view(torch.uint8).numpy().data)


def _feed_quantized(h: Any, t: torch.Tensor) -> None:
    scheme = t.qscheme()
    _token(h, b"qscheme", str(scheme).encode())
    if scheme in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        _feed(h, float(t.q_scale()))
        _feed(h, int(t.q_zero_point()))
    else:
        _feed(h, int(t.q_per_channel_axis()))
        _feed_tensor(h, t.q_per_channel_scales())
        _feed_tensor(h, t.q_per_channel_zero_points())
    _feed_tensor(h, t.int_repr())
