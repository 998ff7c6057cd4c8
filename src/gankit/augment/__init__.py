"""Differentiable augmentations of the discriminator's input.

The transforms are pure functions of the images and explicit random draws, in
:mod:`gankit.augment.functional`.
"""

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
    "affine_resample",
    "blit",
    "brightness",
    "color_transform",
    "contrast",
    "cutout",
    "saturation",
    "translate",
]
