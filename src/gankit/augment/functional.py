r"""Pure, differentiable image transforms ``(images, draws) -> images``.

Every function takes its random draws as explicit arguments, one per sample,
so that a test (or a user) can pass fixed values; the augmentation modules
(:class:`~gankit.augment.DiffAugment`, :class:`~gankit.augment.AdaptiveAugment`)
draw them from the global torch RNG and call these functions.

The first five are DiffAugment's operations (Zhao et al. 2020), the last three
the building blocks of adaptive augmentation (Karras et al. 2020). gankit's
images lie in :math:`[-1, 1]`; none of the functions clamps its output, and the
colour transforms act around 0 (mid grey) or the image's own mean, as in both
papers' code, which also trains on :math:`[-1, 1]` data.

Every function is differentiable in ``x`` (the integer draws are not
differentiable and need not be): translations and blits move gradients back
to the source pixels, and pixels filled with zeros receive none.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from gankit._validation import check_positive_int, check_shape

__all__ = [
    "affine_resample",
    "blit",
    "brightness",
    "color_transform",
    "contrast",
    "cutout",
    "saturation",
    "translate",
]


def _check_images(x: Tensor, name: str = "x") -> None:
    """A floating-point image batch of shape ``(N, C, H, W)``."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 4:
        raise ValueError(f"{name} must be a batch of images of shape (N, C, H, W), got "
                         f"{tuple(x.shape)}")
    if not torch.is_floating_point(x):
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")


def _per_sample(draw: Tensor, x: Tensor, name: str, width: int | None = None) -> Tensor:
    """Check one draw per sample, shape ``(N,)`` or, with ``width``, ``(N, width)``."""
    expected = (x.shape[0],) if width is None else (x.shape[0], width)
    if not isinstance(draw, Tensor) or tuple(draw.shape) != expected:
        got = tuple(draw.shape) if isinstance(draw, Tensor) else type(draw).__name__
        raise ValueError(f"{name} must have shape {expected} (one per sample), got {got}")
    return draw


def _integer_draw(draw: Tensor, x: Tensor, name: str, width: int | None = None) -> Tensor:
    """Like :func:`_per_sample`, for integer draws (returned as int64 on ``x``'s device)."""
    _per_sample(draw, x, name, width)
    if draw.is_floating_point() or draw.is_complex() or draw.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor, got dtype {draw.dtype}")
    return draw.to(device=x.device, dtype=torch.long)


def _gather(x: Tensor, rows: Tensor, cols: Tensor) -> Tensor:
    """``x[n, :, rows[n, i, j], cols[n, i, j]]``, for in-range indices of shape ``(N, H, W)``."""
    n, c, h, w = x.shape
    index = (rows * w + cols).reshape(n, 1, h * w).expand(n, c, h * w)  # (N, C, H·W)
    return x.reshape(n, c, h * w).gather(2, index).reshape(n, c, h, w)


def brightness(x: Tensor, shift: Tensor) -> Tensor:
    r"""Add one constant per sample: DiffAugment's brightness, :math:`x_i + b_i`.

    DiffAugment draws :math:`b_i \sim U(-0.5, 0.5)`.

    Args:
        x: Images.
        shift: The constants :math:`b_i`.

    Returns:
        The brightened images.

    Shape:
        - x: ``(N, C, H, W)``; shift: ``(N,)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> brightness(torch.zeros(2, 1, 1, 1), torch.tensor([0.25, -0.5])).flatten().tolist()
        [0.25, -0.5]
    """
    _check_images(x)
    return x + _per_sample(shift, x, "shift").to(x).view(-1, 1, 1, 1)


def saturation(x: Tensor, factor: Tensor) -> Tensor:
    r"""Scale each pixel's distance from its channel mean: DiffAugment's saturation.

    .. math::

        y_{icuv} = \bar{x}_{iuv} + s_i\,(x_{icuv} - \bar{x}_{iuv}),
        \qquad \bar{x}_{iuv} = \tfrac{1}{C} \textstyle\sum_c x_{icuv}.

    DiffAugment draws :math:`s_i \sim U(0, 2)`. A one-channel image equals its
    channel mean, so saturation leaves it unchanged.

    Args:
        x: Images.
        factor: The factors :math:`s_i` (0 gives grey, 1 the identity).

    Returns:
        The transformed images.

    Shape:
        - x: ``(N, C, H, W)``; factor: ``(N,)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> x = torch.tensor([1.0, -1.0, 0.0]).view(1, 3, 1, 1)
        >>> saturation(x, torch.tensor([0.5])).flatten().tolist()
        [0.5, -0.5, 0.0]
    """
    _check_images(x)
    mean = x.mean(dim=1, keepdim=True)  # (N, 1, H, W)
    return mean + (x - mean) * _per_sample(factor, x, "factor").to(x).view(-1, 1, 1, 1)


def contrast(x: Tensor, factor: Tensor) -> Tensor:
    r"""Scale each pixel's distance from the image's mean: DiffAugment's contrast.

    .. math::

        y_{icuv} = \bar{x}_i + s_i\,(x_{icuv} - \bar{x}_i),
        \qquad \bar{x}_i = \tfrac{1}{CHW} \textstyle\sum_{c,u,v} x_{icuv}.

    DiffAugment draws :math:`s_i \sim U(0.5, 1.5)`.

    Args:
        x: Images.
        factor: The factors :math:`s_i`.

    Returns:
        The transformed images.

    Shape:
        - x: ``(N, C, H, W)``; factor: ``(N,)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> x = torch.tensor([2.0, 0.0, 0.0, 2.0]).view(1, 1, 2, 2)  # mean 1
        >>> contrast(x, torch.tensor([0.5])).flatten().tolist()
        [1.5, 0.5, 0.5, 1.5]
    """
    _check_images(x)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)  # (N, 1, 1, 1)
    return mean + (x - mean) * _per_sample(factor, x, "factor").to(x).view(-1, 1, 1, 1)


def translate(x: Tensor, shift: Tensor) -> Tensor:
    r"""Shift each image by whole pixels, filling with zeros: DiffAugment's translation.

    .. math::

        y_{icuv} = \begin{cases} x_{ic(u - a_i)(v - b_i)} & \text{inside the image} \\
            0 & \text{otherwise} \end{cases}

    so a positive :math:`a_i` moves the content down and a positive :math:`b_i`
    to the right. DiffAugment draws :math:`a_i` and :math:`b_i` uniformly from
    the integers in :math:`[-\lfloor H/8 + 1/2 \rfloor, \lfloor H/8 + 1/2 \rfloor]`
    (and :math:`W` for :math:`b_i`); its code indexes the other way round, which
    is the same distribution.

    Args:
        x: Images.
        shift: The integer shifts ``(a_i, b_i)``, in rows and columns.

    Returns:
        The shifted images.

    Raises:
        TypeError: If ``shift`` is not an integer tensor.
        ValueError: If ``x`` is not ``(N, C, H, W)`` or ``shift`` not ``(N, 2)``.

    Shape:
        - x: ``(N, C, H, W)``; shift: ``(N, 2)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> translate(torch.tensor([[[[1.0, 2.0, 3.0]]]]), torch.tensor([[0, 1]]))
        tensor([[[[0., 1., 2.]]]])
    """
    _check_images(x)
    n, _, h, w = x.shape
    shift = _integer_draw(shift, x, "shift", 2)
    rows = torch.arange(h, device=x.device).view(1, h, 1) - shift[:, :1, None]  # (N, H, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) - shift[:, None, 1:]  # (N, 1, W)
    inside = ((rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)).unsqueeze(1)  # (N, 1, H, W)
    rows, cols = rows.clamp(0, h - 1).expand(n, h, w), cols.clamp(0, w - 1).expand(n, h, w)
    return torch.where(inside, _gather(x, rows, cols), 0.0)


def cutout(x: Tensor, top_left: Tensor, size: int | tuple[int, int]) -> Tensor:
    r"""Zero one rectangle per image: DiffAugment's cutout.

    Sample :math:`i` is zeroed on rows :math:`[t_i, t_i + h)` and columns
    :math:`[l_i, l_i + w)`, clipped to the image (corners may lie outside).
    DiffAugment cuts a square of half the image size,
    :math:`h = \lfloor H/2 + 1/2 \rfloor`, centred on a uniformly drawn pixel
    :math:`c_i \in \{0, \dots, H - (h \bmod 2)\}`, i.e.
    :math:`t_i = c_i - \lfloor h/2 \rfloor`, and likewise for the columns.

    Args:
        x: Images.
        top_left: The integer corners ``(t_i, l_i)``.
        size: The rectangle's ``(h, w)``, or one int for a square.

    Returns:
        The images with the rectangles zeroed; their gradient is 0 there.

    Raises:
        TypeError: If ``top_left`` is not an integer tensor or ``size`` not ints.
        ValueError: If a shape is wrong or a size is below 1.

    Shape:
        - x: ``(N, C, H, W)``; top_left: ``(N, 2)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> cutout(torch.ones(1, 1, 3, 3), torch.tensor([[1, -1]]), 2)
        tensor([[[[1., 1., 1.],
                  [0., 1., 1.],
                  [0., 1., 1.]]]])
    """
    _check_images(x)
    _, _, h, w = x.shape
    top_left = _integer_draw(top_left, x, "top_left", 2)
    sizes = (size, size) if isinstance(size, int) else size
    if not isinstance(sizes, (tuple, list)) or len(sizes) != 2:
        raise TypeError(f"size must be an int or a pair of ints (h, w), got {size!r}")
    size_h, size_w = (check_positive_int(s, "each size in size") for s in sizes)
    rows = torch.arange(h, device=x.device).view(1, h, 1) - top_left[:, :1, None]  # (N, H, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) - top_left[:, None, 1:]  # (N, 1, W)
    hole = (rows >= 0) & (rows < size_h) & (cols >= 0) & (cols < size_w)  # (N, H, W)
    return torch.where(hole.unsqueeze(1), 0.0, x)


def _reflect(index: Tensor, size: int) -> Tensor:
    """Fold integer indices into ``[0, size)`` by mirroring about the end pixels."""
    if size == 1:
        return torch.zeros_like(index)
    period = 2 * (size - 1)
    folded = torch.remainder(index, period)
    return torch.where(folded < size, folded, period - folded)


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
    _check_images(x)
    n, _, h, w = x.shape
    if h != w:
        raise ValueError(f"blit needs square images (N, C, H, H), got {tuple(x.shape)}")
    flip = _integer_draw(flip.long() if flip.dtype == torch.bool else flip, x, "flip").bool()
    turns = torch.remainder(_integer_draw(quarter_turns, x, "quarter_turns"), 4).view(n, 1, 1)
    shift = _integer_draw(shift, x, "shift", 2)
    last = h - 1
    # Work back from each output pixel to its source: undo the shift, the turns, the flip.
    a = _reflect(torch.arange(h, device=x.device).view(1, h, 1) - shift[:, :1, None], h)
    b = _reflect(torch.arange(w, device=x.device).view(1, 1, w) - shift[:, None, 1:], w)
    a, b = a.expand(n, h, w), b.expand(n, h, w)  # (N, H, W) each
    rows = torch.where(turns == 0, a, torch.where(turns == 1, b,
                       torch.where(turns == 2, last - a, last - b)))
    cols = torch.where(turns == 0, b, torch.where(turns == 1, last - a,
                       torch.where(turns == 2, last - b, a)))
    cols = torch.where(flip.view(n, 1, 1), last - cols, cols)
    return _gather(x, rows, cols)


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
    _check_images(x)
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
    _check_images(x)
    n, c = x.shape[:2]
    check_shape(matrix, (n, c, c), "matrix")
    check_shape(offset, (n, c), "offset")
    out = torch.einsum("nck,nkhw->nchw", matrix.to(x), x)
    return out + offset.to(x).view(n, c, 1, 1)
