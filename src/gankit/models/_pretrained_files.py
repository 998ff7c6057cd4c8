"""Private reading and checking of a pretrained folder's ``config.json`` and ``model.safetensors``.

Every check names the file at fault and what was expected against what was
found. The errors are plain ``ValueError`` s here; :mod:`gankit.models.pretrained`
turns them into :class:`~gankit.models.PretrainedError`. Nothing here unpickles:
the config is JSON, the weights are safetensors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from gankit._atomic import atomic_write

__all__ = [
    "CONFIG_KEYS",
    "PRETRAINED_FORMAT",
    "check_config",
    "check_weights",
    "load_weights_into",
    "read_weights",
    "require_safetensors",
    "write_weights",
]

#: The value of ``config.json``'s ``"format"`` key.
PRETRAINED_FORMAT = "gankit-pretrained-v1"

#: The keys ``config.json`` may hold, the first three required.
CONFIG_KEYS: tuple[str, ...] = ("format", "class", "config", "role", "ema", "noise",
                                "gankit_version")

_NOISES = ("normal", "uniform")


def require_safetensors() -> Any:
    """Import ``safetensors.torch``, or say which extra installs it.

    Raises:
        ImportError: Naming ``pip install 'gankit[hub]'``.
    """
    try:
        import safetensors.torch
    except ImportError:
        raise ImportError(
            "saving and loading pretrained folders needs safetensors: "
            "pip install 'gankit[hub]' (or pip install safetensors)"
        ) from None
    return safetensors.torch


def _fail(name: str, expected: str, found: Any) -> ValueError:
    text = repr(found)
    text = text if len(text) <= 80 else text[:77] + "..."
    return ValueError(f"{name!r}: expected {expected}, found {text}")


def check_config(text: str, name: str) -> dict[str, Any]:
    """Parse and check the text of a ``config.json``.

    Args:
        text: The file's text.
        name: The file's path, for the messages.

    Returns:
        The document, a dict with at least ``format``, ``class`` and ``config``.

    Raises:
        ValueError: If the text is not JSON, not an object, lacks a required
            key, holds an unknown key, or a value of the wrong type; the class
            is not registered; or ``role`` disagrees with the class.

    Example:
        >>> check_config('{"format": "gankit-pretrained-v1", "class": "MLPGenerator", '
        ...              '"config": {"latent_dim": 2}}', "config.json")["class"]
        'MLPGenerator'
        >>> check_config('{"class": "MLPGenerator"', "config.json")
        Traceback (most recent call last):
        ...
        ValueError: 'config.json' is not valid JSON: Expecting ',' delimiter: line 1 column 25 ...
    """
    from gankit.models._registry import get_model_class, list_models

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name!r} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise _fail(name, "a JSON object", doc)
    missing = [k for k in CONFIG_KEYS[:3] if k not in doc]
    if missing:
        raise ValueError(f"{name!r} lacks the key(s) {missing}; expected the keys "
                         f"{list(CONFIG_KEYS[:3])} (and optionally {list(CONFIG_KEYS[3:])}), "
                         f"found {sorted(doc)}")
    unknown = sorted(set(doc) - set(CONFIG_KEYS))
    if unknown:
        raise ValueError(f"{name!r} holds unknown key(s) {unknown}; allowed keys: "
                         f"{list(CONFIG_KEYS)}")
    if doc["format"] != PRETRAINED_FORMAT:
        raise _fail(f"{name}: format", repr(PRETRAINED_FORMAT), doc["format"])
    if not isinstance(doc["class"], str) or doc["class"] not in list_models():
        raise _fail(f"{name}: class", f"a registered model class, one of {list_models()}",
                    doc["class"])
    if not isinstance(doc["config"], dict):
        raise _fail(f"{name}: config", "a JSON object of constructor arguments", doc["config"])
    role = get_model_class(doc["class"]).role  # type: ignore[attr-defined]
    if doc.get("role", role) != role:
        raise _fail(f"{name}: role", f"{role!r} (the role of {doc['class']})", doc["role"])
    if not isinstance(doc.get("ema", False), bool):
        raise _fail(f"{name}: ema", "true or false", doc["ema"])
    if "noise" in doc and (role != "generator" or doc["noise"] not in _NOISES):
        expected = (f"one of {list(_NOISES)}" if role == "generator"
                    else "no noise (a discriminator)")
        raise _fail(f"{name}: noise", expected, doc["noise"])
    if not isinstance(doc.get("gankit_version", ""), str):
        raise _fail(f"{name}: gankit_version", "a string", doc["gankit_version"])
    return doc


def write_weights(path: Path, state: Mapping[str, Tensor], metadata: Mapping[str, str]) -> None:
    """Write a state dict as safetensors, atomically (CPU, contiguous copies)."""
    st = require_safetensors()
    tensors = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in state.items()}
    data: bytes = st.save(tensors, metadata=dict(metadata))
    with atomic_write(path) as f:
        f.write(data)


def read_weights(path: Path) -> dict[str, Tensor]:
    """Read a safetensors file onto the CPU.

    Raises:
        ValueError: If the file cannot be read as safetensors, naming it.
    """
    st = require_safetensors()
    try:
        return dict(st.load(path.read_bytes()))
    except Exception as exc:  # safetensors raises its own error types on damage
        raise ValueError(
            f"{str(path)!r} is not a readable safetensors file ({type(exc).__name__}: {exc})"
        ) from None


def check_weights(model: nn.Module, state: Mapping[str, Tensor], name: str) -> None:
    """Check that ``state`` has exactly ``model``'s keys, each of its shape.

    Raises:
        ValueError: Naming ``name`` (the file), the missing and unexpected
            keys, or the first tensor of the wrong shape.
    """
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        raise ValueError(
            f"{name!r} does not fit {type(model).__name__}: missing keys {missing}, "
            f"unexpected keys {extra} (expected {len(expected)} tensors, found {len(state)})"
        )
    for key, tensor in state.items():
        if not isinstance(tensor, Tensor) or tuple(tensor.shape) != tuple(expected[key].shape):
            found = tuple(tensor.shape) if isinstance(tensor, Tensor) else type(tensor).__name__
            raise ValueError(
                f"{name!r} does not fit {type(model).__name__}: {key!r} should have shape "
                f"{tuple(expected[key].shape)}, found {found}"
            )


def load_weights_into(model: nn.Module, state: Mapping[str, Tensor], name: str) -> None:
    """Load ``state`` into ``model`` strictly, after :func:`check_weights`.

    The model is first cast to the weights' floating dtype when they share
    one, so float64 weights come back bit for bit.

    Raises:
        ValueError: If the keys or shapes differ from the model's, naming the file.
    """
    check_weights(model, state, name)
    floats = {t.dtype for t in state.values() if t.is_floating_point()}
    if len(floats) == 1 and floats != {torch.get_default_dtype()}:
        model.to(floats.pop())
    model.load_state_dict(state)
