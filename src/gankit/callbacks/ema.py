"""An exponential moving average of the generator's weights."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from gankit._validation import check_fraction, check_positive_int
from gankit.callbacks.base import Callback, Metrics

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["EMA"]


class EMA(Callback):
    r"""Keep an exponential moving average of the generator in ``trainer.ema_generator``.

    :meth:`setup` deep-copies the generator (frozen, in eval mode) and assigns the
    copy to ``trainer.ema_generator``, which :meth:`~gankit.Trainer.sample` and the
    checkpoints then use. After the generator update that completes step
    :math:`s` (``trainer.step + 1`` in ``on_generator_step_end``, so the average
    is current before any ``on_step_end`` callback runs), every floating-point
    parameter is updated in place as

    .. math::

        \bar\theta_s =
        \begin{cases}
            \theta_s & s \le \text{start\_step}, \\
            \beta\, \bar\theta_{s-1} + (1 - \beta)\, \theta_s
                & s > \text{start\_step} \text{ and } s \bmod \text{every} = 0,
        \end{cases}

    with decay :math:`\beta` (one fused ``torch._foreach_lerp_``).

    BatchNorm statistics (floating-point buffers: ``running_mean``,
    ``running_var``) are **copied** from the generator at each update by
    default, as StyleGAN2 does. ``buffers="average"`` averages them like the
    weights instead, as BigGAN's and timm's EMA do. The default is chosen by
    measurement: on the README's script (a BatchNorm MLP generator on the ring,
    ``EMA(0.999)``, 2,000 steps), copied statistics give 6 of 8 modes and
    averaged ones give 0, because a 0.999 average of the statistics still
    carries the first steps' activations. Integer buffers
    (``num_batches_tracked``) are always copied.

    The averaged weights are saved once per checkpoint, as ``ema_generator``
    (which :func:`gankit.load_generator` reads); this callback's own state holds
    only ``decay`` and ``num_updates``.

    Args:
        decay: :math:`\beta` in ``[0, 1]``; 0.999 averages over roughly the last
            1000 updates.
        start_step: Until this step the average just copies the generator.
        every: Average every ``every`` steps (after ``start_step``).
        buffers: ``"copy"`` (default) or ``"average"`` the floating-point
            buffers (BatchNorm running statistics); see above.

    Attributes:
        module (nn.Module | None): The averaged generator (``None`` before setup).
        num_updates (int): Averaging updates made so far.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``decay`` is outside ``[0, 1]``, ``start_step < 0``, ``every < 1``
            or ``buffers`` is neither ``"average"`` nor ``"copy"``.

    Example:
        >>> from types import SimpleNamespace
        >>> G = torch.nn.Linear(1, 1, bias=False)
        >>> _ = torch.nn.init.constant_(G.weight, 0.0)
        >>> trainer = SimpleNamespace(generator=G, step=0, ema_generator=None)
        >>> ema = EMA(decay=0.9)
        >>> ema.setup(trainer)
        >>> with torch.no_grad():
        ...     _ = G.weight.fill_(1.0)       # a generator update
        >>> ema.on_generator_step_end(trainer, {})
        >>> trainer.ema_generator.weight.item()  # 0.9 * 0 + 0.1 * 1
        0.1...
    """

    config_keys = ("decay", "start_step", "every", "buffers")  # what a config file may set

    def __init__(
        self, decay: float = 0.999, start_step: int = 0, every: int = 1, *,
        buffers: str = "copy",
    ) -> None:
        self.decay = check_fraction(decay, "decay", open_low=False, closed_high=True)
        if isinstance(start_step, bool) or not isinstance(start_step, int):
            raise TypeError(f"start_step must be an int, got {type(start_step).__name__}")
        if start_step < 0:
            raise ValueError(f"start_step must be >= 0, got {start_step}")
        self.start_step = start_step
        self.every = check_positive_int(every, "every")
        if buffers not in ("average", "copy"):
            raise ValueError(f"buffers must be 'average' or 'copy', got {buffers!r}")
        self.buffers = buffers
        self.module: nn.Module | None = None
        self.num_updates = 0
        self._pending: Mapping[str, Any] | None = None
        self._source: nn.Module | None = None
        self._pairs: tuple[list[Tensor], list[Tensor], list[Tensor], list[Tensor]] = (
            [], [], [], []
        )

    def setup(self, trainer: TrainerView) -> None:
        """Copy the generator and assign the copy to ``trainer.ema_generator``."""
        self.module = copy.deepcopy(trainer.generator).eval().requires_grad_(False)
        trainer.ema_generator = self.module
        self._bind(trainer.generator)
        if self._pending is not None:
            state, self._pending = self._pending, None
            self.load_state_dict(state)

    def _bind(self, generator: nn.Module) -> None:
        """Pair the generator's tensors with the average's: (floats, others) each."""
        assert self.module is not None
        src = [*generator.parameters(), *generator.buffers()]
        dst = [*self.module.parameters(), *self.module.buffers()]
        if len(src) != len(dst) or any(a.shape != b.shape for a, b in zip(src, dst, strict=True)):
            raise RuntimeError(
                "the generator's parameters no longer match the EMA copy made in setup(); "
                "build a new Trainer with a new EMA callback for a new generator"
            )
        averaged = len(src) if self.buffers == "average" else sum(1 for _ in generator.parameters())
        float_idx = [i for i in range(averaged) if src[i].is_floating_point()]
        copy_idx = sorted(set(range(len(src))) - set(float_idx))
        self._pairs = (
            [dst[i] for i in float_idx], [src[i] for i in float_idx],
            [dst[i] for i in copy_idx], [src[i] for i in copy_idx],
        )
        self._source = generator

    @torch.no_grad()
    def on_generator_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Update the average after the generator update of step ``trainer.step + 1``."""
        if self.module is None:
            raise RuntimeError("EMA.setup(trainer) must run before training")
        if trainer.generator is not self._source:
            self._bind(trainer.generator)
        step = trainer.step + 1  # trainer.step grows after this hook
        avg, params, copied, sources = self._pairs
        if step <= self.start_step:
            copied, sources = copied + avg, sources + params
        elif step % self.every == 0:
            if avg:
                torch._foreach_lerp_(avg, params, 1.0 - self.decay)
            self.num_updates += 1
        else:
            return
        if copied:
            torch._foreach_copy_(copied, sources)

    def state_dict(self) -> dict[str, Any]:
        """``decay`` and ``num_updates``; the weights are the checkpoint's ``ema_generator``."""
        return {"decay": self.decay, "num_updates": self.num_updates}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore ``num_updates`` (and the weights, from a 0.1.0 state that holds them)."""
        if "module" in state:  # gankit 0.1.0 saved the weights here too
            if self.module is None:
                self._pending = state  # applied at setup()
                return
            self.module.load_state_dict(state["module"])
        self.num_updates = int(state.get("num_updates", 0))
