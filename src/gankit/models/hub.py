"""The Hugging Face Hub: upload a pretrained folder, download one by repo id.

Both go through ``huggingface_hub`` (``pip install 'gankit[hub]'``), which
needs the network and, to upload, a token (``huggingface-cli login`` or
``HF_TOKEN``). :func:`~gankit.models.from_pretrained` calls
:func:`download_pretrained` for a repo id that is not a local path.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from torch import Tensor, nn

from gankit.models.model_card import ModelCard

__all__ = ["download_pretrained", "push_to_hub"]


def _hub() -> Any:
    try:
        import huggingface_hub
    except ImportError:
        raise ImportError(
            "the Hugging Face Hub needs huggingface_hub: pip install 'gankit[hub]'"
        ) from None
    return huggingface_hub


def download_pretrained(repo_id: str, *, revision: str | None = None) -> Path:
    """Download a pretrained folder from the Hub (or find it in the local cache).

    Only ``config.json``, ``model.safetensors`` and ``README.md`` are fetched.

    Args:
        repo_id: ``"user/repo"``.
        revision: A branch, tag or commit; the default branch when ``None``.

    Returns:
        The local folder (in the Hub cache).

    Raises:
        ImportError: Without huggingface_hub.
        PretrainedError: If the download fails (no network, no such repo),
            naming the repo id.
    """
    from gankit.models.pretrained import CARD_FILE, CONFIG_FILE, WEIGHTS_FILE, PretrainedError

    hub = _hub()
    try:
        local = hub.snapshot_download(
            repo_id=repo_id, revision=revision,
            allow_patterns=[CONFIG_FILE, WEIGHTS_FILE, CARD_FILE],
        )
    except Exception as exc:  # network, authentication and missing repos raise many types
        raise PretrainedError(
            f"{repo_id!r} is not a local folder, and downloading it from the Hugging Face "
            f"Hub failed ({type(exc).__name__}: {exc})"
        ) from None
    return Path(local)


def push_to_hub(
    model: nn.Module,
    repo_id: str,
    *,
    ema: nn.Module | Mapping[str, Tensor] | None = None,
    card: ModelCard | None = None,
    noise: str | None = None,
    private: bool | None = None,
    token: str | None = None,
    commit_message: str = "Upload gankit model",
) -> Any:
    """Save ``model`` as a pretrained folder and upload it to the Hub repo ``repo_id``.

    The repo is created when it does not exist. The folder is written by
    :func:`~gankit.models.save_pretrained` (same ``ema``, ``card`` and
    ``noise``) into a temporary folder, which is deleted afterwards.

    Args:
        model: A registered generator or discriminator.
        repo_id: ``"user/repo"``.
        ema: EMA weights to store instead of ``model``'s.
        card: The run's facts for the model card.
        noise: A generator's latent prior.
        private: Create the repo private (``None``: the Hub's default).
        token: A Hub token (``None``: the logged-in one).
        commit_message: The commit's message.

    Returns:
        What ``HfApi.upload_folder`` returns (the commit's information).

    Raises:
        ImportError: Without huggingface_hub or safetensors.
    """
    from gankit.models.pretrained import save_pretrained

    api = _hub().HfApi(token=token)
    with tempfile.TemporaryDirectory(prefix="gankit-push-") as tmp:
        folder = save_pretrained(model, Path(tmp), ema=ema, card=card, noise=noise)
        api.create_repo(repo_id=repo_id, private=private, exist_ok=True)
        return api.upload_folder(repo_id=repo_id, folder_path=os.fspath(folder),
                                 commit_message=commit_message)
