"""Export a training checkpoint: a pretrained folder with its model card, TorchScript or ONNX.

``gankit export`` calls :func:`export_checkpoint`. The model card is filled
by :func:`run_model_card` from the checkpoint (loss, steps, EMA) and its run
folder, the parent of ``checkpoints/``: ``config.toml`` gives the data and
the seed, and the last evaluation's figures come from
``eval/<checkpoint name>/metrics.json`` (written by ``gankit evaluate``) when
it exists, else from the run's ``metrics.json``.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gankit.models.model_card import ModelCard
from gankit.models.serving import SERVING_FORMATS, export_onnx, export_torchscript
from gankit.training.checkpoint import CheckpointError, load_checkpoint_file, model_from_checkpoint

__all__ = ["EXPORT_FORMATS", "export_checkpoint", "run_model_card"]

#: The formats of :func:`export_checkpoint`: a pretrained folder or a serving file.
EXPORT_FORMATS: tuple[str, ...] = ("pretrained", *SERVING_FORMATS)


def _run_folder(checkpoint: Path) -> Path:
    parent = checkpoint.parent
    return parent.parent if parent.name == "checkpoints" else parent


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        warnings.warn(f"model card: skipping {str(path)!r}, which cannot be read ({exc})",
                      stacklevel=3)
        return None
    return data if isinstance(data, dict) else None


def _run_config(folder: Path) -> dict[str, Any]:
    path = folder / "config.toml"
    if not path.is_file():
        return {}
    from gankit.config import loads_toml

    try:
        return loads_toml(path.read_text(encoding="utf-8"), str(path))
    except Exception as exc:  # a damaged config leaves the card without data and seed
        warnings.warn(f"model card: skipping {str(path)!r}, which cannot be read ({exc})",
                      stacklevel=3)
        return {}


def _describe_data(section: Mapping[str, Any]) -> str | None:
    if not section:
        return None
    rest = ", ".join(f"{k}={v!r}" for k, v in section.items() if k != "name")
    name = str(section.get("name", "?"))
    return f"{name} ({rest})" if rest else name


def run_model_card(
    checkpoint: str | os.PathLike[str], ckpt: Mapping[str, Any], *,
    role: str = "generator", ema: bool = False,
) -> ModelCard:
    """The model card facts of a trainer checkpoint and its run folder.

    Args:
        checkpoint: The checkpoint's path (its run folder is found from it).
        ckpt: The loaded checkpoint (:func:`~gankit.training.load_checkpoint_file`).
        role: The exported model's role.
        ema: Whether the exported weights are the EMA weights.

    Returns:
        The card: loss and steps from the checkpoint, data and seed from the
        run's ``config.toml``, figures from the last evaluation; facts that
        are not there are ``None``.
    """
    folder = _run_folder(Path(checkpoint))
    config = _run_config(folder)
    trainer = config.get("trainer", {})
    seed = trainer.get("seed") if isinstance(trainer, dict) else None
    if ema:
        decay = ckpt.get("callbacks", {}).get("EMA", {}).get("decay")
        weights = "EMA of the generator" + ("" if decay is None else f" (decay {decay})")
    else:
        weights = f"the {role}'s own (no EMA)" if role == "generator" else f"the {role}'s"
    metrics: dict[str, Any] = {}
    source = None
    for path in (folder / "eval" / Path(checkpoint).stem / "metrics.json",
                 folder / "metrics.json"):
        if path.is_file():
            found = _read_json(path)
            if found is not None:
                metrics, source = found, path.relative_to(folder).as_posix()
                break
    data = config.get("data")
    return ModelCard(
        loss=ckpt.get("trainer", {}).get("loss"),
        data=_describe_data(data) if isinstance(data, dict) else None,
        steps=ckpt.get("step"),
        seed=seed if isinstance(seed, int) else None,
        weights=weights,
        metrics=metrics,
        metrics_source=source,
    )


def _serving_file(out: Path, fmt: str) -> Path:
    """``out`` itself, or ``out/generator<suffix>`` when ``out`` is a folder or has no suffix."""
    if out.is_dir() or not out.suffix:
        return out / f"generator{SERVING_FORMATS[fmt]}"
    return out


def export_checkpoint(
    checkpoint: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    format: str = "pretrained",
    ema: bool | None = None,
    role: str = "generator",
) -> Path:
    """Export the generator (or discriminator) of a trainer checkpoint.

    Args:
        checkpoint: A checkpoint written by the trainer (e.g. ``checkpoints/last.pt``).
        out: The pretrained folder; for ``"torchscript"`` and ``"onnx"`` the
            file, or a folder to write ``generator.pt`` / ``generator.onnx`` into.
        format: One of :data:`EXPORT_FORMATS`.
        ema: ``None`` uses the EMA weights when the checkpoint has them,
            ``True`` insists on them, ``False`` takes the raw weights.
        role: ``"generator"`` or ``"discriminator"`` (only a pretrained folder).

    Returns:
        The folder or file written.

    Raises:
        ValueError: If ``format`` or ``role`` is unknown, or a serving format
            is asked of a discriminator.
        CheckpointError: If the checkpoint cannot be loaded or rebuilt, or
            ``ema=True`` and it has no EMA weights.
        ImportError: Without safetensors (a folder) or onnx (ONNX).
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {list(EXPORT_FORMATS)}, got {format!r}")
    if role not in ("generator", "discriminator"):
        raise ValueError(f"role must be 'generator' or 'discriminator', got {role!r}")
    if role != "generator" and format != "pretrained":
        raise ValueError(f"--format {format} exports a generator only, not a {role}")
    name = str(checkpoint)
    ckpt = load_checkpoint_file(checkpoint)
    has_ema = role == "generator" and ckpt.get("ema_generator") is not None
    if ema and not has_ema:
        raise CheckpointError(f"checkpoint {name!r} holds no EMA weights of the {role}")
    use_ema = has_ema if ema is None else bool(ema) and has_ema
    noise = ckpt.get("trainer", {}).get("noise", "normal") if role == "generator" else None
    if noise not in (None, "normal", "uniform"):
        raise CheckpointError(f"checkpoint {name!r}: its latent noise {noise!r} cannot be "
                              "recorded in a pretrained folder ('normal' or 'uniform' only)")
    if format == "pretrained":
        # Imported here: gankit.models.pretrained imports this package for CheckpointError.
        from gankit.models.pretrained import save_pretrained

        model = model_from_checkpoint(ckpt, name, role=role, ema=False)
        card = run_model_card(checkpoint, ckpt, role=role, ema=use_ema)
        weights = ckpt["ema_generator"] if use_ema else None
        return save_pretrained(model, out, ema=weights, card=card, noise=noise)
    from gankit.models.pretrained import pretrained_config

    model = model_from_checkpoint(ckpt, name, role=role, ema=use_ema)
    config = pretrained_config(model, ema=use_ema, noise=noise)
    path = _serving_file(Path(out), format)
    write = export_torchscript if format == "torchscript" else export_onnx
    return write(model, path, config=config)
