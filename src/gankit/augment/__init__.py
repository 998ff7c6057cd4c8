"""Differentiable augmentations of the discriminator's input: DiffAugment and ADA.

An :class:`Augment` is a module ``x -> x'`` on image batches ``(N, C, H, W)``,
differentiable in ``x``, that the trainer applies to every batch the
discriminator sees (real and fake, in both players' updates); see
:mod:`gankit.augment.base` for the protocol. The transforms themselves are pure
functions of the images and explicit random draws, in
:mod:`gankit.augment.functional`.
"""

from gankit.augment.adaptive import AdaptiveAugment
from gankit.augment.base import Augment
from gankit.augment.diffaugment import POLICIES, DiffAugment
from gankit.augment.functional import (
    affine_resample,
    blit,
    brightness,
    color_transform,
    contrast,
    cutout,
    saturation,
    translate,
)

__all__ = [
    "POLICIES",
    "AdaptiveAugment",
    "Augment",
    "DiffAugment",
    "affine_resample",
    "blit",
    "brightness",
    "color_transform",
    "contrast",
    "cutout",
    "saturation",
    "translate",
]
