r"""Private residual blocks of the SNGAN ResNets (Miyato et al. 2018, Gulrajani et al. 2017).

Each block returns :math:`\text{residual}(x) + \text{shortcut}(x)`. The shortcut
is a learned 1x1 convolution wherever the block resamples or changes the
channels (as in SNGAN's Chainer code and Mimicry), the identity otherwise.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from gankit.models.conditional_batch_norm import ConditionalBatchNorm2d

__all__ = ["DiscriminatorBlock", "GeneratorBlock", "OptimizedBlock"]


class GeneratorBlock(nn.Module):
    r"""An up-sampling generator block; batch norm is class-conditional with ``num_classes``.

    ::

        residual: norm -> ReLU -> up 2x (nearest) -> conv3x3 -> norm -> ReLU -> conv3x3
        shortcut: up 2x (nearest) -> conv1x1

    No convolution has a bias: every constant it added would reach only paths
    that a later batch norm removes again, so it would get no gradient.

    Shape:
        - Input: ``(N, c_in, S, S)`` and labels ``(N,)`` or ``None``.
        - Output: ``(N, c_out, 2S, 2S)``.
    """

    def __init__(self, c_in: int, c_out: int, num_classes: int | None) -> None:
        super().__init__()
        self.norm1 = _make_norm(c_in, num_classes)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.norm2 = _make_norm(c_out, num_classes)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.shortcut = nn.Conv2d(c_in, c_out, 1, bias=False)

    @staticmethod
    def _apply_norm(norm: nn.Module, h: Tensor, labels: Tensor | None) -> Tensor:
        if isinstance(norm, ConditionalBatchNorm2d):
            return norm._normalize(h, labels)  # type: ignore[arg-type]  # checked by the model
        return norm(h)

    def forward(self, x: Tensor, labels: Tensor | None) -> Tensor:
        """Return the block's output for ``x`` (labels only when conditional)."""
        h = F.relu(self._apply_norm(self.norm1, x, labels))  # (N, c_in, S, S)
        h = self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))  # (N, c_out, 2S, 2S)
        h = self.conv2(F.relu(self._apply_norm(self.norm2, h, labels)))  # (N, c_out, 2S, 2S)
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


def _make_norm(channels: int, num_classes: int | None) -> nn.Module:
    if num_classes is None:
        return nn.BatchNorm2d(channels)
    return ConditionalBatchNorm2d(channels, num_classes)


class OptimizedBlock(nn.Module):
    r"""The discriminator's first block, which sees the image itself.

    ::

        residual: conv3x3 -> ReLU -> conv3x3 -> avgpool 2x2
        shortcut: avgpool 2x2 -> conv1x1

    There is no ReLU before the first convolution (it would clip the image),
    and the shortcut pools before its convolution, which is cheaper and the
    same map (both are linear).

    Shape:
        - Input: ``(N, c_in, S, S)``.
        - Output: ``(N, c_out, S/2, S/2)``.
    """

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.shortcut = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Return the block's output for ``x``."""
        h = F.avg_pool2d(self.conv2(F.relu(self.conv1(x))), 2)  # (N, c_out, S/2, S/2)
        return h + self.shortcut(F.avg_pool2d(x, 2))


class DiscriminatorBlock(nn.Module):
    r"""A discriminator block, down-sampling or not.

    ::

        residual: ReLU -> conv3x3 -> ReLU -> conv3x3 [-> avgpool 2x2]
        shortcut: conv1x1 [-> avgpool 2x2]     (identity if neither resampled nor widened)

    Shape:
        - Input: ``(N, c_in, S, S)``.
        - Output: ``(N, c_out, S/2, S/2)`` when ``downsample``, else ``(N, c_out, S, S)``.
    """

    def __init__(self, c_in: int, c_out: int, downsample: bool) -> None:
        super().__init__()
        self.downsample = downsample
        self.conv1 = nn.Conv2d(c_in, c_in, 3, padding=1)
        self.conv2 = nn.Conv2d(c_in, c_out, 3, padding=1)
        learned = downsample or c_in != c_out
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if learned else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        """Return the block's output for ``x``."""
        h = self.conv2(F.relu(self.conv1(F.relu(x))))  # (N, c_out, S, S)
        s = self.shortcut(x)  # (N, c_out, S, S)
        if self.downsample:
            h, s = F.avg_pool2d(h, 2), F.avg_pool2d(s, 2)  # (N, c_out, S/2, S/2)
        return h + s

    def extra_repr(self) -> str:
        """Show whether the block down-samples."""
        return f"downsample={self.downsample}"
