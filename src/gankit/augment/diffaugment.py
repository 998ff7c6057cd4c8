r"""DiffAugment (Zhao et al. 2020): the same random transforms on every discriminator input."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import torch
from torch import Tensor

from gankit.augment.base import Augment
from gankit.augment.functional import (
    brightness,
    contrast,
    cutout,
    saturation,
    translate,
)
from gankit.augment.functional._checks import check_images

__all__ = ["POLICIES", "DiffAugment"]

#: The largest translation, as a fraction of the image size (DiffAugment's 1/8).
TRANSLATION_RATIO = 0.125
#: The side of the cut-out square, as a fraction of the image size (DiffAugment's 1/2).
CUTOUT_RATIO = 0.5


def _rand(x: Tensor) -> Tensor:
    """One U[0, 1) draw per sample, shape ``(N,)``, on ``x``'s device and dtype."""
    return torch.rand(x.shape[0], device=x.device, dtype=x.dtype)


def _random_brightness(x: Tensor) -> Tensor:
    return brightness(x, _rand(x) - 0.5)  # U(-0.5, 0.5)


def _random_saturation(x: Tensor) -> Tensor:
    return saturation(x, _rand(x) * 2.0)  # U(0, 2)


def _random_contrast(x: Tensor) -> Tensor:
    return contrast(x, _rand(x) + 0.5)  # U(0.5, 1.5)


def _random_translation(x: Tensor) -> Tensor:
    n, _, h, w = x.shape
    max_h, max_w = int(h * TRANSLATION_RATIO + 0.5), int(w * TRANSLATION_RATIO + 0.5)
    rows = torch.randint(-max_h, max_h + 1, (n,), device=x.device)
    cols = torch.randint(-max_w, max_w + 1, (n,), device=x.device)
    return translate(x, torch.stack([rows, cols], dim=1))


def _random_cutout(x: Tensor) -> Tensor:
    n, _, h, w = x.shape
    size_h, size_w = int(h * CUTOUT_RATIO + 0.5), int(w * CUTOUT_RATIO + 0.5)
    # The centre pixel; an even side may centre on the pixel just past either edge.
    rows = torch.randint(0, h + 1 - size_h % 2, (n,), device=x.device) - size_h // 2
    cols = torch.randint(0, w + 1 - size_w % 2, (n,), device=x.device) - size_w // 2
    return cutout(x, torch.stack([rows, cols], dim=1), (size_h, size_w))


#: The policy names and the random transforms each applies, in order. ``color``,
#: ``translation`` and ``cutout`` are DiffAugment's; the three colour transforms
#: can also be named one by one.
POLICIES: dict[str, tuple[Callable[[Tensor], Tensor], ...]] = {
    "brightness": (_random_brightness,),
    "color": (_random_brightness, _random_saturation, _random_contrast),
    "contrast": (_random_contrast,),
    "cutout": (_random_cutout,),
    "saturation": (_random_saturation,),
    "translation": (_random_translation,),
}


def _parse_policy(policy: object) -> tuple[str, ...]:
    if not isinstance(policy, str):
        raise TypeError(
            f"policy must be a string of comma-separated names from {sorted(POLICIES)}, "
            f"got {type(policy).__name__} {policy!r}"
        )
    names = tuple(name.strip() for name in policy.split(","))
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ValueError(
            f"unknown DiffAugment policy name(s) {unknown} in {policy!r}; valid names: "
            f"{', '.join(sorted(POLICIES))} (comma-separated, e.g. 'color,translation,cutout')"
        )
    return names


class DiffAugment(Augment):
    r"""Differentiable augmentation: DiffAugment's colour, translation and cutout.

    Each call draws fresh transforms, one per sample, of the kinds the policy
    names, and applies them in the policy's order (Zhao et al. 2020, "Differentiable
    Augmentation for Data-Efficient GAN Training"):

    ===============  =============================================================
    ``color``        brightness :math:`x + b`, :math:`b \sim U(-0.5, 0.5)`; then
                     saturation :math:`\bar{x}_c + (x - \bar{x}_c)\,s`,
                     :math:`s \sim U(0, 2)`; then contrast
                     :math:`\bar{x} + (x - \bar{x})\,s`, :math:`s \sim U(0.5, 1.5)`
    ``translation``  a shift by whole pixels, up to 1/8 of the size each way,
                     filled with zeros
    ``cutout``       a zeroed square of half the size, centred on a random pixel
    ===============  =============================================================

    (:math:`\bar{x}_c` is the mean over the channels, :math:`\bar{x}` over the whole
    image; see :mod:`gankit.augment.functional`.) ``brightness``, ``saturation``
    and ``contrast`` name the colour transforms one by one. The ranges are those
    of the official DiffAugment-PyTorch code, which trains on images in
    :math:`[-1, 1]` like gankit; the output is not clamped.

    The same policy applies to every batch the discriminator sees, real and
    fake, in both players' updates, so that the generator is not rewarded for
    producing augmented-looking images. All draws come from the global torch RNG
    on the images' device. The module has no state.

    Args:
        policy: Comma-separated names from :data:`POLICIES`.

    Raises:
        TypeError: If ``policy`` is not a string.
        ValueError: If it holds a name not in :data:`POLICIES` (the message
            lists the valid names).

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(N, C, H, W)``.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> augment = DiffAugment("color,translation,cutout")
        >>> x = torch.rand(8, 3, 16, 16, requires_grad=True) * 2 - 1
        >>> y = augment(x)
        >>> y.shape, y.requires_grad
        (torch.Size([8, 3, 16, 16]), True)
    """

    config_keys: ClassVar[tuple[str, ...]] = ("policy",)

    def __init__(self, policy: str = "color,translation,cutout") -> None:
        super().__init__()
        self._names = _parse_policy(policy)
        self.policy = ",".join(self._names)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the policy's random transforms to ``x``.

        Raises:
            TypeError: If ``x`` is not a floating-point tensor.
            ValueError: If ``x`` is not of shape ``(N, C, H, W)``.
        """
        check_images(x)
        for name in self._names:
            for transform in POLICIES[name]:
                x = transform(x)
        return x
