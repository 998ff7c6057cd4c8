"""Standalone generators for serving: TorchScript and ONNX files mapping ``z`` to samples.

The generator is traced (``torch.jit.trace``; ONNX through torch's
TorchScript-based exporter) in eval mode, with the batch size left free.
Tracing freezes the Python argument checks of ``forward``: the exported file
does no shape or label checking of its own. Both files carry the pretrained
``config.json`` document (TorchScript as the extra file ``config.json``, ONNX
as the metadata entry ``gankit_config``), so a server knows ``latent_dim``,
``num_classes`` and the latent ``noise``.

ONNX needs ``pip install 'gankit[export]'`` (onnx; onnxruntime to run it).
"""

from __future__ import annotations

import io
import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from gankit._atomic import atomic_write

__all__ = ["SERVING_FORMATS", "export_onnx", "export_torchscript", "serving_inputs"]

#: The file formats of :func:`export_torchscript` and :func:`export_onnx`, with their suffixes.
SERVING_FORMATS: dict[str, str] = {"onnx": ".onnx", "torchscript": ".pt"}


class _Unconditional(nn.Module):
    """``forward(z)``: one named input for the trace."""

    def __init__(self, generator: nn.Module) -> None:
        super().__init__()
        self.generator = generator

    def forward(self, z: Tensor) -> Tensor:
        return self.generator(z)


class _Conditional(_Unconditional):
    """``forward(z, labels)``."""

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:  # type: ignore[override]
        return self.generator(z, labels)


def serving_inputs(generator: nn.Module, n: int = 2) -> tuple[Tensor, ...]:
    """Example inputs of a generator: ``(z,)`` or ``(z, labels)``; ``z`` is ``(n, latent_dim)``.

    Example:
        >>> from gankit.models import MLPGenerator
        >>> [t.shape for t in serving_inputs(MLPGenerator(3, (2,), hidden=(4,), num_classes=5))]
        [torch.Size([2, 3]), torch.Size([2])]
    """
    param = next(generator.parameters(), None)
    dtype = param.dtype if param is not None else torch.get_default_dtype()
    latent_dim: int = generator.latent_dim  # type: ignore[assignment]
    z = torch.randn(n, latent_dim, dtype=dtype)  # (n, latent_dim)
    num_classes = getattr(generator, "num_classes", None)
    if num_classes is None:
        return (z,)
    return (z, torch.arange(n) % int(num_classes))


def _wrapped(generator: nn.Module) -> nn.Module:
    if not hasattr(generator, "latent_dim"):
        raise TypeError(
            f"serving exports need a generator (with latent_dim), got {type(generator).__name__}"
        )
    wrap = _Unconditional if getattr(generator, "num_classes", None) is None else _Conditional
    return wrap(generator).eval()


def _trace(model: nn.Module, inputs: tuple[Tensor, ...]) -> Any:
    with warnings.catch_warnings():  # the frozen argument checks are expected
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=r".*torch\.jit\..*deprecated")
        return torch.jit.trace(model, inputs, check_trace=False)


def export_torchscript(
    generator: nn.Module, path: str | os.PathLike[str], *, config: Mapping[str, Any] | None = None
) -> Path:
    """Write a traced TorchScript file of ``generator``: ``torch.jit.load(path)(z[, labels])``.

    Args:
        generator: A gankit generator (``latent_dim``; ``num_classes`` when conditional).
        path: The ``.pt`` file, written atomically.
        config: The pretrained ``config.json`` document to embed (extra file ``config.json``).

    Returns:
        The file.

    Raises:
        TypeError: If ``generator`` has no ``latent_dim``.
    """
    model = _wrapped(generator)
    traced = _trace(model, serving_inputs(generator))
    extra = {"config.json": json.dumps(dict(config or {}))}
    with atomic_write(path) as f, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit\..*deprecated")
        torch.jit.save(traced, f, _extra_files=extra)
    return Path(path)


def export_onnx(
    generator: nn.Module, path: str | os.PathLike[str], *, config: Mapping[str, Any] | None = None
) -> Path:
    """Write an ONNX file of ``generator``: inputs ``z`` (and ``labels``), output ``samples``.

    The batch dimension is dynamic. Uses torch's TorchScript-based exporter
    (``dynamo=False``): ``torch.export`` cannot trace the label range check.

    Args:
        generator: A gankit generator.
        path: The ``.onnx`` file, written atomically.
        config: The pretrained ``config.json`` document to embed (metadata ``gankit_config``).

    Returns:
        The file.

    Raises:
        ImportError: Without onnx (``pip install 'gankit[export]'``).
        TypeError: If ``generator`` has no ``latent_dim``.
    """
    try:
        import onnx
    except ImportError:
        raise ImportError("exporting to ONNX needs onnx: pip install 'gankit[export]'") from None
    model = _wrapped(generator)
    inputs = serving_inputs(generator)
    names = ["z", "labels"][: len(inputs)]
    axes = {name: {0: "batch"} for name in [*names, "samples"]}
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        torch.onnx.export(model, inputs, buffer,  # type: ignore[arg-type]
                          input_names=names, output_names=["samples"],
                          dynamic_axes=axes, dynamo=False)
    proto = onnx.load_from_string(buffer.getvalue())
    entry = proto.metadata_props.add()
    entry.key, entry.value = "gankit_config", json.dumps(dict(config or {}))
    path = Path(path)
    with atomic_write(path) as f:
        f.write(proto.SerializeToString())
    return path
