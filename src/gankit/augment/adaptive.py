r"""Adaptive discriminator augmentation, ADA (Karras et al. 2020).

A fixed pipeline of transforms that do not *leak* (the generator cannot learn
to produce augmented images, since each transform is applied with probability
:math:`p < 1` and the distribution of augmented images still determines the
original one), with a strength :math:`p` that a feedback loop adjusts: the
overfitting heuristic :math:`r_t = \mathbb{E}[\operatorname{sign} D(x_{real})]`
is held near a target.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import torch
from torch import Tensor

from gankit._validation import (
    check_batch_logits,
    check_fraction,
    check_positive_float,
    check_positive_int,
)
from gankit.augment._matrices import color_affine, geometric_theta
from gankit.augment.base import Augment
from gankit.augment.functional import (
    affine_resample,
    blit,
    color_transform,
)
from gankit.augment.functional._checks import check_images

__all__ = ["AdaptiveAugment"]

# The strengths of ADA's "bgc" pipeline (StyleGAN2-ADA's defaults).
_INT_SHIFT = 0.125  # integer translation: up to 1/8 of the size each way
_SCALE_STD = 0.2  # isotropic scaling: 2^N(0, 0.2²)
_ANISO_STD = 0.2  # anisotropic scaling: 2^N(0, 0.2²)
_FRAC_STD = 0.125  # fractional translation: N(0, 0.125²) image sizes
_BRIGHTNESS_STD = 0.2  # brightness: + N(0, 0.2²)
_CONTRAST_STD = 0.5  # contrast: × 2^N(0, 0.5²)
_SATURATION_STD = 1.0  # saturation: × 2^N(0, 1)


class AdaptiveAugment(Augment):
    r"""ADA: non-leaking augmentations with a strength adjusted from ``D(real)``.

    Each transform is applied to each sample independently with probability
    :math:`p` (the two rotations with :math:`1 - \sqrt{1 - p}` each, so that
    some rotation happens with probability :math:`p`), in this order:

    ===========  ==================================================================
    blit         x-flip; rotation by a random multiple of 90°; integer translation
                 by up to 1/8 of the size (:func:`~gankit.augment.functional.blit`,
                 exact, mirrored borders)
    geometric    isotropic scaling by :math:`2^{N(0, 0.2^2)}`; rotation by
                 :math:`U(-\pi, \pi)`; anisotropic scaling by :math:`2^{N(0, 0.2^2)}`;
                 rotation; fractional translation by :math:`N(0, 0.125^2)` sizes
                 (composed into one bilinear resampling with reflection padding,
                 :func:`~gankit.augment.functional.affine_resample`)
    colour       brightness :math:`+N(0, 0.2^2)`; contrast :math:`\times 2^{N(0, 0.5^2)}`;
                 luma flip; hue rotation by :math:`U(-\pi, \pi)`; saturation
                 :math:`\times 2^{N(0, 1)}`
                 (:func:`~gankit.augment.functional.color_transform`)
    ===========  ==================================================================

    These are the "bgc" pipeline and strengths of StyleGAN2-ADA; gankit resamples
    without ADA's 2× anti-aliasing filter. The colour transforms act around 0,
    the mid grey of gankit's :math:`[-1, 1]` images. Hue rotation exists only for
    3-channel images and is skipped for others; on 1-channel images the luma
    flip negates the image and saturation does nothing (ADA's code does the same
    for grey images). A sample that no transform picked is returned bit for bit, so
    :math:`p = 0` is the identity; every forward pass makes the same random draws
    whatever :math:`p` is.

    The trainer calls :meth:`observe` after each discriminator update with
    ``D(augment(real))``. Every ``interval`` calls, with :math:`r_t` the mean of
    the signs observed since the last adjustment and :math:`n` the number of
    logits observed,

    .. math::

        p \leftarrow \operatorname{clip}\!\left(p + \operatorname{sign}(r_t - r_{target})
            \cdot \frac{n}{1000 \cdot \texttt{speed\_kimg}},\ 0,\ p_{max}\right),

    so :math:`p` can rise from 0 to 1 within ``speed_kimg`` thousand images. The
    accumulators and :math:`p` are float64 buffers, saved by :meth:`state_dict`.
    In a data-parallel run each process observes only its own logits.

    Args:
        target: The target :math:`r_{target}` of the heuristic (0.6 in the paper);
            ``None`` keeps :math:`p` fixed.
        speed_kimg: Thousands of images for :math:`p` to move by 1 (500 in the paper).
        interval: Discriminator updates between adjustments (4 in the paper).
        p: The initial probability.
        max_p: The largest :math:`p` the adjustment may reach.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``target``, ``p`` or ``max_p`` lies outside ``[0, 1]``,
            ``p > max_p``, or ``speed_kimg`` or ``interval`` is not positive.

    Shape:
        - Input: ``(N, C, H, H)`` (square images, for the 90° rotations).
        - Output: ``(N, C, H, H)``.

    Example:
        >>> import torch
        >>> ada = AdaptiveAugment(interval=1, speed_kimg=0.1)
        >>> ada.observe(torch.tensor([1.0, 2.0, -1.0, 3.0]))  # r_t = 0.5 < 0.6
        >>> ada.log_metrics()
        {'augment/p': 0.0}
        >>> ada.observe(torch.tensor([1.0, 2.0, 1.0, 3.0]))  # r_t = 1: p += 4 / 100
        >>> ada.log_metrics()
        {'augment/p': 0.04}
        >>> x = torch.rand(4, 3, 8, 8)
        >>> AdaptiveAugment(p=0.0)(x).equal(x)
        True
    """

    config_keys: ClassVar[tuple[str, ...]] = ("target", "speed_kimg", "interval", "p", "max_p")

    p: Tensor
    rt: Tensor
    sign_sum: Tensor
    seen: Tensor
    calls: Tensor

    def __init__(
        self,
        target: float | None = 0.6,
        speed_kimg: float = 500.0,
        interval: int = 4,
        p: float = 0.0,
        max_p: float = 1.0,
    ) -> None:
        super().__init__()
        closed = {"open_low": False, "closed_high": True}
        self.target = None if target is None else check_fraction(target, "target", **closed)
        self.speed_kimg = check_positive_float(speed_kimg, "speed_kimg")
        self.interval = check_positive_int(interval, "interval")
        self.max_p = check_fraction(max_p, "max_p", **closed)
        self.initial_p = check_fraction(p, "p", **closed)
        if self.initial_p > self.max_p:
            raise ValueError(f"p must be at most max_p = {self.max_p}, got {self.initial_p}")
        f64 = torch.float64
        self.register_buffer("p", torch.tensor(self.initial_p, dtype=f64))
        self.register_buffer("rt", torch.tensor(math.nan, dtype=f64))  # the last r_t
        self.register_buffer("sign_sum", torch.zeros((), dtype=f64))  # since the last update
        self.register_buffer("seen", torch.zeros((), dtype=f64))  # logits since then
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))  # observe() since then

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, with the *initial* ``p`` (the current one is a buffer).

        Example:
            >>> AdaptiveAugment(p=0.2).get_config()["p"]
            0.2
        """
        return {"target": self.target, "speed_kimg": self.speed_kimg,
                "interval": self.interval, "p": self.initial_p, "max_p": self.max_p}

    def observe(self, real_logits: Tensor) -> None:
        """Accumulate ``sign(D(real))``; every ``interval`` calls, adjust ``p``.

        Args:
            real_logits: ``D(augment(real))`` of one discriminator update, ``(N,)``.

        Raises:
            TypeError: If ``real_logits`` is not a floating-point tensor.
            ValueError: If it is not of shape ``(N,)`` with ``N >= 1``.
        """
        check_batch_logits(real_logits, "real_logits")
        if self.target is None:
            return
        with torch.no_grad():
            signs = torch.sign(real_logits.detach()).to(self.sign_sum)
            self.sign_sum += signs.sum()
            self.seen += real_logits.shape[0]
            self.calls += 1
            if int(self.calls) < self.interval:
                return
            self.rt.copy_(self.sign_sum / self.seen)
            step = torch.sign(self.rt - self.target) * self.seen / (self.speed_kimg * 1000.0)
            self.p.copy_((self.p + step).clamp(0.0, self.max_p))
            for buffer in (self.sign_sum, self.seen, self.calls):
                buffer.zero_()

    def log_metrics(self) -> dict[str, float]:
        """``{"augment/p": p}``, the current probability."""
        return {"augment/p": float(self.p)}

    def forward(self, x: Tensor) -> Tensor:
        """Apply each transform to each sample of ``x`` with probability ``p``.

        Raises:
            TypeError: If ``x`` is not a floating-point tensor.
            ValueError: If ``x`` is not of shape ``(N, C, H, H)``.
        """
        check_images(x)
        n, c, h, w = x.shape
        if h != w:
            raise ValueError(f"AdaptiveAugment needs square images (N, C, H, H) for its 90° "
                             f"rotations, got {tuple(x.shape)}")
        p = float(self.p)
        p_rot = 1.0 - math.sqrt(max(1.0 - p, 0.0))
        dev = x.device
        dt = x.dtype if x.dtype in (torch.float32, torch.float64) else torch.float32

        def picked(prob: float) -> Tensor:  # (N,) bools, each True with probability prob
            return torch.rand(n, device=dev) < prob

        def uniform(scale: float) -> Tensor:  # (N,) from U(-scale, scale)
            return (torch.rand(n, device=dev, dtype=dt) * 2.0 - 1.0) * scale

        def log2_normal(std: float) -> Tensor:  # (N,) from 2^N(0, std²)
            return torch.exp2(torch.randn(n, device=dev, dtype=dt) * std)

        # Blit: flip, quarter turns, integer shift (drawn in that order, always).
        flip = picked(p) & (torch.rand(n, device=dev) < 0.5)
        turns = torch.where(picked(p), torch.randint(0, 4, (n,), device=dev), 0)
        on = picked(p).view(n, 1)
        shift = torch.round((torch.rand(n, 2, device=dev) * 2.0 - 1.0) * _INT_SHIFT * h)
        shift = torch.where(on, shift, 0.0).long()
        blitted = flip | (turns != 0) | (shift != 0).any(1)
        # Geometric: scale, rotate, anisotropic scale, rotate, fractional shift.
        on_geo = [picked(p), picked(p_rot), picked(p), picked(p_rot), picked(p)]
        one, zero = torch.ones((), dtype=dt, device=dev), torch.zeros((), dtype=dt, device=dev)
        scale = torch.where(on_geo[0], log2_normal(_SCALE_STD), one)
        angle = torch.where(on_geo[1], uniform(math.pi), zero)
        aniso = torch.where(on_geo[2], log2_normal(_ANISO_STD), one)
        angle_after = torch.where(on_geo[3], uniform(math.pi), zero)
        frac = torch.where(on_geo[4].view(n, 1),
                           torch.randn(n, 2, device=dev, dtype=dt) * _FRAC_STD, zero)
        # Colour: brightness, contrast, luma flip, hue, saturation.
        on_col = [picked(p) for _ in range(5)]
        bright = torch.where(on_col[0], torch.randn(n, device=dev, dtype=dt) * _BRIGHTNESS_STD,
                             zero)
        contr = torch.where(on_col[1], log2_normal(_CONTRAST_STD), one)
        luma = (on_col[2] & (torch.rand(n, device=dev) < 0.5)).to(dt)
        hue = torch.where(on_col[3], uniform(math.pi), zero)
        sat = torch.where(on_col[4], log2_normal(_SATURATION_STD), one)
        on_col[2] = luma.bool()  # a picked luma flip may still not flip
        if c != 3:
            on_col[3] = torch.zeros_like(on_col[3])  # no hue rotation to apply
        if c == 1:
            on_col[4] = torch.zeros_like(on_col[4])  # saturation leaves grey unchanged

        if bool(blitted.any()):
            x = blit(x, flip, turns, shift)
        moved = torch.stack(on_geo).any(0).nonzero().squeeze(1)  # (M,) sample indices
        if moved.numel():
            theta = geometric_theta(scale, angle, aniso, angle_after, frac)[moved]
            x = x.index_copy(0, moved, affine_resample(x[moved], theta))
        recoloured = torch.stack(on_col).any(0).nonzero().squeeze(1)
        if recoloured.numel():
            matrix, offset = color_affine(c, bright, contr, luma, hue, sat)
            x = x.index_copy(0, recoloured, color_transform(
                x[recoloured], matrix[recoloured], offset[recoloured]))
        return x
