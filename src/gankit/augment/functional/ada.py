r"""The building blocks of adaptive augmentation (Karras et al. 2020): blit, resample, recolour."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from gankit._validation import check_shape
from gankit.augment.functional._checks import check_images, gather, integer_draw, reflect

__all__ = ["affine_resample", "blit", "color_transform"]


def blit(x: Tensor, flip: Tensor, quarter_turns: Tensor, shift: Tensor) -> Tensor:
    r"""ADA's pixel blitting: x-flip, then 90° rotations, then an integer shift.

    Sample :math:`i` is mirrored left to right if ``flip[i]``, rotated
    counter-clockwise by ``quarter_turns[i]`` quarter turns (as
    :func:`torch.rot90` over the last two dimensions), and shifted by
    ``shift[i]`` rows and columns as in :func:`translate`, except that the
    pixels moved in come from the image mirrored about its border pixels
    (``"reflect"`` padding) instead of zeros. Every output pixel is a copy of
    an input pixel, so the result is exact.

    Args:
        x: Square images.
        flip: Whether to mirror each sample (bools or 0/1).
        quarter_turns: The number of quarter turns (any integer; taken mod 4).
        shift: The integer shifts in rows and columns.

    Returns:
        The transformed images.

    Raises:
        ValueError: If the images are not square, or a draw has the wrong shape.
        TypeError: If a draw is not an integer (or bool, for ``flip``) tensor.

    Shape:
        - x: ``(N, C, H, H)``; flip, quarter_turns: ``(N,)``; shift: ``(N, 2)``.
        - Output: ``(N, C, H, H)``.

    Example:
        >>> import torch
        >>> x = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
        >>> blit(x, torch.tensor([True]), torch.tensor([1]), torch.tensor([[0, 0]]))
        tensor([[[[0., 2.],
                  [1., 3.]]]])
    """
    check_images(x)
    n, _, h, w = x.shape
    if h != w:
        raise ValueError(f"blit needs square images (N, C, H, H), got {tuple(x.shape)}")
    flip = integer_draw(flip.long() if flip.dtype == torch.bool else flip, x, "flip").bool()
    turns = torch.remainder(integer_draw(quarter_turns, x, "quarter_turns"), 4).view(n, 1, 1)
    shift = integer_draw(shift, x, "shift", 2)
    last = h - 1
    # Work back from each output pixel to its source: undo the shift, the turns, the flip.
    a = reflect(torch.arange(h, device=x.device).view(1, h, 1) - shift[:, :1, None], h)
    b = reflect(torch.arange(w, device=x.device).view(1, 1, w) - shift[:, None, 1:], w)
    a, b = a.expand(n, h, w), b.expand(n, h, w)  # (N, H, W) each
    rows = torch.where(turns == 0, a, torch.where(turns == 1, b,
                       torch.where(turns == 2, last - a, last - b)))
    cols = torch.where(turns == 0, b, torch.where(turns == 1, last - a,
                       torch.where(turns == 2, last - b, a)))
    cols = torch.where(flip.view(n, 1, 1), last - cols, cols)
    return gather(x, rows, cols)


def affine_resample(x: Tensor, theta: Tensor) -> Tensor:
    r"""Resample each image through an affine map, bilinearly, with reflection padding.

    Output pixel :math:`u` (in normalised coordinates, :math:`[-1, 1]` across
    the image, :func:`torch.nn.functional.affine_grid`'s convention with
    ``align_corners=False``) takes the input's value at :math:`\theta_i\,[u; 1]`;
    points outside the image are mirrored back in. This executes ADA's
    geometric transforms (scaling, rotation, fractional translation) in one pass.

    Args:
        x: Images.
        theta: One ``2 × 3`` matrix per sample, from output to input coordinates.

    Returns:
        The resampled images.

    Shape:
        - x: ``(N, C, H, W)``; theta: ``(N, 2, 3)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> x = torch.arange(4.0).view(1, 1, 2, 2)
        >>> half_turn = torch.tensor([[[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]])
        >>> affine_resample(x, half_turn).flatten().tolist()
        [3.0, 2.0, 1.0, 0.0]
    """
    check_images(x)
    check_shape(theta, (x.shape[0], 2, 3), "theta")
    grid = F.affine_grid(theta.to(x), list(x.shape), align_corners=False)  # (N, H, W, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection",
                         align_corners=False)


def color_transform(x: Tensor, matrix: Tensor, offset: Tensor) -> Tensor:
    r"""Map each pixel's channel vector through an affine map: ADA's colour transforms.

    .. math::

        y_{i\cdot uv} = M_i\, x_{i\cdot uv} + t_i

    Args:
        x: Images.
        matrix: One ``C × C`` matrix :math:`M_i` per sample.
        offset: One offset vector :math:`t_i` per sample.

    Returns:
        The transformed images.

    Shape:
        - x: ``(N, C, H, W)``; matrix: ``(N, C, C)``; offset: ``(N, C)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> x = torch.tensor([1.0, -1.0]).view(1, 2, 1, 1)
        >>> swap = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])
        >>> color_transform(x, swap, torch.tensor([[0.5, 0.0]])).flatten().tolist()
        [-0.5, 1.0]
    """
    check_images(x)
    n, c = x.shape[:2]
    check_shape(matrix, (n, c, c), "matrix")
    check_shape(offset, (n, c), "offset")
    out = torch.einsum("nck,nkhw->nchw", matrix.to(x), x)
    return out + offset.to(x).view(n, c, 1, 1)
