"""The augmentation protocol: a module that transforms the discriminator's input batch.

Differentiable augmentation (Zhao et al. 2020; Karras et al. 2020) shows the
discriminator only augmented images, real and fake alike, and backpropagates
through the augmentation into the generator. An :class:`Augment` is therefore an
:class:`~torch.nn.Module` whose :meth:`~Augment.forward` maps a batch of images to a
batch of the same shape, differentiably in the images.

The trainer drives it through three hooks, all of which a subclass may leave as
they are:

* ``augment(x)``: before each call of the discriminator, on real and on fake
  batches, in the discriminator's and in the generator's update;
* :meth:`~Augment.observe`: once after every discriminator update, with the
  discriminator's logits on the augmented real batch (adaptive augmentation
  steers its strength with them);
* :meth:`~Augment.log_metrics`: values for the logs.

All random draws come from the global torch RNG on the batch's device, so the
trainer's saved RNG state makes a resumed run draw the same transforms; state
(ADA's probability) lives in registered buffers, so :meth:`~torch.nn.Module.state_dict`
saves it exactly.
"""

from __future__ import annotations

from typing import Any, ClassVar

from torch import Tensor, nn

from gankit._validation import check_batch_logits

__all__ = ["Augment"]


class Augment(nn.Module):
    """Base class of every augmentation: ``forward`` plus two documented no-op hooks.

    Subclasses implement :meth:`forward`; a stateful one overrides :meth:`observe`
    and :meth:`log_metrics` and keeps its state in buffers.

    Attributes:
        config_keys: The constructor arguments that a config file may set; each
            is also an attribute holding its value (see :meth:`get_config`).

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(N, C, H, W)``.

    Example:
        A custom augmentation that flips every image upside down::

            >>> import torch
            >>> class VerticalFlip(Augment):
            ...     def forward(self, x):
            ...         return x.flip(2)
            >>> VerticalFlip()(torch.arange(4.0).view(1, 1, 2, 2)).flatten().tolist()
            [2.0, 3.0, 0.0, 1.0]
    """

    config_keys: ClassVar[tuple[str, ...]] = ()

    def forward(self, x: Tensor) -> Tensor:
        """Return an augmented copy of the batch ``x``, differentiable in ``x``.

        Args:
            x: Images of shape ``(N, C, H, W)``.

        Returns:
            The augmented images, of the same shape, dtype and device.
        """
        raise NotImplementedError

    def observe(self, real_logits: Tensor) -> None:
        """Take note of ``D(augment(real))`` after a discriminator update; a no-op here.

        Args:
            real_logits: The discriminator's logits on the augmented real batch,
                shape ``(N,)``.

        Raises:
            TypeError: If ``real_logits`` is not a floating-point tensor.
            ValueError: If it is not of shape ``(N,)`` with ``N >= 1``.
        """
        check_batch_logits(real_logits, "real_logits")

    def log_metrics(self) -> dict[str, float]:
        """Values to log, by name (e.g. ``{"augment/p": 0.1}``); none here.

        Returns:
            An empty dict.
        """
        return {}

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this augmentation.

        Returns:
            ``{key: getattr(self, key)}`` for every key of :attr:`config_keys`.

        Example:
            >>> from gankit.augment import DiffAugment
            >>> DiffAugment("translation").get_config()
            {'policy': 'translation'}
        """
        return {key: getattr(self, key) for key in self.config_keys}

    def extra_repr(self) -> str:
        """The config as keyword arguments, e.g. ``policy='translation'``."""
        return ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
