"""Self-attention over the positions of a feature map (SAGAN, Zhang et al. 2019)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit._validation import check_positive_int, check_shape
from gankit.models._layers import apply_spectral_norm

__all__ = ["SelfAttention2d"]


class SelfAttention2d(nn.Module):
    r"""A gated self-attention block for images: :math:`y = x + \gamma\, o(x)`.

    Every position :math:`i` of the feature map attends to every (pooled)
    position :math:`j`, with 1x1 convolutions for the query :math:`W_q`, key
    :math:`W_k`, value :math:`W_v` and output :math:`W_o`:

    .. math::

        q = W_q x, \quad k = P(W_k x), \quad v = P(W_v x), \qquad
        A_{ij} = \frac{\exp(q_i^\top k_j)}{\sum_{j'} \exp(q_i^\top k_{j'})},

        y_i = x_i + \gamma \, W_o \sum_j A_{ij} v_j,

    where :math:`P` is a 2x2 max pool when ``pooled`` (BigGAN's and SAGAN's
    released code: 4x fewer keys; an odd side is rounded up, so no position is
    dropped) and the identity otherwise. As in SAGAN and BigGAN, the query and
    key have ``C // 8`` channels and the value ``C // 2`` (each at least 1);
    the convolutions have no bias and the logits are not scaled by
    :math:`1/\sqrt{d}`. The gate :math:`\gamma` is a learned scalar that starts
    at 0, so the block is the identity at initialisation and the network
    learns how much non-local evidence to mix in.

    Args:
        channels: Channels ``C`` of the input (and output).
        pooled: Max-pool the keys and values 2x2 (default) or attend to every position.
        spectral_norm: Spectrally normalise the four convolutions (SAGAN does so
            in both networks). Models that normalise all their layers build the
            block without it and normalise it with the rest.

    Attributes:
        query, key, value, out (nn.Conv2d): :math:`W_q, W_k, W_v, W_o`.
        gamma (nn.Parameter): The gate :math:`\gamma`, a scalar, initially 0.

    Raises:
        TypeError: If ``channels`` is not an int.
        ValueError: If ``channels < 1``.

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> attention = SelfAttention2d(16)
        >>> x = torch.randn(2, 16, 8, 8)
        >>> bool(torch.equal(attention(x), x))  # gamma = 0 at initialisation
        True
    """

    def __init__(self, channels: int, pooled: bool = True, spectral_norm: bool = False) -> None:
        super().__init__()
        self.channels = check_positive_int(channels, "channels")
        self.pooled = bool(pooled)
        self.key_channels = max(1, self.channels // 8)
        self.value_channels = max(1, self.channels // 2)
        self.query = nn.Conv2d(self.channels, self.key_channels, 1, bias=False)
        self.key = nn.Conv2d(self.channels, self.key_channels, 1, bias=False)
        self.value = nn.Conv2d(self.channels, self.value_channels, 1, bias=False)
        self.out = nn.Conv2d(self.value_channels, self.channels, 1, bias=False)
        self.gamma = nn.Parameter(torch.zeros(()))
        if spectral_norm:
            apply_spectral_norm(self)

    def _pool(self, h: Tensor) -> Tensor:
        """Return ``h`` max-pooled 2x2 (odd sides rounded up) when ``pooled``, flattened."""
        if self.pooled:
            h = F.max_pool2d(h, 2, ceil_mode=True)  # (N, c, ceil(H/2), ceil(W/2))
        return h.flatten(2)  # (N, c, M)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``x`` plus the gated attention output.

        Args:
            x: Feature maps of shape ``(N, C, H, W)``.

        Returns:
            Feature maps of the same shape.

        Raises:
            ValueError: If ``x`` does not have ``C`` channels and four dimensions.
        """
        check_shape(x, (None, self.channels, None, None), "x")
        n, _, h, w = x.shape
        q = self.query(x).flatten(2)  # (N, C_k, HW)
        k = self._pool(self.key(x))  # (N, C_k, M)
        v = self._pool(self.value(x))  # (N, C_v, M)
        attention = torch.softmax(q.transpose(1, 2) @ k, dim=-1)  # (N, HW, M)
        o = (v @ attention.transpose(1, 2)).reshape(n, self.value_channels, h, w)  # (N, C_v, H, W)
        return x + self.gamma * self.out(o)  # (N, C, H, W)

    def extra_repr(self) -> str:
        """Show the pooling (the layers show themselves)."""
        return f"pooled={self.pooled}"
