"""Pretrained folders: a model as ``config.json``, ``model.safetensors`` and ``README.md``.

:func:`save_pretrained` writes the three files (each atomically; other files
in the folder are left alone) and :func:`from_pretrained` rebuilds the model
from them with :func:`~gankit.models.build_model`, with no training code and
no pickle: the config is JSON and the weights are safetensors. The folder is
the one the Hugging Face Hub serves, so :func:`from_pretrained` also accepts
a repo id (``"user/repo"``, downloaded with ``huggingface_hub``) and
:func:`~gankit.models.push_to_hub` uploads one.

safetensors is optional: ``pip install 'gankit[hub]'`` installs it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from torch import Tensor, nn

from gankit._atomic import atomic_write
from gankit._errors import CheckpointError
from gankit._version import __version__
from gankit.models._pretrained_files import (
    PRETRAINED_FORMAT,
    check_config,
    check_weights,
    load_weights_into,
    read_weights,
    require_safetensors,
    write_weights,
)
from gankit.models._registry import build_model, get_model_class, list_models
from gankit.models.model_card import ModelCard, render_model_card

__all__ = [
    "CARD_FILE",
    "CONFIG_FILE",
    "PRETRAINED_FORMAT",
    "WEIGHTS_FILE",
    "PretrainedError",
    "from_pretrained",
    "load_pretrained_config",
    "pretrained_config",
    "save_pretrained",
]

#: The architecture file of a pretrained folder.
CONFIG_FILE = "config.json"
#: The weights file of a pretrained folder.
WEIGHTS_FILE = "model.safetensors"
#: The model card of a pretrained folder.
CARD_FILE = "README.md"

#: A Hugging Face Hub repo id: ``owner/name``.
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


class PretrainedError(CheckpointError):
    """A pretrained folder is missing a file, or its config or weights are wrong.

    The message names the file and what was expected against what was found.
    A subclass of :class:`~gankit.training.CheckpointError`, so code (and the
    ``gankit`` command) that handles bad checkpoints handles bad folders too.
    """


def _registered_name(model: nn.Module) -> str:
    name = type(model).__name__
    if name not in list_models() or get_model_class(name) is not type(model):
        raise TypeError(
            f"save_pretrained needs a registered gankit model (one of {list_models()}), "
            f"got {type(model).__module__}.{type(model).__qualname__}"
        )
    return name


def pretrained_config(
    model: nn.Module, *, ema: bool = False, noise: str | None = None
) -> dict[str, Any]:
    """The ``config.json`` document of a registered model.

    Args:
        model: A registered generator or discriminator.
        ema: Whether the stored weights are EMA weights.
        noise: A generator's latent prior, ``"normal"`` (default) or ``"uniform"``.

    Returns:
        ``format``, ``class``, ``role``, ``config`` (``get_config()``),
        ``ema``, ``noise`` (generators only) and ``gankit_version``.

    Raises:
        TypeError: If ``model`` is not a registered gankit model.
        ValueError: If ``noise`` is unknown or given for a discriminator.

    Example:
        >>> from gankit.models import MLPDiscriminator
        >>> doc = pretrained_config(MLPDiscriminator((2,), hidden=(4,)))
        >>> doc["class"], doc["role"], doc["config"]["in_shape"]
        ('MLPDiscriminator', 'discriminator', (2,))
    """
    name = _registered_name(model)
    role: str = model.role  # type: ignore[assignment]
    if noise is not None and (role != "generator" or noise not in ("normal", "uniform")):
        raise ValueError(f"noise must be 'normal' or 'uniform' for a generator, got {noise!r} "
                         f"for a {role}")
    doc: dict[str, Any] = {"format": PRETRAINED_FORMAT, "class": name, "role": role,
                           "config": model.get_config(), "ema": ema}  # type: ignore[operator]
    if role == "generator":
        doc["noise"] = noise or "normal"
    doc["gankit_version"] = __version__
    return doc


def save_pretrained(
    model: nn.Module,
    directory: str | os.PathLike[str],
    *,
    ema: nn.Module | Mapping[str, Tensor] | None = None,
    card: ModelCard | None = None,
    noise: str | None = None,
) -> Path:
    """Write ``config.json``, ``model.safetensors`` and ``README.md`` into ``directory``.

    ``config.json`` holds the registry config (``get_config()``, as
    checkpoints record it), ``model.safetensors`` the weights, ``README.md``
    the model card. Each file is written atomically; an existing folder keeps
    its other files.

    Args:
        model: A registered generator or discriminator.
        directory: The folder; created if needed.
        ema: The EMA copy of a generator (``trainer.ema_generator``) or its
            state dict: its weights are stored instead of ``model``'s, and
            ``config.json`` records ``"ema": true``.
        card: The run's facts for the model card (see :class:`ModelCard`).
        noise: The latent prior of a generator, ``"normal"`` (default) or
            ``"uniform"``; ``gankit sample`` draws ``z`` from it. Only for generators.

    Returns:
        The folder.

    Raises:
        ImportError: Without safetensors (``pip install 'gankit[hub]'``).
        TypeError: If ``model`` is not a registered gankit model.
        ValueError: If ``ema``'s tensors do not fit ``model``, ``noise`` is
            unknown or given for a discriminator, or ``directory`` is a file.

    Example:
        >>> import tempfile, torch
        >>> from gankit.models import MLPGenerator
        >>> g = MLPGenerator(2, (2,), hidden=(8,))
        >>> folder = save_pretrained(g, tempfile.mkdtemp())
        >>> sorted(p.name for p in folder.iterdir())
        ['README.md', 'config.json', 'model.safetensors']
    """
    require_safetensors()
    doc = pretrained_config(model, ema=ema is not None, noise=noise)
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"save_pretrained needs a folder, but {str(folder)!r} is a file")
    state = model.state_dict() if ema is None else (
        ema.state_dict() if isinstance(ema, nn.Module) else dict(ema))
    check_weights(model, state, "the ema weights")
    text = json.dumps(doc, indent=2, allow_nan=False) + "\n"
    write_weights(folder / WEIGHTS_FILE, state, {"format": "pt", "gankit": PRETRAINED_FORMAT})
    with atomic_write(folder / CONFIG_FILE, "w", encoding="utf-8") as f:
        f.write(text)
    with atomic_write(folder / CARD_FILE, "w", encoding="utf-8") as f:
        f.write(render_model_card(doc["class"], doc["config"], __version__, card))
    return folder


def _local_folder(source: str | os.PathLike[str], revision: str | None) -> Path:
    """The folder ``source`` names, downloading a Hub repo id that is not a local path."""
    path = Path(source)
    if path.is_dir():
        return path
    if not path.exists() and _REPO_ID.match(str(source)) and not str(source).startswith("."):
        from gankit.models.hub import download_pretrained

        return download_pretrained(str(source), revision=revision)
    what = "is a file, not a folder" if path.exists() else "does not exist"
    raise PretrainedError(
        f"pretrained folder {str(source)!r} {what}: expected a folder with {CONFIG_FILE} "
        f"and {WEIGHTS_FILE} (or a Hugging Face Hub repo id 'user/repo')"
    )


def _read_config(folder: Path) -> dict[str, Any]:
    path = folder / CONFIG_FILE
    if not path.is_file():
        found = sorted(p.name for p in folder.iterdir())
        raise PretrainedError(
            f"{str(path)!r} does not exist: a pretrained folder holds {CONFIG_FILE} and "
            f"{WEIGHTS_FILE}; {str(folder)!r} holds {found}"
        )
    try:
        return check_config(path.read_text(encoding="utf-8"), str(path))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PretrainedError(str(exc)) from None


def load_pretrained_config(
    source: str | os.PathLike[str], *, revision: str | None = None
) -> dict[str, Any]:
    """Read and check the ``config.json`` of a pretrained folder (no weights loaded).

    Args:
        source: A pretrained folder, or a Hugging Face Hub repo id.
        revision: The Hub revision (branch, tag or commit) of a repo id.

    Returns:
        The document: ``format``, ``class``, ``config`` and, when recorded,
        ``role``, ``ema``, ``noise`` and ``gankit_version``.

    Raises:
        PretrainedError: If the folder or its ``config.json`` is missing or malformed.
    """
    return _read_config(_local_folder(source, revision))


def from_pretrained(
    source: str | os.PathLike[str],
    *,
    role: str | None = None,
    model_class: str | type[nn.Module] | None = None,
    revision: str | None = None,
) -> nn.Module:
    """Rebuild a model from a pretrained folder (or a Hub repo id), without pickle.

    Args:
        source: A folder written by :func:`save_pretrained`, or a Hugging
            Face Hub repo id ``"user/repo"`` that is not a local path
            (needs ``pip install 'gankit[hub]'`` and the network).
        role: ``"generator"`` or ``"discriminator"`` to insist on one.
        model_class: A class (or its registered name) the model must be an instance of.
        revision: The Hub revision of a repo id.

    Returns:
        The model in eval mode, on the CPU.

    Raises:
        ImportError: Without safetensors (``pip install 'gankit[hub]'``).
        PretrainedError: If a file is missing, ``config.json`` is malformed or
            names another role or class than asked for, the config does not
            build the class, or the weights' keys or shapes do not fit it; the
            message names the file.

    Example:
        >>> import tempfile
        >>> from gankit.models import MLPDiscriminator
        >>> folder = save_pretrained(MLPDiscriminator((2,)), tempfile.mkdtemp())
        >>> type(from_pretrained(folder)).__name__
        'MLPDiscriminator'
    """
    require_safetensors()
    folder = _local_folder(source, revision)
    doc = _read_config(folder)
    config_path = str(folder / CONFIG_FILE)
    cls = get_model_class(doc["class"])
    if role is not None and cls.role != role:  # type: ignore[attr-defined]
        raise PretrainedError(
            f"{config_path!r} holds a {cls.role} ({doc['class']}); "  # type: ignore[attr-defined]
            f"a {role} is needed here"
        )
    wanted = get_model_class(model_class) if isinstance(model_class, str) else model_class
    if wanted is not None and not issubclass(cls, wanted):
        raise PretrainedError(
            f"{config_path!r} holds a {doc['class']}; a {wanted.__name__} is needed here"
        )
    try:
        model = build_model(doc["class"], doc["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PretrainedError(
            f"{config_path!r}: its config does not build {doc['class']}: {exc}"
        ) from None
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise PretrainedError(
            f"{str(weights)!r} does not exist: the weights of the {doc['class']} that "
            f"{config_path!r} describes are missing"
        )
    try:
        load_weights_into(model, read_weights(weights), str(weights))
    except ValueError as exc:
        raise PretrainedError(str(exc)) from None
    return model.eval()
