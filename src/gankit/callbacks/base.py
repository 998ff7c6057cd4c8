"""The callback protocol: documented no-op hooks that receive the trainer.

A callback reads what it needs from the trainer (``trainer.step``,
``trainer.generator``, ``trainer.sample(...)``) and stops training by setting
``trainer.should_stop = True``. Hooks run in the order the callbacks were given.
The trainer only dispatches a hook to callbacks that override it, so an unused
hook costs nothing.

Hook order::

    setup                           (once, in the Trainer's constructor)
    on_fit_start                    (each call of Trainer.fit)
      repeat:
        on_discriminator_step_end   (d_steps times)
        on_generator_step_end
        on_step_end                 (trainer.step already incremented; publish with trainer.log)
        on_log                      (after every on_step_end: loggers read everything logged)
        on_epoch_end                (when a pass over the data ends)
    on_fit_end                      (on success)
    on_exception                    (instead of on_fit_end, on any error)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from torch import Tensor

from gankit.callbacks._trainer_view import TrainerView

__all__ = ["HOOKS", "Callback", "Metrics"]

#: What ``on_step_end`` and the step hooks receive: names to floats or 0-dim tensors.
Metrics = Mapping[str, "float | Tensor"]

#: The names of every hook, in the order they can first fire.
HOOKS: tuple[str, ...] = (
    "setup",
    "on_fit_start",
    "on_discriminator_step_end",
    "on_generator_step_end",
    "on_step_end",
    "on_log",
    "on_epoch_end",
    "on_fit_end",
    "on_exception",
)


class Callback:
    """Base class of trainer callbacks; every hook is a documented no-op.

    Stateful callbacks override :meth:`state_dict` and :meth:`load_state_dict`;
    the trainer stores their state in checkpoints under the callback's
    :attr:`state_key`, so a resumed run continues where it stopped.

    Example:
        >>> class StopAt(Callback):
        ...     def __init__(self, step):
        ...         self.stop_step = step
        ...     def on_step_end(self, trainer, metrics):
        ...         if trainer.step >= self.stop_step:
        ...             trainer.should_stop = True
    """

    #: The constructor arguments a config file may set (``[callbacks.<name>]``
    #: of ``gankit train``); each is also an attribute holding its value.
    config_keys: ClassVar[tuple[str, ...]] = ()

    def get_config(self) -> dict[str, Any]:
        """Return the values of the :attr:`config_keys` arguments.

        Returns:
            ``{key: getattr(self, key)}`` for every key of :attr:`config_keys`.

        Example:
            >>> from gankit.callbacks import EMA
            >>> EMA(decay=0.99).get_config()
            {'decay': 0.99, 'start_step': 0, 'every': 1, 'buffers': 'copy'}
        """
        return {key: getattr(self, key) for key in self.config_keys}

    def setup(self, trainer: TrainerView) -> None:
        """Called once in the trainer's constructor, before any checkpoint is loaded.

        Callbacks that own modules (for example :class:`~gankit.callbacks.EMA`)
        create them here, so that :meth:`load_state_dict` has somewhere to load into.
        """

    def on_fit_start(self, trainer: TrainerView) -> None:
        """Called once when :meth:`~gankit.Trainer.fit` starts, before the first step."""

    def on_discriminator_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Called after each discriminator optimizer step.

        Args:
            trainer: The trainer.
            metrics: The discriminator's loss terms of that step as ``d/<term>``
                (0-dim tensors, detached) and ``"d/loss"``, their sum.
        """

    def on_generator_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Called after each generator optimizer step, before ``trainer.step`` grows.

        Args:
            trainer: The trainer.
            metrics: The generator's loss terms as ``g/<term>`` (0-dim tensors,
                detached) and ``"g/loss"``, their sum.
        """

    def on_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Called after each full training step; ``trainer.step`` is already incremented.

        A callback that computes a value for the loggers publishes it with
        ``trainer.log(name, value)``; every logger sees it in :meth:`on_log`,
        whatever the order of the callbacks.

        Args:
            trainer: The trainer.
            metrics: ``trainer.callback_metrics``: every loss term by name
                (``d/<term>`` and ``g/<term>``), ``d/loss`` and ``g/loss``,
                ``d/real_logit`` and ``d/fake_logit`` (the mean discriminator
                logits on real and fake data), and ``d/grad_norm`` and
                ``g/grad_norm`` (these four only on steps where a callback's
                :meth:`reads_diagnostics` says so). Values are floats or 0-dim detached tensors;
                call ``float(v)`` only when you need a number, because it waits
                for the device. The 0.1.0 names (``d/loss``, ...) still read,
                with a deprecation warning.
        """

    def on_log(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Called after every callback's :meth:`on_step_end`: the place for loggers.

        Args:
            trainer: The trainer.
            metrics: ``trainer.callback_metrics``: the step's metrics and every
                value the callbacks published with ``trainer.log`` this step.
                Read it; do not change it.
        """

    def on_epoch_end(self, trainer: TrainerView) -> None:
        """Called when a pass over a finite data set ends (``trainer.epoch`` grown)."""

    def on_fit_end(self, trainer: TrainerView) -> None:
        """Called once when :meth:`~gankit.Trainer.fit` returns normally."""

    def on_exception(self, trainer: TrainerView, exception: BaseException) -> None:
        """Called when :meth:`~gankit.Trainer.fit` raises, before the error propagates.

        Args:
            trainer: The trainer.
            exception: The error (``KeyboardInterrupt`` included).
        """

    def reads_diagnostics(self, step: int) -> bool:
        """Whether this callback reads the step's diagnostics at ``step``.

        The diagnostics are ``d/grad_norm``, ``g/grad_norm``, ``d/real_logit``
        and ``d/fake_logit``. The trainer computes them only for steps where a
        callback answers ``True`` (and for the last step of a ``fit``), as
        Lightning logs only every ``log_every_n_steps``: on other steps they are
        absent from the metrics, and cost nothing. The loss terms are always
        there. The default is ``True`` for a callback that overrides
        :meth:`on_step_end` or :meth:`on_log` (it may read anything), else
        ``False``; a logger that writes every ``k`` steps answers
        ``step % k == 0``.

        Args:
            step: The step about to run, as ``trainer.step`` will read in its
                :meth:`on_step_end`.

        Example:
            >>> class EveryTen(Callback):
            ...     def on_log(self, trainer, metrics):
            ...         pass
            ...     def reads_diagnostics(self, step):
            ...         return step % 10 == 0
            >>> EveryTen().reads_diagnostics(20), EveryTen().reads_diagnostics(21)
            (True, False)
            >>> Callback().reads_diagnostics(1)
            False
        """
        cls = type(self)
        return cls.on_step_end is not Callback.on_step_end or cls.on_log is not Callback.on_log

    #: In a distributed run, call this callback on the process of rank 0 only.
    #: Callbacks that write files (logs, pictures, checkpoints) set it.
    rank_zero_only: bool = False

    # State ----------------------------------------------------------------
    @property
    def state_key(self) -> str:
        """The key of this callback's state in a checkpoint (the class name)."""
        return type(self).__name__

    def state_dict(self) -> dict[str, Any]:
        """Return this callback's state, saved in every checkpoint.

        Tensors, numbers, strings, bytes and dicts, lists, tuples and sets of
        them load back with ``torch.load(weights_only=True)``; NumPy scalars and
        arrays, ``deque`` s and ``frozenset`` s are converted on save and restored
        on load. Anything else makes ``save_checkpoint`` refuse, before writing,
        with an error naming this callback, the key and the type (see the
        checkpoints guide, "What a callback's state may hold").
        """
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the state returned by :meth:`state_dict`."""
