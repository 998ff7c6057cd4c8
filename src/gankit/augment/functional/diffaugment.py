r"""DiffAugment's transforms (Zhao et al. 2020), with the random draws as arguments."""

from __future__ import annotations

import torch
from torch import Tensor

from gankit._validation import check_positive_int
from gankit.augment.functional._checks import check_images, gather, integer_draw, per_sample

__all__ = ["brightness", "contrast", "cutout", "saturation", "translate"]


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
    check_images(x)
    return x + per_sample(shift, x, "shift").to(x).view(-1, 1, 1, 1)


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
    check_images(x)
    mean = x.mean(dim=1, keepdim=True)  # (N, 1, H, W)
    return mean + (x - mean) * per_sample(factor, x, "factor").to(x).view(-1, 1, 1, 1)


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
    check_images(x)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)  # (N, 1, 1, 1)
    return mean + (x - mean) * per_sample(factor, x, "factor").to(x).view(-1, 1, 1, 1)


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
    check_images(x)
    n, _, h, w = x.shape
    shift = integer_draw(shift, x, "shift", 2)
    rows = torch.arange(h, device=x.device).view(1, h, 1) - shift[:, :1, None]  # (N, H, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) - shift[:, None, 1:]  # (N, 1, W)
    inside = ((rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)).unsqueeze(1)  # (N, 1, H, W)
    rows, cols = rows.clamp(0, h - 1).expand(n, h, w), cols.clamp(0, w - 1).expand(n, h, w)
    return torch.where(inside, gather(x, rows, cols), 0.0)


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
    check_images(x)
    _, _, h, w = x.shape
    top_left = integer_draw(top_left, x, "top_left", 2)
    sizes = (size, size) if isinstance(size, int) else size
    if not isinstance(sizes, (tuple, list)) or len(sizes) != 2:
        raise TypeError(f"size must be an int or a pair of ints (h, w), got {size!r}")
    size_h, size_w = (check_positive_int(s, "each size in size") for s in sizes)
    rows = torch.arange(h, device=x.device).view(1, h, 1) - top_left[:, :1, None]  # (N, H, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) - top_left[:, None, 1:]  # (N, 1, W)
    hole = (rows >= 0) & (rows < size_h) & (cols >= 0) & (cols < size_w)  # (N, H, W)
    return torch.where(hole.unsqueeze(1), 0.0, x)
