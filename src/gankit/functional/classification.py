"""The auxiliary-classifier loss of ACGAN (Odena et al. 2017), on class logits."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

__all__ = ["auxiliary_classifier_loss"]


def auxiliary_classifier_loss(class_logits: Tensor, labels: Tensor) -> Tensor:
    r"""The cross-entropy of a discriminator's class head: :math:`-\mathbb{E}\log P(C = c \mid x)`.

    .. math::

        L_C = -\frac{1}{N}\sum_{i=1}^{N} \log \operatorname{softmax}(\ell_i)_{c_i}
            = \frac{1}{N}\sum_{i=1}^{N}
              \Big(\log\sum_{k} e^{\ell_{ik}} - \ell_{i c_i}\Big),

    computed with ``log_softmax`` (``F.cross_entropy``), finite for any finite
    logits. ACGAN's discriminator minimises it on real and fake samples, its
    generator on fake ones (:class:`gankit.losses.AuxiliaryClassifier`).

    Args:
        class_logits: Unnormalised class scores :math:`\ell`, shape ``(N, K)``.
        labels: The classes :math:`c`, shape ``(N,)``, integers in ``[0, K)``.

    Returns:
        The batch mean, a 0-dim tensor.

    Raises:
        ValueError: If the shapes do not match ``(N, K)`` and ``(N,)``, or a
            label is outside ``[0, K)``.

    Shape:
        - class_logits: ``(N, K)``; labels: ``(N,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> logits = torch.tensor([[0.0, 0.0], [2.0, 0.0]])
        >>> round(float(auxiliary_classifier_loss(logits, torch.tensor([1, 0]))), 4)
        0.41
    """
    if class_logits.dim() != 2 or labels.dim() != 1 or labels.shape[0] != class_logits.shape[0]:
        raise ValueError(
            "auxiliary_classifier_loss needs class logits (N, K) and labels (N,), got "
            f"{tuple(class_logits.shape)} and {tuple(labels.shape)}"
        )
    k = class_logits.shape[1]
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= k):
        raise ValueError(
            f"labels must be in [0, {k}) for {k} class logits, got values in "
            f"[{int(labels.min())}, {int(labels.max())}]"
        )
    return F.cross_entropy(class_logits, labels.long())
