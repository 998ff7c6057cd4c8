r"""Private: ADA's geometric and colour matrices, built from per-sample parameters.

Both follow the composition of StyleGAN2-ADA's augmentation pipeline (Karras
et al. 2020): the geometric matrix maps output to input coordinates, the
colour matrix acts on each pixel's channel vector. Identity parameters (scale
1, angle 0, shift 0, factor 1, no flip) give the identity matrix.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["color_affine", "geometric_theta"]


def _rotation(angle: Tensor) -> Tensor:
    """Counter-clockwise 2-D rotations, shape ``(N, 2, 2)``."""
    cos, sin = torch.cos(angle), torch.sin(angle)
    return torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)


def _scaling(sx: Tensor, sy: Tensor) -> Tensor:
    """Diagonal 2-D scalings, shape ``(N, 2, 2)``."""
    return torch.diag_embed(torch.stack([sx, sy], -1))


def geometric_theta(
    scale: Tensor, angle: Tensor, aniso: Tensor, angle_after: Tensor, shift: Tensor
) -> Tensor:
    r"""The sampling matrices of ADA's geometric group, for :func:`affine_resample`.

    .. math::

        [u_{in}] = S(s)\,R(\alpha)\,S(a, 1/a)\,R(\beta)\,([u_{out}] + 2t)

    in normalised coordinates (the image spans :math:`[-1, 1]`, so a shift
    :math:`t` in image widths is :math:`2t` there).

    Args:
        scale: Isotropic scales :math:`s`, shape ``(N,)``.
        angle: The first rotation angle :math:`\alpha` in radians, ``(N,)``.
        aniso: Anisotropic scales :math:`a`, ``(N,)``.
        angle_after: The second rotation angle :math:`\beta`, ``(N,)``.
        shift: Fractional shifts :math:`t` (columns, rows) in image sizes, ``(N, 2)``.

    Returns:
        The matrices ``[A | A·2t]``, shape ``(N, 2, 3)``.
    """
    linear = _scaling(scale, scale) @ _rotation(angle) @ _scaling(aniso, 1.0 / aniso)
    linear = linear @ _rotation(angle_after)  # (N, 2, 2)
    offset = linear @ (2.0 * shift).unsqueeze(-1)  # (N, 2, 1)
    return torch.cat([linear, offset], dim=-1)


def color_affine(
    channels: int,
    brightness: Tensor,
    contrast: Tensor,
    lumaflip: Tensor,
    hue: Tensor,
    saturation: Tensor,
) -> tuple[Tensor, Tensor]:
    r"""The per-pixel affine maps of ADA's colour group, for :func:`color_transform`.

    With the luma axis :math:`v = \mathbf{1}/\sqrt{C}` and :math:`P = vv^\top`, the
    map is, applied right to left,

    .. math::

        \underbrace{(P + s(I - P))}_{\text{saturation}}\;
        \underbrace{R_v(\theta)}_{\text{hue}}\;
        \underbrace{(I - 2fP)}_{\text{luma flip}}\;
        \underbrace{c\,(x + b)}_{\text{contrast, brightness}}

    The hue rotation about :math:`v` exists for ``channels == 3`` only and is
    left out otherwise. With one channel, :math:`P = 1`: the luma flip negates
    the image and saturation is the identity, as in ADA's code for grey images.

    Args:
        channels: The number of channels :math:`C`.
        brightness: Offsets :math:`b`, shape ``(N,)``.
        contrast: Factors :math:`c`, ``(N,)``.
        lumaflip: 0 or 1 per sample, :math:`f`, ``(N,)``.
        hue: Hue angles :math:`\theta` in radians, ``(N,)``.
        saturation: Factors :math:`s`, ``(N,)``.

    Returns:
        The matrices, shape ``(N, C, C)``, and offsets, ``(N, C)``.
    """
    n, like = brightness.shape[0], brightness
    eye = torch.eye(channels, dtype=like.dtype, device=like.device).expand(n, -1, -1)
    proj = torch.full((channels, channels), 1.0 / channels, dtype=like.dtype,
                      device=like.device).expand(n, -1, -1)  # (N, C, C)
    matrix = contrast.view(n, 1, 1) * eye
    offset = (contrast * brightness).view(n, 1).expand(n, channels)  # (N, C)
    steps = [eye - 2.0 * lumaflip.view(n, 1, 1) * proj]
    if channels == 3:
        v = torch.full((3,), 1.0 / math.sqrt(3.0), dtype=like.dtype, device=like.device)
        cross = torch.tensor([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]],
                             dtype=like.dtype, device=like.device) * v[0]  # [v]_x
        cos, sin = torch.cos(hue).view(n, 1, 1), torch.sin(hue).view(n, 1, 1)
        steps.append(cos * eye + sin * cross + (1.0 - cos) * proj)  # Rodrigues
    steps.append(proj + saturation.view(n, 1, 1) * (eye - proj))
    for step in steps:
        matrix = step @ matrix
        offset = (step @ offset.unsqueeze(-1)).squeeze(-1)
    return matrix, offset
