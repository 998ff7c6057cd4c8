"""The GAN trainer: Algorithm 1 of Goodfellow et al. (2014) with callbacks and exact resume."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor, nn

from gankit._version import __version__
from gankit.callbacks.base import HOOKS, Callback
from gankit.losses.base import GANBatch, Loss, total
from gankit.training._batch_checks import check_batch
from gankit.training._distributed import (
    DistContext,
    all_reduce_mean_,
    average_buffers_,
    broadcast_module_,
    distributed_loader,
    init_distributed,
    shard,
)
from gankit.training._resume_checks import check_resume, model_settings
from gankit.training._rng import get_rng_state, seed_everything, set_rng_state
from gankit.training._signals import TrainingInterrupted, graceful_signals
from gankit.training._sources import (
    DataSource,
    LoaderSource,
    SamplerSource,
    make_source,
)
from gankit.training.checkpoint import (
    CHECKPOINT_FORMAT,
    CheckpointError,
    load_checkpoint_file,
    save_checkpoint_file,
)

__all__ = ["OptimizerFactory", "Trainer", "TrainingInterrupted"]

#: Builds an optimizer for a list of parameters, e.g. ``lambda p: torch.optim.SGD(p, lr=0.1)``.
OptimizerFactory = Callable[[list[nn.Parameter]], torch.optim.Optimizer]

Precision = Literal["fp32", "bf16", "fp16"]


def _default_optimizer(params: list[nn.Parameter]) -> torch.optim.Optimizer:
    return torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))


def _model_spec(model: nn.Module) -> dict[str, Any]:
    """What a checkpoint needs to rebuild ``model`` without the training script."""
    return {**model_settings(model), "state_dict": model.state_dict()}


class Trainer:
    """Trains a generator against a discriminator with a composable loss.

    Each step runs ``d_steps`` discriminator updates and one generator update
    (Goodfellow et al. 2014, Algorithm 1). Every update takes exactly one
    optimizer step, however many terms the loss has; the fake batch is
    detached for discriminator updates; the discriminator's parameters get no
    gradient from the generator update; gradients are cleared with
    ``zero_grad(set_to_none=True)``. The fake batch of the last discriminator
    update is generated with the generator's graph attached and reused for the
    generator update, so it is generated once.

    Args:
        generator: ``G(z)`` or ``G(z, labels)``; needs a ``latent_dim`` attribute.
        discriminator: ``D(x)`` or ``D(x, labels)`` returning logits of shape ``(N,)``.
        loss: A :class:`gankit.losses.Loss`, e.g. ``NSGAN()`` or ``WGANGP()``.
        g_optimizer: An optimizer over the generator's parameters, or a factory
            ``params -> optimizer``. Default: Adam(lr=2e-4, betas=(0.5, 0.999)).
        d_optimizer: Likewise for the discriminator.
        d_steps: Discriminator updates per generator update (``k`` in Algorithm 1;
            5 for WGAN-GP).
        callbacks: A callback or a sequence of them, called in order after the
            built-in divergence guard.
        device: ``"auto"`` (CUDA when available, else CPU), or any torch device.
        seed: Seeds Python's, NumPy's and torch's RNGs when the trainer is made
            (with :func:`gankit.seed_everything`). That is after the models were
            built, so it fixes the data order, the noise and the loss terms'
            randomness, but not the models' initial weights: for a reproducible
            script call ``seed_everything(seed)`` before building the models.
        noise: The latent distribution: ``"normal"`` (N(0, I)) or ``"uniform"`` (U[-1, 1]).
        precision: ``"fp32"``; ``"bf16"`` (autocast to bfloat16, CPU or CUDA); or
            ``"fp16"`` (autocast with one GradScaler per optimizer, CUDA only).
        grad_clip: Clip each network's gradient norm to this value.
        compile: Compile the two loss computations with ``torch.compile``.
        divergence_guard: Stop with an error naming the step and the loss term
            when a loss is not finite (on by default).
        progress_bar: Show a progress bar on a terminal (on by default).
        distributed: Data-parallel training on ``torch.distributed``. ``None``
            (default) joins an already initialised process group if there is one;
            ``True`` also initialises one from torchrun's environment; ``False``
            never distributes. With ``P`` processes, ``batch_size`` is per process
            and one step equals a single-process step on the global batch ``P·B``.
        sync_batchnorm: Convert BatchNorm layers to SyncBatchNorm (CUDA only).
        channels_last: Keep convolution weights and image batches in the
            channels-last memory format, which oneDNN and cuDNN run faster.
        handle_signals: While :meth:`fit` runs, the first SIGINT (Ctrl-C) or
            SIGTERM lets the current step finish, then ``fit`` raises
            :class:`TrainingInterrupted` with the trainer in a consistent state
            (save a checkpoint now and it resumes bit for bit); a second signal
            aborts at once. ``False`` leaves signals alone.

    Attributes:
        step: Completed generator updates; already incremented in ``on_step_end``.
        epoch: Completed passes over a finite data set.
        should_stop: Set to ``True`` (by a callback) to end :meth:`fit` after this step.
        ema_generator: The EMA copy of the generator, set by the EMA callback.
        last_real: The most recent real batch.

    Example:
        >>> import torch
        >>> from gankit import Trainer
        >>> from gankit.losses import NSGAN
        >>> from gankit.models import MLPDiscriminator, MLPGenerator
        >>> G = MLPGenerator(2, (2,), hidden=(16,))
        >>> D = MLPDiscriminator((2,), hidden=(16,))
        >>> trainer = Trainer(G, D, NSGAN(), seed=0, progress_bar=False)
        >>> _ = trainer.fit(torch.randn(256, 2), steps=5, batch_size=32)
        >>> trainer.step, tuple(trainer.sample(3).shape)
        (5, (3, 2))
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
        noise: Literal["normal", "uniform"] = "normal",
        precision: Precision = "fp32",
        grad_clip: float | None = None,
        compile: bool = False,
        divergence_guard: bool = True,
        progress_bar: bool = True,
        distributed: bool | None = None,
        sync_batchnorm: bool = False,
        channels_last: bool = False,
        handle_signals: bool = True,
    ) -> None:
        if not isinstance(generator, nn.Module) or not isinstance(discriminator, nn.Module):
            raise TypeError(
                "generator and discriminator must be nn.Modules, got "
                f"{type(generator).__name__} and {type(discriminator).__name__}"
            )
        if not isinstance(loss, Loss):
            raise TypeError(f"loss must be a gankit.losses.Loss, got {type(loss).__name__}")
        latent_dim = getattr(generator, "latent_dim", None)
        if not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(
                "the generator needs an int attribute latent_dim (the width of z), "
                f"got {latent_dim!r}"
            )
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive int, got {d_steps!r}")
        if noise not in ("normal", "uniform"):
            raise ValueError(f"noise must be 'normal' or 'uniform', got {noise!r}")
        if precision not in ("fp32", "bf16", "fp16"):
            raise ValueError(f"precision must be 'fp32', 'bf16' or 'fp16', got {precision!r}")
        if grad_clip is not None and not grad_clip > 0:
            raise ValueError(f"grad_clip must be a positive number or None, got {grad_clip!r}")
        callbacks = _callback_list(callbacks)
        self.device = _resolve_device(device)
        if precision == "fp16" and self.device.type != "cuda":
            raise ValueError("precision='fp16' needs a CUDA device; use 'bf16' on the CPU")
        self.dist: DistContext = init_distributed(distributed, self.device)
        if self.dist.enabled and seed is None:
            # Every process must draw the same random numbers: agree on one seed.
            shared = torch.randint(0, 2**31 - 1, (1,), dtype=torch.int64)
            torch.distributed.broadcast(shared, src=0)
            seed = int(shared)
        if seed is not None:
            seed_everything(seed)
        if sync_batchnorm:
            if self.device.type != "cuda":
                raise ValueError(
                    "sync_batchnorm=True needs CUDA; on the CPU BatchNorm is per process"
                )
            generator = nn.SyncBatchNorm.convert_sync_batchnorm(generator)
            discriminator = nn.SyncBatchNorm.convert_sync_batchnorm(discriminator)
        self.channels_last = channels_last
        self.generator = generator.to(self.device)
        self.discriminator = discriminator.to(self.device)
        if channels_last:  # only 4-D (convolution) weights change layout
            self.generator.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
            self.discriminator.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        if self.dist.enabled:
            broadcast_module_(self.generator)
            broadcast_module_(self.discriminator)
        self.loss = loss
        self.latent_dim: int = latent_dim
        self.num_classes: int | None = getattr(generator, "num_classes", None)
        self.d_steps = d_steps
        self.noise = noise
        self.precision: Precision = precision
        self.grad_clip = grad_clip
        self.handle_signals = bool(handle_signals)
        #: The signal that interrupted the last :meth:`fit`, or ``None``.
        self.interrupt_signal: int | None = None
        self.g_optimizer = _make_optimizer(g_optimizer, self.generator, "g_optimizer")
        self.d_optimizer = _make_optimizer(d_optimizer, self.discriminator, "d_optimizer")
        self._g_params = [p for p in self.generator.parameters() if p.requires_grad]
        self._d_params = [p for p in self.discriminator.parameters() if p.requires_grad]
        enabled = precision == "fp16"
        self.g_scaler = torch.amp.GradScaler(self.device.type, enabled=enabled)
        self.d_scaler = torch.amp.GradScaler(self.device.type, enabled=enabled)

        self.step = 0
        self.should_stop = False
        self.max_steps: int | None = None
        self.max_epochs: int | None = None
        self.ema_generator: nn.Module | None = None
        self.last_real: Tensor | None = None
        self._epoch = 0
        self._source: DataSource | None = None
        self._check_batches = True
        self._data: object = None
        self._pending_data_state: dict[str, Any] | None = None
        self._pending_rng_state: dict[str, Any] | None = None

        self._d_forward = self._discriminator_terms
        self._g_forward = self._generator_terms
        if compile:
            self._d_forward = torch.compile(self._discriminator_terms)
            self._g_forward = torch.compile(self._generator_terms)

        self.callbacks: list[Callback] = _default_callbacks(
            list(callbacks), divergence_guard, progress_bar
        )
        keys = [cb.state_key for cb in self.callbacks]
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"two callbacks share a state_key, so their checkpoint states would clash: {keys}; "
                "override state_key on one of them"
            )
        self._hooks = _bind_hooks(self.callbacks, rank_zero=self.dist.rank == 0)
        self._dispatch("setup")

    # ------------------------------------------------------------------ state
    @property
    def epoch(self) -> int:
        """Completed passes over the data (0 for infinite samplers)."""
        return self._epoch if self._source is None else self._source.completed_epochs

    @property
    def is_global_zero(self) -> bool:
        """Whether this process writes logs, pictures and checkpoints (rank 0)."""
        return self.dist.rank == 0

    def _dispatch(self, hook: str, *args: Any) -> None:
        for fn in self._hooks[hook]:
            fn(self, *args)

    # ------------------------------------------------------------------ noise
    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw latent vectors ``z`` of shape ``(n, latent_dim)`` on the trainer's device.

        Args:
            n: How many.
            generator: A torch generator (on the trainer's device) for reproducible noise.
        """
        shape = (n, self.latent_dim)
        if self.noise == "uniform":
            return torch.rand(shape, device=self.device, generator=generator).mul_(2).sub_(1)
        return torch.randn(shape, device=self.device, generator=generator)

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.precision == "fp32":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    # ------------------------------------------------------------------ steps
    def _discriminator_terms(
        self, real: Tensor, labels: Tensor | None, fake: Tensor, fake_labels: Tensor | None
    ) -> tuple[dict[str, Tensor], GANBatch]:
        batch = GANBatch(self.discriminator, real, fake, labels, fake_labels, self._rand)
        return self.loss.discriminator_terms(batch), batch

    def _generator_terms(
        self, real: Tensor, labels: Tensor | None, fake: Tensor, fake_labels: Tensor | None
    ) -> tuple[dict[str, Tensor], GANBatch]:
        batch = GANBatch(self.discriminator, real, fake, labels, fake_labels, self._rand)
        return self.loss.generator_terms(batch), batch

    def _rand(self, n: int, device: torch.device, dtype: torch.dtype) -> Tensor:
        """Per-sample uniforms for loss terms: drawn for the global batch, then sharded."""
        u = torch.rand(n * self.dist.world_size, device=device, dtype=dtype)
        return u if not self.dist.enabled else shard(u, self.dist)  # type: ignore[return-value]

    def _generate(self, n: int, labels: Tensor | None) -> Tensor:
        z = self.sample_noise(n * self.dist.world_size)
        if self.dist.enabled:
            z = shard(z, self.dist)  # type: ignore[assignment]
        return self.generator(z) if labels is None else self.generator(z, labels)

    def _next_batch(self, update: int = 1) -> tuple[Tensor, Tensor | None]:
        assert self._source is not None
        x, labels = self._source.next()
        if self._check_batches:
            check_batch(x, step=self.step + 1, update=update, d_steps=self.d_steps)
        if self.dist.enabled and not isinstance(self._source, LoaderSource):
            x, labels = shard(x, self.dist), shard(labels, self.dist)  # type: ignore[assignment]
        x = x.to(self.device, non_blocking=True)
        if self.channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        if labels is not None:
            labels = labels.to(self.device, non_blocking=True)
        if self.num_classes is None:
            labels = None
        elif labels is None:
            raise ValueError(
                f"the generator is conditional (num_classes={self.num_classes}) but the "
                "data has no labels; give (x, labels) data"
            )
        self.last_real = x
        return x, labels

    def _update(
        self,
        value: Tensor,
        params: list[nn.Parameter],
        optimizer: torch.optim.Optimizer,
        scaler: torch.amp.GradScaler,
    ) -> Tensor:
        """One optimizer step on ``params`` only; returns the gradient norm."""
        optimizer.zero_grad(set_to_none=True)
        grads = torch.autograd.grad(scaler.scale(value), params, allow_unused=True)
        if self.dist.enabled:
            all_reduce_mean_([g for g in grads if g is not None], self.dist.world_size)
        for p, g in zip(params, grads):
            p.grad = g
        present = [p.grad for p in params if p.grad is not None]
        if scaler.is_enabled():
            scaler.unscale_(optimizer)
        if self.grad_clip is not None:
            norm = torch.nn.utils.clip_grad_norm_(params, self.grad_clip)
        elif present:
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(present)))
        else:
            norm = value.new_zeros(()).detach()
        scaler.step(optimizer)
        scaler.update()
        return norm.detach()

    def _train_step(self) -> dict[str, Tensor | float]:
        """One step of Algorithm 1: ``d_steps`` D updates, then one G update."""
        metrics: dict[str, Tensor | float] = {}
        fake = real = labels = fake_labels = None
        d_batch: GANBatch | None = None
        for i in range(self.d_steps):
            real, labels = self._next_batch(i + 1)
            fake_labels = labels
            last = i == self.d_steps - 1
            with self._autocast():
                if last:
                    fake = self._generate(real.shape[0], fake_labels)
                    fake_in = fake.detach()
                else:
                    with torch.no_grad():
                        fake_in = self._generate(real.shape[0], fake_labels)
                d_terms, d_batch = self._d_forward(real, labels, fake_in, fake_labels)
                d_loss = total(d_terms, real)
            d_norm = self._update(d_loss, self._d_params, self.d_optimizer, self.d_scaler)
            d_metrics = {f"d/{k}": v.detach() for k, v in d_terms.items()}
            d_metrics["d_loss"] = d_loss.detach()
            self._dispatch("on_discriminator_step_end", d_metrics)
        assert fake is not None and real is not None and d_batch is not None
        metrics.update(d_metrics)
        metrics["d_grad_norm"] = d_norm
        for key, logits in (
            ("d_real", d_batch.computed_real_logits),
            ("d_fake", d_batch.computed_fake_logits),
        ):
            if logits is not None:
                metrics[key] = logits.detach().float().mean()

        with self._autocast():
            g_terms, _ = self._g_forward(real, labels, fake, fake_labels)
            g_loss = total(g_terms, fake)
        g_norm = self._update(g_loss, self._g_params, self.g_optimizer, self.g_scaler)
        g_metrics = {f"g/{k}": v.detach() for k, v in g_terms.items()}
        g_metrics["g_loss"] = g_loss.detach()
        if self.dist.enabled:
            average_buffers_(self.generator, self.dist.world_size)
            average_buffers_(self.discriminator, self.dist.world_size)
        self._dispatch("on_generator_step_end", g_metrics)
        metrics.update(g_metrics)
        metrics["g_grad_norm"] = g_norm
        return metrics

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        data: Any,
        *,
        steps: int | None = None,
        epochs: int | None = None,
        batch_size: int = 64,
    ) -> Trainer:
        """Train until ``steps`` generator updates or ``epochs`` passes, counted from the start.

        After :meth:`load_checkpoint` at step ``k``, ``fit(data, steps=N)`` trains
        the remaining ``N - k`` steps on the same batches an uninterrupted run
        would have used.

        Args:
            data: A ``DataLoader`` yielding tensors or ``(x, labels)``; a tensor
                ``(N, *S)`` or an ``(x, labels)`` tuple (batched with ``batch_size``
                and reshuffled each epoch); a map-style ``torch.utils.data.Dataset``
                whose items are tensors or ``(x, label)`` pairs (batched and
                reshuffled the same way, items collated with ``default_collate``);
                a data set with ``images`` and ``labels``; or a sampler with
                ``.sample(n, generator=...)`` (infinite). In-memory tensors are
                checked once for a floating dtype and finite values; every batch
                of the other kinds is checked before the models see it.
            steps: Total generator updates to reach.
            epochs: Total passes over finite data to reach.
            batch_size: Batch size for tensor and sampler data.

        Returns:
            The trainer itself.

        Raises:
            ValueError: If neither ``steps`` nor ``epochs`` is given (or only
                ``epochs`` for an infinite sampler), or they are not positive.
            DataError: If the data is not floating point or holds NaN or inf
                (naming the step and the first bad index).
            TrainingInterrupted: After SIGINT or SIGTERM, once the step in
                progress has finished (see ``handle_signals``).
        """
        for name, value in (("steps", steps), ("epochs", epochs)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise ValueError(f"{name} must be a non-negative int, got {value!r}")
        if steps is None and epochs is None:
            raise ValueError("fit() needs steps=N or epochs=N (both count from the start)")
        if self._source is None or self._data is not data:
            source = self._make_source(data, batch_size)
            if self._pending_data_state is not None:
                source.load_state_dict(self._pending_data_state)
                self._pending_data_state = None
            else:
                source.completed_epochs = self.epoch
            if self._pending_rng_state is not None:
                # Making the source drew from the global RNG; undo that draw.
                set_rng_state(self._pending_rng_state)
                self._pending_rng_state = None
            self._source, self._data = source, data
            self._check_batches = not getattr(source, "prechecked", False)
        if epochs is not None and steps is None and isinstance(self._source, SamplerSource):
            raise ValueError("a sampler is infinite: give fit() steps=N, not only epochs")
        self.max_steps, self.max_epochs = steps, epochs
        self.should_stop = False
        self.interrupt_signal = None
        self.generator.train()
        self.discriminator.train()
        try:
            with graceful_signals(self.handle_signals) as signals:
                self._dispatch("on_fit_start")
                while not self._finished():
                    epoch_before = self.epoch
                    metrics = self._train_step()
                    self.step += 1
                    self._dispatch("on_step_end", metrics)
                    if self.epoch > epoch_before:
                        self._dispatch("on_epoch_end")
                    stop, interrupted = self._stop_requested(signals.signum)
                    if interrupted is not None:
                        self.interrupt_signal = interrupted
                        raise TrainingInterrupted(interrupted, self.step)
                    if stop:
                        break
        except BaseException as exc:
            self._dispatch("on_exception", exc)
            raise
        self._dispatch("on_fit_end")
        return self

    def _make_source(self, data: Any, batch_size: int) -> DataSource:
        if isinstance(data, torch.utils.data.Dataset) and self.dist.enabled:
            raise TypeError(
                "distributed fit() takes a DataLoader, a tensor or a sampler; wrap the "
                "Dataset in a DataLoader, which each process then shards"
            )
        if not self.dist.enabled:
            return make_source(data, batch_size)
        if isinstance(data, torch.utils.data.DataLoader):
            return LoaderSource(distributed_loader(data, self.dist))
        # Tensors and samplers serve the global batch; each process keeps its block.
        return make_source(data, batch_size * self.dist.world_size)

    def _stop_requested(self, signum: int | None) -> tuple[bool, int | None]:
        """Whether to stop, and the interrupting signal; all processes agree on both."""
        if not self.dist.enabled:
            return self.should_stop, signum
        flag = torch.tensor(
            [float(self.should_stop), float(signum or 0)], device=self.device
        )
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
        self.should_stop = bool(flag[0].item())
        return self.should_stop, int(flag[1].item()) or None

    def _finished(self) -> bool:
        return (self.max_steps is not None and self.step >= self.max_steps) or (
            self.max_epochs is not None and self.epoch >= self.max_epochs
        )

    # ------------------------------------------------------------------ sampling
    @torch.no_grad()
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
            ValueError: If ``n`` is not a positive int, or ``noise`` or
                ``labels`` do not have ``n`` rows.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"sample(n) needs a positive int n, got {n!r}")
        if noise is not None and tuple(noise.shape) != (n, self.latent_dim):
            raise ValueError(
                f"noise must have shape ({n}, {self.latent_dim}), got {tuple(noise.shape)}"
            )
        if labels is not None and tuple(labels.shape) != (n,):
            raise ValueError(f"labels must have shape ({n},), got {tuple(labels.shape)}")
        model = self.ema_generator if self.ema_generator is not None else self.generator
        if noise is None:
            noise = self.sample_noise(n)
        noise = noise.to(self.device)
        if self.num_classes is not None and labels is None:
            labels = torch.arange(n, device=self.device) % self.num_classes
        was_training = model.training
        model.eval()
        try:
            out = model(noise) if labels is None else model(noise, labels.to(self.device))
        finally:
            model.train(was_training)
        return out

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly: models, optimizers, RNGs, data, callbacks."""
        return {
            "format": CHECKPOINT_FORMAT,
            "gankit_version": __version__,
            "step": self.step,
            "epoch": self.epoch,
            "generator": _model_spec(self.generator),
            "discriminator": _model_spec(self.discriminator),
            "ema_generator": None
            if self.ema_generator is None
            else self.ema_generator.state_dict(),
            "g_optimizer": self.g_optimizer.state_dict(),
            "d_optimizer": self.d_optimizer.state_dict(),
            "g_scaler": self.g_scaler.state_dict(),
            "d_scaler": self.d_scaler.state_dict(),
            "callbacks": {cb.state_key: cb.state_dict() for cb in self.callbacks},
            "rng": get_rng_state(),
            "data": None if self._source is None else self._source.state_dict(),
            "trainer": {
                "latent_dim": self.latent_dim,
                "num_classes": self.num_classes,
                "noise": self.noise,
                "d_steps": self.d_steps,
                "world_size": self.dist.world_size,
                "loss": repr(self.loss),
            },
        }

    def save_checkpoint(self, path: str | os.PathLike[str]) -> Path:
        """Write a checkpoint atomically (temp file, fsync, ``os.replace``).

        Args:
            path: Destination file.

        Returns:
            The path written.
        """
        return save_checkpoint_file(self.state_dict(), path)

    def run_settings(self) -> dict[str, Any]:
        """The settings a resumed run must share with the run that wrote the checkpoint.

        Returns:
            ``generator`` and ``discriminator`` (class, config and weights),
            ``loss`` (its ``repr``: terms and weights), ``d_steps``, ``noise``
            and ``world_size``, as :meth:`load_checkpoint` compares them.
        """
        return {
            "generator": _model_spec(self.generator),
            "discriminator": _model_spec(self.discriminator),
            "loss": repr(self.loss),
            "d_steps": self.d_steps,
            "noise": self.noise,
            "world_size": self.dist.world_size,
        }

    def load_checkpoint(
        self, path: str | os.PathLike[str], *, allow_mismatch: Iterable[str] = ()
    ) -> Trainer:
        """Restore a checkpoint written by :meth:`save_checkpoint`, for exact resume.

        Loads with ``torch.load(weights_only=True)`` only. Restores models,
        optimizers, scalers, EMA, callback states, step and epoch counters, every
        RNG, and the position in the data (applied by the next :meth:`fit`).

        First the checkpoint's recorded settings are compared with this
        trainer's (:meth:`run_settings`): the models' classes, configs and
        tensor shapes, the loss terms and weights, ``d_steps``, ``noise`` and
        the number of processes. A difference stops with one line naming the
        setting and both values.

        Args:
            path: The checkpoint file.
            allow_mismatch: Settings that may differ from the checkpoint's, out
                of ``"generator"``, ``"discriminator"``, ``"loss"``,
                ``"d_steps"``, ``"noise"``, ``"world_size"``. The run then no
                longer equals the one that wrote the checkpoint.

        Raises:
            CheckpointError: If the file is missing, corrupt or unsafe, a setting
                differs, or a state does not fit these models, optimizers or
                callbacks.
        """
        ckpt = load_checkpoint_file(path)
        saved = {**ckpt.get("trainer", {}), "generator": ckpt["generator"],
                 "discriminator": ckpt["discriminator"]}
        check_resume(saved, self.run_settings(), path=str(path), allow=set(allow_mismatch))
        try:
            self.generator.load_state_dict(ckpt["generator"]["state_dict"])
            self.discriminator.load_state_dict(ckpt["discriminator"]["state_dict"])
            self.g_optimizer.load_state_dict(ckpt["g_optimizer"])
            self.d_optimizer.load_state_dict(ckpt["d_optimizer"])
            if ckpt.get("ema_generator") is not None and self.ema_generator is not None:
                self.ema_generator.load_state_dict(ckpt["ema_generator"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise CheckpointError(
                f"checkpoint {str(path)!r} does not fit this trainer's models or "
                f"optimizers: {exc}"
            ) from None
        self.g_scaler.load_state_dict(ckpt["g_scaler"])
        self.d_scaler.load_state_dict(ckpt["d_scaler"])
        states = ckpt.get("callbacks", {})
        for cb in self.callbacks:
            if cb.state_key in states:
                try:
                    cb.load_state_dict(states[cb.state_key])
                except Exception as exc:
                    raise CheckpointError(
                        f"checkpoint {str(path)!r}: callback {type(cb).__name__} (state_key "
                        f"{cb.state_key!r}) could not load its state: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
        self.step = int(ckpt["step"])
        self._epoch = int(ckpt["epoch"])
        self._source, self._data = None, None
        self._pending_data_state = ckpt.get("data")
        self._pending_rng_state = ckpt["rng"]
        set_rng_state(ckpt["rng"])
        return self


# ---------------------------------------------------------------------- helpers
def _resolve_device(device: str | torch.device) -> torch.device:
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto' or a torch device, got {device!r}") from exc


def _callback_list(callbacks: Any) -> list[Callback]:
    """One callback or an iterable of them, as a list; anything else is a TypeError."""
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Iterable):
        raise TypeError(
            "callbacks must be a gankit.callbacks.Callback or a sequence of them, "
            f"got {type(callbacks).__name__}"
        )
    out = list(callbacks)
    for cb in out:
        if not isinstance(cb, Callback):
            raise TypeError(
                f"callbacks must be gankit.callbacks.Callback objects, got {type(cb).__name__}"
            )
    return out


def _make_optimizer(
    spec: torch.optim.Optimizer | OptimizerFactory | None, model: nn.Module, name: str
) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"{name}: the model has no trainable parameters")
    if spec is None:
        return _default_optimizer(params)
    if isinstance(spec, torch.optim.Optimizer):
        owned = {id(p) for group in spec.param_groups for p in group["params"]}
        if not owned & {id(p) for p in params}:
            raise ValueError(f"{name} does not optimise any parameter of its model")
        return spec
    if callable(spec):
        opt = spec(params)
        if not isinstance(opt, torch.optim.Optimizer):
            raise TypeError(f"{name} factory must return an Optimizer, got {type(opt).__name__}")
        return opt
    raise TypeError(f"{name} must be an Optimizer, a factory or None, got {type(spec).__name__}")


def _default_callbacks(
    callbacks: list[Callback], divergence_guard: bool, progress_bar: bool
) -> list[Callback]:
    from gankit.callbacks import DivergenceGuard, ProgressBar

    out = list(callbacks)
    if progress_bar and not any(isinstance(cb, ProgressBar) for cb in out):
        out.append(ProgressBar())
    if divergence_guard and not any(isinstance(cb, DivergenceGuard) for cb in out):
        out.insert(0, DivergenceGuard())
    return out


def _bind_hooks(
    callbacks: Iterable[Callback], *, rank_zero: bool = True
) -> dict[str, list[Callable[..., None]]]:
    """For each hook, the bound methods of the callbacks that override it.

    Callbacks marked ``rank_zero_only`` (those that write files) are bound only
    on the process of rank 0.
    """
    table: dict[str, list[Callable[..., None]]] = {hook: [] for hook in HOOKS}
    for cb in callbacks:
        if cb.rank_zero_only and not rank_zero:
            continue
        for hook in HOOKS:
            if getattr(type(cb), hook) is not getattr(Callback, hook):
                table[hook].append(getattr(cb, hook))
    return table
