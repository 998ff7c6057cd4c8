"""Conditional batch normalisation: a per-class gain and bias (de Vries et al. 2017)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gankit._validation import (
    check_labels,
    check_positive_float,
    check_positive_int,
    check_shape,
)

__all__ = ["ConditionalBatchNorm2d"]


class ConditionalBatchNorm2d(nn.Module):
    r"""Batch norm whose scale and shift are chosen by the class label.

    .. math::

        y_{n c h w} = \gamma_{y_n c} \,
            \frac{x_{n c h w} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} + \beta_{y_n c},

    where :math:`\mu_c, \sigma_c^2` are the batch statistics of channel
    :math:`c` in training mode and the running ones in eval mode (an
    affine-free :class:`~torch.nn.BatchNorm2d`), and :math:`\gamma, \beta \in
    \mathbb{R}^{K \times C}` are learned per class. They start at
    :math:`\gamma = 1`, :math:`\beta = 0`, where the layer equals plain batch
    norm. This is how the generators of Miyato & Koyama (2018) and BigGAN are
    conditioned. :math:`\gamma, \beta` are plain parameters, not embedding
    layers, so weight initialisation and spectral normalisation leave them alone.

    Args:
        num_features: Channels ``C``.
        num_classes: Number of classes ``K``.
        eps: :math:`\epsilon`, added to the variance.
        momentum: Running-statistics momentum, as in :class:`~torch.nn.BatchNorm2d`.

    Attributes:
        bn (nn.BatchNorm2d): The affine-free normalisation.
        gain (nn.Parameter): :math:`\gamma`, of shape ``(K, C)``.
        bias (nn.Parameter): :math:`\beta`, of shape ``(K, C)``.

    Raises:
        TypeError: If ``num_features`` or ``num_classes`` is not an int, or
            ``eps`` not a number.
        ValueError: If either count is below 1, or ``eps`` is not above 0.

    Shape:
        - Input: ``x`` of shape ``(N, C, H, W)`` and ``labels`` ``(N,)`` (int64).
        - Output: ``(N, C, H, W)``.

    Example:
        >>> norm = ConditionalBatchNorm2d(4, num_classes=3)
        >>> x = torch.randn(8, 4, 5, 5)
        >>> y = norm(x, torch.tensor([0, 1, 2, 0, 1, 2, 0, 1]))
        >>> torch.allclose(y, norm.bn(x))  # gain 1 and bias 0 at initialisation
        True
    """

    def __init__(self, num_features: int, num_classes: int, eps: float = 1e-5,
                 momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features = check_positive_int(num_features, "num_features")
        self.num_classes = check_positive_int(num_classes, "num_classes")
        eps = check_positive_float(eps, "eps")
        self.bn = nn.BatchNorm2d(self.num_features, eps=eps, momentum=momentum, affine=False)
        self.gain = nn.Parameter(torch.ones(self.num_classes, self.num_features))
        self.bias = nn.Parameter(torch.zeros(self.num_classes, self.num_features))

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        """Normalise ``x`` and apply the scale and shift of each sample's class.

        Args:
            x: Feature maps of shape ``(N, C, H, W)``.
            labels: Class labels of shape ``(N,)``, in ``[0, K)``.

        Returns:
            Feature maps of the same shape.

        Raises:
            ValueError: If ``x`` has the wrong shape, or ``labels`` are missing,
                mis-shaped or out of range.
            TypeError: If ``labels`` are not an integer tensor.
        """
        check_shape(x, (None, self.num_features, None, None), "x")
        check_labels(labels, x.shape[0], self.num_classes)
        return self._normalize(x, labels)

    def _normalize(self, x: Tensor, labels: Tensor) -> Tensor:
        """The formula, without the checks (for models that checked their labels once)."""
        labels = labels.long()
        gain = self.gain[labels][:, :, None, None]  # (N, C, 1, 1)
        bias = self.bias[labels][:, :, None, None]  # (N, C, 1, 1)
        return gain * self.bn(x) + bias  # (N, C, H, W)

    def extra_repr(self) -> str:
        """Show the sizes."""
        return f"{self.num_features}, num_classes={self.num_classes}"
