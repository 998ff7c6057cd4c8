"""Differentiable augmentations of the discriminator's input: DiffAugment and ADA.

An :class:`Augment` is a module ``x -> x'`` on image batches ``(N, C, H, W)``,
differentiable in ``x``, that the trainer applies to every batch the
discriminator sees (real and fake, in both players' updates); see
:mod:`gankit.augment.base` for the protocol. The transforms themselves are pure
functions of the images and explicit random draws, in
:mod:`gankit.augment.functional`.

Example:
    >>> import torch
    >>> from gankit.augment import DiffAugment, build_augment, list_augments
    >>> list_augments()
    ['AdaptiveAugment', 'DiffAugment']
    >>> augment = build_augment("DiffAugment", {"policy": "translation"})
    >>> augment(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 1, 8, 8])
"""

from gankit.augment._registry import (
    build_augment,
    get_augment_class,
    list_augments,
    register_augment,
)
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
    "build_augment",
    "color_transform",
    "contrast",
    "cutout",
    "get_augment_class",
    "list_augments",
    "register_augment",
    "saturation",
    "translate",
]
