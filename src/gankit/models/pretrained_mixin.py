"""``save_pretrained``, ``from_pretrained`` and ``push_to_hub`` as methods of the registered models.

Every registered gankit model derives from :class:`PretrainedMixin`; the
methods are thin wrappers of :func:`~gankit.models.save_pretrained`,
:func:`~gankit.models.from_pretrained` and :func:`~gankit.models.push_to_hub`,
so the logic exists once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from torch import Tensor, nn
from typing_extensions import Self

if TYPE_CHECKING:
    from gankit.models.model_card import ModelCard

__all__ = ["PretrainedMixin"]


class PretrainedMixin:
    """Methods to save a registered model as a pretrained folder and load it back.

    Example:
        >>> import tempfile
        >>> from gankit.models import MLPGenerator
        >>> g = MLPGenerator(2, (2,), hidden=(8,))
        >>> folder = g.save_pretrained(tempfile.mkdtemp())
        >>> MLPGenerator.from_pretrained(folder).out_shape
        (2,)
    """

    def save_pretrained(
        self,
        directory: str | os.PathLike[str],
        *,
        ema: nn.Module | Mapping[str, Tensor] | None = None,
        card: ModelCard | None = None,
        noise: str | None = None,
    ) -> Path:
        """Write this model as a pretrained folder; see :func:`~gankit.models.save_pretrained`."""
        from gankit.models.pretrained import save_pretrained

        return save_pretrained(cast(nn.Module, self), directory, ema=ema, card=card, noise=noise)

    @classmethod
    def from_pretrained(
        cls, source: str | os.PathLike[str], *, revision: str | None = None
    ) -> Self:
        """Load a model of this class; see :func:`~gankit.models.from_pretrained`.

        Raises:
            PretrainedError: Also when the folder holds another class.
        """
        from gankit.models.pretrained import from_pretrained

        model_class = cast("type[nn.Module]", cls)
        return cast(Self, from_pretrained(source, model_class=model_class, revision=revision))

    def push_to_hub(
        self,
        repo_id: str,
        *,
        ema: nn.Module | Mapping[str, Tensor] | None = None,
        card: ModelCard | None = None,
        noise: str | None = None,
        private: bool | None = None,
        token: str | None = None,
        commit_message: str = "Upload gankit model",
    ) -> Any:
        """Upload this model to the Hub; see :func:`~gankit.models.push_to_hub`."""
        from gankit.models.hub import push_to_hub

        return push_to_hub(cast(nn.Module, self), repo_id, ema=ema, card=card, noise=noise,
                           private=private, token=token, commit_message=commit_message)
