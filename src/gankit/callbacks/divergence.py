"""Stop training with a clear error as soon as a loss is not finite."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from gankit._validation import check_positive_int
from gankit.callbacks._metrics import is_loss_key
from gankit.callbacks.base import Callback, Metrics

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["DivergenceError", "DivergenceGuard"]


class DivergenceError(RuntimeError):
    """A loss became NaN or infinite; names the step and the loss term.

    Args:
        step: The training step (``trainer.step``) whose losses were not finite.
        term: The first non-finite loss term, e.g. ``"d/gp"``; individual terms
            (``d/*``, ``g/*``) are named before the totals ``d/loss``/``g/loss``.
        value: Its value (``nan``, ``inf`` or ``-inf``).
        others: Further non-finite terms, named in the message.

    Attributes:
        step (int): The step.
        term (str): The first non-finite loss term.
        value (float): Its value.

    Example:
        >>> err = DivergenceError(17, "d/gp", float("nan"))
        >>> str(err).splitlines()[0]
        'non-finite loss at step 17: d/gp = nan'
        >>> err.step, err.term
        (17, 'd/gp')
    """

    def __init__(
        self, step: int, term: str, value: float, others: tuple[str, ...] = ()
    ) -> None:
        self.step = step
        self.term = term
        self.value = value
        self.others = tuple(others)
        message = f"non-finite loss at step {step}: {term} = {value}"
        if self.others:
            message += f" (also non-finite: {', '.join(self.others)})"
        message += (
            "\nCheckpoints saved before this step are intact. Try a lower learning "
            "rate, gradient clipping (grad_clip=...) or a gradient penalty."
        )
        super().__init__(message)

    def __reduce__(self) -> tuple[type[DivergenceError], tuple[int, str, float, tuple[str, ...]]]:
        """Pickle with the constructor's arguments (for multiprocessing)."""
        return (type(self), (self.step, self.term, self.value, self.others))


class DivergenceGuard(Callback):
    r"""Raise :class:`DivergenceError` when a loss metric is NaN or infinite.

    On by default in :class:`~gankit.Trainer`, which puts it first so that no
    later callback (a checkpoint, a logger) sees the diverged step. Every
    ``every`` steps, ``on_step_end`` checks the loss metrics (``d/loss``,
    ``g/loss``, ``d/<term>``, ``g/<term>``; not ``d/real_logit`` or gradient norms)
    with a single device synchronisation: the values are stacked and
    :math:`\bigwedge_i \mathrm{isfinite}(\ell_i)` is read once (on the CPU, where
    reading costs no wait, each value is read directly); only on failure are
    the terms inspected one by one to name the culprit.

    Args:
        every: Check every ``every`` steps (1: every step).

    Raises:
        TypeError: If ``every`` is not an int.
        ValueError: If ``every < 1``.

    Example:
        >>> from types import SimpleNamespace
        >>> guard = DivergenceGuard()
        >>> trainer = SimpleNamespace(step=17)
        >>> guard.on_step_end(trainer, {"d/gp": torch.tensor(1.0), "d/loss": 1.0})
        >>> guard.on_step_end(trainer, {"d/gp": torch.tensor(float("nan"))})
        Traceback (most recent call last):
        ...
        gankit.callbacks.divergence.DivergenceError: non-finite loss at step 17: d/gp = nan
        ...
    """

    def __init__(self, every: int = 1) -> None:
        self.every = check_positive_int(every, "every")

    def reads_diagnostics(self, step: int) -> bool:
        """Never: this callback reads the loss terms only."""
        return False

    def on_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Check the step's loss metrics; see the class docstring.

        Raises:
            DivergenceError: If a loss metric is NaN or infinite.
        """
        if trainer.step % self.every == 0:
            _check_losses(metrics, trainer.step)


def _check_losses(metrics: Metrics, step: int) -> None:
    """Raise :class:`DivergenceError` if a loss metric of ``metrics`` is not finite."""
    # Terms first, totals last: a NaN gradient penalty also makes d/loss NaN,
    # and the error should name the penalty.
    keys = sorted((k for k in metrics if is_loss_key(k)), key=lambda k: k.endswith("/loss"))
    values = [metrics[k] for k in keys]
    tensors = [v for v in values if isinstance(v, Tensor)]
    ok = all(math.isfinite(v) for v in values if not isinstance(v, Tensor))
    if ok and all(t.device.type == "cpu" for t in tensors):  # no device to wait for
        ok = all(math.isfinite(t.item()) for t in tensors)
    elif ok and tensors:
        device = tensors[0].device
        stacked = torch.stack([t.detach().float().reshape(()).to(device) for t in tensors])
        ok = bool(torch.isfinite(stacked).all())  # the one synchronisation
    if ok:
        return
    bad = [k for k, v in zip(keys, values, strict=True) if not math.isfinite(float(v))]
    raise DivergenceError(step, bad[0], float(metrics[bad[0]]), tuple(bad[1:]))
