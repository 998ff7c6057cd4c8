r"""The consistency penalty of consistency regularization (Zhang et al. 2020; Zhao et al. 2021).

A discriminator should not change its mind when its input is transformed by a
semantics-preserving augmentation :math:`T`; consistency regularization adds
the squared difference of its logits on :math:`x` and on :math:`T(x)`.
:class:`~gankit.losses.BalancedConsistency` applies it to real and fake batches.
"""

from __future__ import annotations

from torch import Tensor

from gankit._validation import check_batch_logits, check_same_shape

__all__ = ["consistency_penalty"]


def consistency_penalty(logits: Tensor, augmented_logits: Tensor) -> Tensor:
    r"""The mean squared difference between logits on a batch and on its augmentation.

    .. math::

        L = \mathbb{E}_i\left[\left(D(x_i) - D(T(x_i))\right)^2\right]

    Gradients flow into both arguments: the penalty pulls the two logits
    together, as in Zhang et al.'s consistency regularization.

    Args:
        logits: :math:`D(x)`.
        augmented_logits: :math:`D(T(x))`, paired with ``logits`` row by row.

    Returns:
        The penalty, a 0-dim tensor (at least 0).

    Raises:
        TypeError: If an argument is not a floating-point tensor.
        ValueError: If an argument is not of shape ``(N,)`` with ``N >= 1``, or
            the two shapes differ.

    Shape:
        - logits, augmented_logits: ``(N,)``.
        - Output: ``()``.

    Example:
        >>> import torch
        >>> consistency_penalty(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0]))
        tensor(2.5000)
    """
    check_batch_logits(logits, "logits")
    check_batch_logits(augmented_logits, "augmented_logits")
    check_same_shape(logits, augmented_logits, "logits", "augmented_logits")
    return (logits - augmented_logits).square().mean()
