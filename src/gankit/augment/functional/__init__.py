r"""Pure, differentiable image transforms ``(images, draws) -> images``.

Every function takes its random draws as explicit arguments, one per sample,
so that a test (or a user) can pass fixed values; the augmentation modules
(:class:`~gankit.augment.DiffAugment`, :class:`~gankit.augment.AdaptiveAugment`)
draw them from the global torch RNG and call these functions.

:mod:`~gankit.augment.functional.diffaugment` holds DiffAugment's operations
(Zhao et al. 2020), :mod:`~gankit.augment.functional.ada` the building blocks of
adaptive augmentation (Karras et al. 2020); both are re-exported here. gankit's
images lie in :math:`[-1, 1]`; none of the functions clamps its output, and the
colour transforms act around 0 (mid grey) or the image's own mean, as in both
papers' code, which also trains on :math:`[-1, 1]` data.

Every function is differentiable in ``x`` (the integer draws are not
differentiable and need not be): translations and blits move gradients back
to the source pixels, and pixels filled with zeros receive none.
"""

from gankit.augment.functional.ada import affine_resample, blit, color_transform
from gankit.augment.functional.diffaugment import (
    brightness,
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
