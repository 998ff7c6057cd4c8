"""The discriminator the losses see when the trainer augments its input (private).

``Trainer(augment=T)`` hands the loss terms :class:`AugmentedDiscriminator`
``D ∘ T`` instead of ``D``: every real and fake batch the discriminator judges,
in its own updates and in the generator's, goes through ``T`` first (Zhao et
al. 2020; Karras et al. 2020), and gradients flow through ``T`` to the
generator. Nothing else sees ``T``: :meth:`~gankit.Trainer.sample`, the
checkpoint's generator and every callback use the networks themselves.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from gankit.training._resume_checks import describe_model

__all__ = ["AugmentedDiscriminator", "describe_augment"]


class AugmentedDiscriminator(nn.Module):
    """``D(T(x))``: a discriminator judging augmented input, with ``D``'s interface.

    Args:
        discriminator: ``D(x)`` or ``D(x, labels)``.
        augment: ``T``, a module mapping a batch to a batch of the same shape.

    Attributes:
        pack: ``D``'s ``pack`` (1 when it has none), read by :class:`~gankit.losses.GANBatch`.
        aux_classes: ``D``'s class-head size (ACGAN), or ``None``.
    """

    def __init__(self, discriminator: nn.Module, augment: nn.Module) -> None:
        super().__init__()
        self.discriminator = discriminator
        self.augment = augment
        self.pack = int(getattr(discriminator, "pack", 1))
        self.aux_classes: int | None = getattr(discriminator, "aux_classes", None)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        """``D(T(x))`` or ``D(T(x), labels)``."""
        x = self.augment(x)
        return self.discriminator(x) if labels is None else self.discriminator(x, labels)

    def logits_and_classes(self, x: Tensor, labels: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """``D``'s logits and class logits on ``T(x)`` (a discriminator with a class head)."""
        out: tuple[Tensor, Tensor] = self.discriminator.logits_and_classes(  # type: ignore[operator]
            self.augment(x), labels)
        return out


def describe_augment(augment: nn.Module | None) -> str | None:
    """One line naming an augmentation and its settings, as a checkpoint records it.

    ``Name(key=value, ...)`` from ``get_config()`` when it has one, else the
    class's qualified name; ``None`` without augmentation.

    Example:
        >>> describe_augment(None) is None, describe_augment(nn.Identity())
        (True, 'torch.nn.modules.linear.Identity')
    """
    if augment is None:
        return None
    get_config: Any = getattr(augment, "get_config", None)
    if callable(get_config):  # formatted as a model is in resume messages
        return describe_model({"class": type(augment).__name__, "config": get_config()})
    return f"{type(augment).__module__}.{type(augment).__qualname__}"
