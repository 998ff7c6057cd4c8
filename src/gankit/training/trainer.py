"""The GAN trainer: Algorithm 1 of Goodfellow et al. (2014) with callbacks and exact resume.

The update maths is in ``_step.py``, the setup in ``_setup.py``, the data hand-off
in ``_data_feed.py``, the hooks in ``_hooks.py`` and the checkpoint's layout in
``_trainer_state.py``; this class ties them together.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from gankit._writer import BackgroundWriter, cpu_copy
from gankit.callbacks._metrics import LoggedMetrics
from gankit.callbacks.base import Callback
from gankit.losses.base import Loss
from gankit.models.latent_prior import LatentPrior
from gankit.models.sampling import generate
from gankit.training._data_feed import DataFeed
from gankit.training._distributed import agree_on_stop
from gankit.training._hooks import HookTable, callback_list, with_defaults
from gankit.training._resume_checks import check_resume
from gankit.training._rng import get_rng_state, set_rng_state
from gankit.training._setup import OptimizerFactory, check_fit_args, check_sample_args, setup
from gankit.training._signals import TrainingInterrupted, graceful_signals
from gankit.training._step import Precision
from gankit.training._trainer_state import (
    restore_augment,
    restore_callbacks,
    restore_players,
    run_settings,
    trainer_state,
)
from gankit.training.checkpoint import (
    encode_checkpoint,
    load_checkpoint_file,
    save_checkpoint_file,
    write_encoded_checkpoint,
)

__all__ = ["OptimizerFactory", "Trainer", "TrainingInterrupted"]


class Trainer:
    """Trains a generator against a discriminator with a composable loss.

    Each step runs ``d_steps`` discriminator updates and one generator update
    (Goodfellow et al. 2014, Algorithm 1), one optimizer step each.

    Args:
        generator: ``G(z)`` or ``G(z, labels)``; needs a ``latent_dim`` attribute.
        discriminator: ``D(x)`` or ``D(x, labels)`` returning logits of shape ``(N,)``.
        loss: A :class:`gankit.losses.Loss`, e.g. ``NSGAN()`` or ``WGANGP()``.
        g_optimizer: An optimizer, or a factory ``params -> optimizer``; default
            Adam(lr=2e-4, betas=(0.5, 0.999)).
        d_optimizer: Likewise for the discriminator.
        d_steps: Discriminator updates per generator update (``k``; 5 for WGAN-GP).
        callbacks: A callback or a sequence, called in order after the divergence guard.
        device: ``"auto"`` (CUDA when available, else CPU), or any torch device.
        seed: Seeds every RNG (:func:`gankit.seed_everything`) when the trainer is
            made: after the models were built, so call ``seed_everything(seed)``
            before building them too for reproducible initial weights.
        noise: The latent prior: ``"normal"``, ``"uniform"`` (U[-1, 1]) or a
            :class:`gankit.models.LatentPrior`; it must agree with the
            generator's ``latent_prior`` if it declares one.
        precision: ``"fp32"``, ``"bf16"`` (autocast) or ``"fp16"`` (autocast and a
            GradScaler per optimizer, CUDA only).
        grad_clip: Clip each network's gradient norm to this value.
        compile: Compile the two loss computations with ``torch.compile``.
        divergence_guard: Stop with an error naming the step and the loss term
            when a loss is not finite.
        progress_bar: Show a progress bar on a terminal.
        distributed: Data-parallel on ``torch.distributed``: ``None`` joins an
            initialised process group, ``True`` also initialises one from
            torchrun's environment, ``False`` never. With ``P`` processes a step
            equals a one-process step on the global batch ``P·B``.
        sync_batchnorm: Convert BatchNorm layers to SyncBatchNorm (CUDA only).
        channels_last: Keep convolution weights and image batches channels-last.
        handle_signals: The first SIGINT or SIGTERM during :meth:`fit` finishes
            the step, then ``fit`` raises :class:`TrainingInterrupted` (a
            checkpoint saved then resumes bit for bit); a second one aborts.
        augment: A differentiable augmentation applied to every batch the
            discriminator judges, real and fake, in its updates and the
            generator's (e.g. :class:`gankit.augment.DiffAugment`); any
            ``nn.Module`` mapping a batch to one of the same shape. Its
            ``observe(real_logits)``, if any, is called after every
            discriminator update, its ``log_metrics()`` is logged each step and
            its ``state_dict`` is checkpointed (ADA's ``p``). Samples,
            checkpoints' generators and callbacks never see it.
        accumulate: Micro-batches per update: each update takes
            ``accumulate · batch_size`` samples in micro-batches of
            ``batch_size`` and steps its optimizer once, which equals one update
            on the whole batch for models without BatchNorm or other
            randomness or coupling between samples.

    Attributes:
        step: Completed generator updates; already incremented in ``on_step_end``.
        epoch: Completed passes over a finite data set.
        should_stop: Set to ``True`` (by a callback) to end :meth:`fit` after this step.
        callback_metrics: What was logged at this step: ``d/loss``, ``d/<term>``,
            ``d/grad_norm``, ``d/real_logit``, ``d/fake_logit``, the same for ``g/``,
            and what callbacks published with :meth:`log`. The four diagnostics
            (gradient norms, mean logits) are computed only on steps where a
            callback reads them (:meth:`Callback.reads_diagnostics
            <gankit.callbacks.Callback.reads_diagnostics>`) and on the last step
            of a ``fit``.
        ema_generator: The EMA copy of the generator, set by the EMA callback.
        last_real: The most recent real batch.
        writer: The background writer the file-writing callbacks hand their
            files to (:class:`gankit.callbacks.BackgroundWriter`); :meth:`fit`
            raises its errors after the step that follows them and waits for
            it before returning or raising.

    Example:
        >>> import torch
        >>> from gankit import Trainer
        >>> from gankit.losses import NSGAN
        >>> from gankit.models import MLPDiscriminator, MLPGenerator
        >>> G = MLPGenerator(2, (2,), hidden=(16,))
        >>> D = MLPDiscriminator((2,), hidden=(16,))
        >>> trainer = Trainer(G, D, NSGAN(), seed=0, progress_bar=False)
        >>> _ = trainer.fit(torch.randn(256, 2), steps=5, batch_size=32)
        >>> trainer.step, tuple(trainer.sample(3).shape), sorted(trainer.callback_metrics)[:2]
        (5, (3, 2), ['d/fake_logit', 'd/grad_norm'])
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        loss: Loss,
        *,
        g_optimizer: torch.optim.Optimizer | OptimizerFactory | None = None,
        d_optimizer: torch.optim.Optimizer | OptimizerFactory | None = None,
        d_steps: int = 1,
        callbacks: Callback | Sequence[Callback] = (),
        device: str | torch.device = "auto",
        seed: int | None = None,
        noise: str | LatentPrior = "normal",
        precision: Precision = "fp32",
        grad_clip: float | None = None,
        compile: bool = False,
        divergence_guard: bool = True,
        progress_bar: bool = True,
        distributed: bool | None = None,
        sync_batchnorm: bool = False,
        channels_last: bool = False,
        handle_signals: bool = True,
        augment: nn.Module | None = None,
        accumulate: int = 1,
    ) -> None:
        parts = setup(
            generator, discriminator, loss, g_optimizer=g_optimizer, d_optimizer=d_optimizer,
            d_steps=d_steps, device=device, seed=seed, noise=noise, precision=precision,
            grad_clip=grad_clip, compile=compile, distributed=distributed,
            sync_batchnorm=sync_batchnorm, channels_last=channels_last, augment=augment,
            accumulate=accumulate,
        )
        self.latent_dim, self.latent_prior = parts.latent_dim, parts.prior
        self.device, self.dist = parts.device, parts.dist
        self._g, self._d, self._algorithm = parts.g, parts.d, parts.algorithm
        self.channels_last, self.handle_signals = channels_last, bool(handle_signals)
        self.num_classes: int | None = getattr(parts.g.module, "num_classes", None)
        self.interrupt_signal: int | None = None  # the signal that stopped the last fit
        self.step, self.should_stop = 0, False
        self.max_steps: int | None = None  # the running fit's targets
        self.max_epochs: int | None = None
        self.ema_generator: nn.Module | None = None
        self.callback_metrics = LoggedMetrics()
        self.writer = BackgroundWriter()
        self._feed = DataFeed(self.device, self.dist, self.num_classes, channels_last,
                              accumulate=accumulate)
        self.callbacks: list[Callback] = with_defaults(
            callback_list(callbacks), divergence_guard, progress_bar
        )
        self._hooks = HookTable(self.callbacks, rank_zero=self.dist.rank == 0)
        self._dispatch("setup")

    discriminator = property(lambda self: self._d.module, doc="The discriminator.")
    g_optimizer = property(lambda self: self._g.optimizer, doc="The generator's optimizer.")
    d_optimizer = property(lambda self: self._d.optimizer, doc="The discriminator's optimizer.")
    g_scaler = property(lambda self: self._g.scaler, doc="The generator's fp16 grad scaler.")
    d_scaler = property(lambda self: self._d.scaler, doc="The discriminator's grad scaler.")
    loss = property(lambda self: self._algorithm.loss, doc="The loss.")
    d_steps = property(lambda self: self._algorithm.d_steps, doc="D updates per G update.")
    precision = property(lambda self: self._algorithm.precision, doc="The autocast precision.")
    grad_clip = property(lambda self: self._algorithm.grad_clip, doc="The gradient clip norm.")
    augment = property(lambda self: self._algorithm.augment,
                       doc="The discriminator's input augmentation, or None.")
    accumulate = property(lambda self: self._algorithm.accumulate,
                          doc="Micro-batches per update.")
    noise = property(lambda self: self.latent_prior.name, doc="The latent prior's name.")

    @property
    def generator(self) -> nn.Module:
        """The generator being trained."""
        return self._g.module

    @generator.setter
    def generator(self, module: nn.Module) -> None:
        self._g.module = module

    @property
    def epoch(self) -> int:
        """Completed passes over the data (0 for infinite samplers)."""
        return self._feed.epoch

    @property
    def last_real(self) -> Tensor | None:
        """The most recent real batch, on the device."""
        return self._feed.last_real

    @property
    def is_global_zero(self) -> bool:
        """Whether this process writes logs, pictures and checkpoints (rank 0)."""
        return self.dist.rank == 0

    def _dispatch(self, hook: str, *args: Any) -> None:
        self._hooks(hook, self, *args)

    def timing(self) -> dict[str, Any]:
        """Where the time went: each callback's hooks and the background writer's jobs.

        Returns:
            ``{"callback_seconds": {state_key: seconds}, "writer_seconds": seconds}``,
            summed over this trainer's life.
        """
        return {"callback_seconds": self._hooks.callback_seconds(),
                "writer_seconds": self.writer.seconds}

    def log(self, name: str, value: Tensor | float) -> None:
        """Publish ``value`` (a number or 0-dim tensor) as ``name`` for this step's loggers."""
        self.callback_metrics.log(name, value)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` latent vectors ``(n, latent_dim)`` from the prior, on the device.

        ``generator`` is a torch generator on the trainer's device, for reproducible noise.
        """
        return self.latent_prior.sample(n, self.latent_dim, device=self.device, generator=generator)

    def _train_step(self) -> LoggedMetrics:
        """One step of Algorithm 1: ``d_steps`` D updates, then one G update."""
        step, d_steps = self.step + 1, self.d_steps

        def next_batch(update: int) -> tuple[Tensor, Tensor | None]:
            return self._feed.next(step=step, update=update, d_steps=d_steps)

        diagnostics = step == self.max_steps or self._hooks.reads_diagnostics(step)
        return self._algorithm(self._g, self._d, next_batch, self._dispatch, step=self.step,
                               diagnostics=diagnostics)

    def fit(self, data: Any, *, steps: int | None = None, epochs: int | None = None,
            batch_size: int = 64) -> Trainer:
        """Train until ``steps`` generator updates or ``epochs`` passes, counted from the start.

        After :meth:`load_checkpoint` at step ``k``, ``fit(data, steps=N)`` trains the
        remaining ``N - k`` steps on the batches an uninterrupted run would have used.

        Args:
            data: A ``DataLoader`` of tensors or ``(x, labels)``; a tensor ``(N, *S)``
                or ``(x, labels)`` tuple, or a map-style ``Dataset`` (batched with
                ``batch_size``, reshuffled each epoch); a data set with ``images``
                and ``labels``; or a sampler with ``.sample(n, generator=...)``
                (infinite). Batches are checked for a floating dtype and finite values.
            steps: Total generator updates to reach.
            epochs: Total passes over finite data to reach.
            batch_size: Batch size for tensor and sampler data.

        Returns:
            The trainer itself.

        Raises:
            ValueError: If neither ``steps`` nor ``epochs`` is given (or only
                ``epochs`` for a sampler), or one is negative.
            DataError: If the data is not floating point or not finite (naming the step).
            TrainingInterrupted: After SIGINT or SIGTERM, once the step has finished.
        """
        check_fit_args(steps, epochs)
        self._feed.attach(data, batch_size)
        if epochs is not None and steps is None and self._feed.infinite:
            raise ValueError("a sampler is infinite: give fit() steps=N, not only epochs")
        self.max_steps, self.max_epochs = steps, epochs
        self.should_stop, self.interrupt_signal = False, None
        self.generator.train(), self.discriminator.train()
        try:
            with graceful_signals(self.handle_signals) as signals:
                self._dispatch("on_fit_start")
                while not self._finished():
                    epoch_before = self.epoch
                    self.callback_metrics = self._train_step()
                    self.step += 1
                    self._dispatch("on_step_end", self.callback_metrics)
                    self._dispatch("on_log", self.callback_metrics)
                    if self.epoch > epoch_before:
                        self._dispatch("on_epoch_end")
                    self.writer.raise_if_failed()
                    self.should_stop, interrupted = agree_on_stop(  # all processes agree
                        self.dist, self.should_stop, signals.signum, self.device)
                    if interrupted is not None:
                        self.interrupt_signal = interrupted
                        raise TrainingInterrupted(interrupted, self.step)
                    if self.should_stop:
                        break
        except BaseException as exc:
            try:
                self._dispatch("on_exception", exc)
            finally:
                self._flush_after(exc)
            raise
        try:
            self._dispatch("on_fit_end")
        finally:
            self.writer.close()  # every file written; the thread and helper process stopped
        return self

    def _flush_after(self, exc: BaseException) -> None:
        """Write what the callbacks queued before ``exc``; a write error is noted on ``exc``."""
        try:
            self.writer.close()
        except Exception as write_error:
            if write_error is not exc and hasattr(exc, "add_note"):  # Python 3.11+
                exc.add_note(f"also: {write_error}")

    def _finished(self) -> bool:
        steps, epochs = self.max_steps, self.max_epochs
        return (steps is not None and self.step >= steps) or (
            epochs is not None and self.epoch >= epochs)

    def sample(
        self, n: int, labels: Tensor | None = None, *, noise: Tensor | None = None
    ) -> Tensor:
        """Generate ``n`` samples in eval mode without gradients (EMA weights when on).

        Args:
            n: How many samples.
            labels: Class labels ``(n,)`` for a conditional generator; ``None``
                cycles through the classes ``0, 1, ..., K-1, 0, ...``.
            noise: Latent vectors ``(n, latent_dim)``; drawn fresh when ``None``.

        Returns:
            Samples of shape ``(n, *out_shape)``.

        Raises:
            ValueError: If ``n`` is not a positive int, or ``noise``/``labels`` lack ``n`` rows.
        """
        check_sample_args(n, noise, labels, self.latent_dim)
        model = self.ema_generator if self.ema_generator is not None else self.generator
        z = (self.sample_noise(n) if noise is None else noise).to(self.device)
        if labels is not None:
            labels = labels.to(self.device)
        return generate(model, z, labels, num_classes=self.num_classes)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly: models, optimizers, RNGs, data, callbacks."""
        return trainer_state(
            step=self.step, epoch=self.epoch, g=self._g, d=self._d, ema=self.ema_generator,
            callbacks=self.callbacks, rng=get_rng_state(), data=self._feed.state_dict(),
            run=self.run_settings(), augment=self.augment,
            extra={"latent_dim": self.latent_dim, "num_classes": self.num_classes},
        )

    def save_checkpoint(self, path: str | os.PathLike[str], *, background: bool = False) -> Path:
        """Write :meth:`state_dict` to ``path`` atomically (temp file, fsync, ``os.replace``).

        Args:
            path: The checkpoint file.
            background: Check and copy the state to the CPU now, and write it
                on :attr:`writer`'s thread: the file is there after
                ``writer.flush()`` or when :meth:`fit` returns or raises.

        Returns:
            ``path``.

        Raises:
            CheckpointError: If a callback's state cannot be saved (nothing is written).
        """
        if not background:
            return save_checkpoint_file(self.state_dict(), path)
        encoded = cpu_copy(encode_checkpoint(self.state_dict(), path))
        self.writer.submit(Path(path).name, write_encoded_checkpoint, encoded, path)
        return Path(path)

    def run_settings(self) -> dict[str, Any]:
        """What a resumed run must share with the one that wrote the checkpoint.

        Returns:
            ``generator`` and ``discriminator`` (class, config and weights),
            ``loss`` (its ``repr``), ``d_steps``, ``noise``, ``world_size``,
            ``augment`` (its name and settings, or ``None``) and ``accumulate``.
        """
        return run_settings(self._g, self._d, self.loss, d_steps=self.d_steps,
                            noise=self.noise, world_size=self.dist.world_size,
                            augment=self.augment, accumulate=self.accumulate)

    def load_checkpoint(
        self, path: str | os.PathLike[str], *, allow_mismatch: Iterable[str] = ()
    ) -> Trainer:
        """Restore a checkpoint written by :meth:`save_checkpoint`, for exact resume.

        Loads with ``torch.load(weights_only=True)`` only, after comparing the
        checkpoint's settings with :meth:`run_settings` (a difference stops with
        one line naming the setting and both values). Restores models,
        optimizers, scalers, EMA, callback states, counters, every RNG and the
        position in the data (applied by the next :meth:`fit`).

        Args:
            path: The checkpoint file.
            allow_mismatch: Settings that may differ (keys of :meth:`run_settings`);
                the run then no longer equals the one that wrote the checkpoint.

        Raises:
            CheckpointError: If the file is missing, corrupt or unsafe, a setting
                differs, or a state does not fit these models, optimizers or callbacks.
        """
        ckpt = load_checkpoint_file(path)
        saved = {**ckpt.get("trainer", {}), "generator": ckpt["generator"],
                 "discriminator": ckpt["discriminator"]}
        check_resume(saved, self.run_settings(), path=str(path), allow=set(allow_mismatch))
        restore_players(ckpt, self._g, self._d, self.ema_generator, str(path))
        restore_callbacks(ckpt, self.callbacks, str(path))
        restore_augment(ckpt, self.augment, str(path))
        self.step = int(ckpt["step"])
        self._feed.restore(int(ckpt["epoch"]), ckpt.get("data"), ckpt["rng"])
        set_rng_state(ckpt["rng"])
        return self

