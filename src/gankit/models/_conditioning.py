"""Private label conditioning: a label code for generators, a projection head for discriminators."""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import Tensor, nn

from gankit._validation import check_optional_positive_int

__all__ = ["LabelCode", "ProjectionHead", "check_label_code"]


def check_label_code(num_classes: object, embed_dim: object) -> tuple[int | None, int | None]:
    """Return a generator's ``(num_classes, embed_dim)``; an embedding needs classes.

    Args:
        num_classes: ``K`` for a conditional generator, or ``None``.
        embed_dim: Size of a learned label embedding, or ``None`` for one-hot.

    Returns:
        Both as ``int`` or ``None``.

    Raises:
        TypeError: If either is neither ``None`` nor an int.
        ValueError: If either is below 1, or ``embed_dim`` is given without ``num_classes``.

    Example:
        >>> check_label_code(10, None)
        (10, None)
    """
    classes = check_optional_positive_int(num_classes, "num_classes")
    dim = check_optional_positive_int(embed_dim, "embed_dim")
    if dim is not None and classes is None:
        raise ValueError(
            f"embed_dim={embed_dim} needs num_classes (a conditional generator), got None"
        )
    return classes, dim


class LabelCode(nn.Module):
    r"""Encode class labels as a vector to concatenate to the latent code.

    With ``embed_dim=None`` the code is the one-hot vector of the label
    (Mirza & Osindero 2014); otherwise it is a learned embedding
    :math:`e_y \in \mathbb{R}^{\text{embed\_dim}}`.

    Args:
        num_classes: Number of classes ``K``.
        embed_dim: Size of a learned embedding, or ``None`` for one-hot.

    Attributes:
        dim: Size of the code: ``K`` for one-hot, else ``embed_dim``.

    Shape:
        - Input: labels ``(N,)`` (int64) and a reference tensor for the dtype.
        - Output: ``(N, dim)``.

    Example:
        >>> import torch
        >>> LabelCode(3, None)(torch.tensor([2, 0]), torch.zeros(1))
        tensor([[0., 0., 1.],
                [1., 0., 0.]])
    """

    def __init__(self, num_classes: int, embed_dim: int | None) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.embedding = None if embed_dim is None else nn.Embedding(num_classes, embed_dim)
        self.dim = num_classes if embed_dim is None else embed_dim

    def forward(self, labels: Tensor, like: Tensor) -> Tensor:
        """Return the codes of ``labels`` in the dtype of ``like``."""
        if self.embedding is None:
            return F.one_hot(labels.long(), self.num_classes).to(like.dtype)  # (N, K)
        return self.embedding(labels.long()).to(like.dtype)  # (N, E)


class ProjectionHead(nn.Module):
    r"""The output layer of a discriminator, with optional class projection.

    Unconditional: :math:`D(x) = \psi(\phi(x)) = w^\top \phi(x) + b`.
    Conditional (Miyato & Koyama 2018):

    .. math::

        D(x, y) = w^\top \phi(x) + b + \langle e_y, \phi(x) \rangle,

    where :math:`\phi(x)` is the discriminator's flattened last feature map and
    :math:`e_y` a learned class embedding. The embedding starts like PyTorch's
    default for :math:`w`, :math:`\mathcal{U}(-1/\sqrt{F}, 1/\sqrt{F})` (not
    :class:`~torch.nn.Embedding`'s :math:`\mathcal{N}(0, 1)`), so the
    projection term does not swamp the logit at initialisation.

    Args:
        features: Size of :math:`\phi(x)`.
        num_classes: Number of classes ``K``, or ``None`` for no projection.

    Shape:
        - Input: features ``(N, features)`` and labels ``(N,)`` or ``None``.
        - Output: logits ``(N,)``.

    Example:
        >>> import torch
        >>> head = ProjectionHead(4, num_classes=3)
        >>> head(torch.randn(2, 4), torch.tensor([0, 2])).shape
        torch.Size([2])
    """

    def __init__(self, features: int, num_classes: int | None) -> None:
        super().__init__()
        self.linear = nn.Linear(features, 1)
        self.embedding = None if num_classes is None else nn.Embedding(num_classes, features)
        if self.embedding is not None:
            bound = 1.0 / math.sqrt(features)
            nn.init.uniform_(self.embedding.weight, -bound, bound)

    def forward(self, h: Tensor, labels: Tensor | None) -> Tensor:
        """Return the logits of the features ``h`` (and ``labels`` when conditional)."""
        logits = self.linear(h).squeeze(1)  # (N,)
        if self.embedding is not None and labels is not None:
            logits = logits + (self.embedding(labels.long()) * h).sum(dim=1)  # (N,)
        return logits
