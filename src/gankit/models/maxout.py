"""Maxout units (Goodfellow et al. 2013), the discriminator layer of the GAN paper."""

from __future__ import annotations

from torch import Tensor, nn

from gankit._validation import check_positive_int, check_shape

__all__ = ["Maxout"]


class Maxout(nn.Module):
    r"""A fully connected maxout layer: each unit is the maximum of ``pieces`` affine maps.

    .. math::

        h_i(x) = \max_{j = 1}^{k} \left( x^\top W_{\cdot ij} + b_{ij} \right),
        \qquad i = 1, \dots, \text{out\_features}, \; k = \text{pieces}.

    The ``k`` pieces of all units come from one :class:`torch.nn.Linear` layer
    (``self.linear``) with ``out_features * pieces`` outputs; output ``i * k + j``
    of that layer is piece ``j`` of unit ``i``. Goodfellow et al.'s MNIST
    discriminator uses 240 units with 5 pieces; PacGAN's uses 200 with 5.

    Args:
        in_features: Size of each input sample.
        out_features: Number of maxout units.
        pieces: Number of affine pieces per unit, at least 2.
        bias: Whether the pieces have a bias.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If a size is below 1 or ``pieces`` below 2.

    Shape:
        - Input: ``(N, in_features)``.
        - Output: ``(N, out_features)``.

    Example:
        >>> import torch
        >>> layer = Maxout(4, 3, pieces=5)
        >>> layer(torch.randn(2, 4)).shape
        torch.Size([2, 3])
    """

    def __init__(self, in_features: int, out_features: int, pieces: int,
                 bias: bool = True) -> None:
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.pieces = check_positive_int(pieces, "pieces")
        if self.pieces < 2:
            raise ValueError(
                f"pieces must be at least 2 (one piece is a linear layer), got {pieces}"
            )
        self.linear = nn.Linear(self.in_features, self.out_features * self.pieces, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        """Return the maxout units of ``x``.

        Args:
            x: Input of shape ``(N, in_features)``.

        Returns:
            Units of shape ``(N, out_features)``.

        Raises:
            ValueError: If ``x`` does not have shape ``(N, in_features)``.
        """
        check_shape(x, (None, self.in_features), "x")
        pieces = self.linear(x).view(x.shape[0], self.out_features, self.pieces)  # (N, U, K)
        return pieces.max(dim=2).values  # (N, U)

    def extra_repr(self) -> str:
        """Describe the layer's sizes."""
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"pieces={self.pieces}"
        )
