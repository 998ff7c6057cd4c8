"""One step of Algorithm 1 (Goodfellow et al. 2014): k discriminator updates, one generator update.

Read beside the paper::

    for number of training iterations do
        for k steps do                                    # d_steps
            sample m noise samples z and m data samples x
            update D by ascending its stochastic gradient # one optimizer step
        sample m noise samples z
        update G by descending its stochastic gradient    # one optimizer step

gankit's losses are minimised by both players, so "ascending" D's objective is
descending ``loss.discriminator_terms``. Every update takes exactly one
optimizer step however many terms the loss has; the fake batch is detached for
the discriminator updates; the discriminator's parameters get no gradient from
the generator update (``torch.autograd.grad`` over the generator's parameters
only); gradients are cleared with ``zero_grad(set_to_none=True)``. The fake
batch of the last discriminator update is generated with the generator's graph
attached and reused for the generator update, so it is generated once.

The step logs, for each player ``p`` in ``d`` and ``g``: ``p/<term>`` (every
loss term), ``p/loss`` (their sum) and ``p/grad_norm`` (the gradient norm
before clipping); and ``d/real_logit`` and ``d/fake_logit``, the discriminator's
mean logit on the real and the fake batch of its last update. These four
diagnostics are computed only when the trainer asks (``diagnostics=True``: a
callback reads them at this step); the updates are the same either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import Tensor, nn

from gankit.callbacks._metrics import DIAGNOSTICS, LoggedMetrics
from gankit.losses.base import GANBatch, Loss, total
from gankit.training._accumulation import MicroBatchRandom, add_gradients, micro_batches
from gankit.training._augmented import AugmentedDiscriminator
from gankit.training._distributed import (
    DistContext,
    all_reduce_mean_,
    average_buffers_,
    gather,
    shard,
)

__all__ = ["RESERVED_KEYS", "AdversarialStep", "Player", "Precision"]

Precision = Literal["fp32", "bf16", "fp16"]

#: Keys the step writes itself beside the loss terms; no term may take these names.
RESERVED_KEYS: frozenset[str] = DIAGNOSTICS | {"loss"}

#: ``(update) -> (real (B, *S), labels (B,) | None)``: the next real batch, for D update ``update``.
NextBatch = Callable[[int], "tuple[Tensor, Tensor | None]"]

#: ``(hook name, metrics)``: hands a player's metrics to the callbacks.
Publish = Callable[[str, Mapping[str, "Tensor | float"]], None]


@dataclass
class Player:
    """One side of the game: a network, its trainable parameters, optimizer and grad scaler.

    Attributes:
        module: The generator or the discriminator.
        params: Its parameters with ``requires_grad`` (listed once, here).
        optimizer: The optimizer over ``params``.
        scaler: The fp16 gradient scaler (disabled unless ``precision="fp16"``).
    """

    module: nn.Module
    params: list[nn.Parameter]
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler


class AdversarialStep:
    """The update maths of one training step; the trainer supplies data and noise.

    Args:
        loss: The composed loss (terms for each player).
        d_steps: Discriminator updates per generator update (``k``).
        precision: ``"fp32"``, ``"bf16"`` or ``"fp16"`` autocast.
        device_type: ``"cpu"`` or ``"cuda"``, for autocast.
        grad_clip: Clip each network's gradient norm to this value, or ``None``.
        dist: The process group; gradients and buffers are averaged over it.
        noise: ``n -> z`` of shape ``(n, latent_dim)``: the latent prior.
        compile: Compile the two loss computations with ``torch.compile``.
        augment: A module applied to every batch the discriminator judges
            (``_augmented.py``), or ``None``.
        accumulate: Micro-batches per update (``_accumulation.py``).
    """

    def __init__(
        self,
        loss: Loss,
        *,
        d_steps: int,
        precision: Precision,
        device_type: str,
        grad_clip: float | None,
        dist: DistContext,
        noise: Callable[[int], Tensor],
        compile: bool = False,
        augment: nn.Module | None = None,
        accumulate: int = 1,
    ) -> None:
        self.loss = loss
        self.d_steps = d_steps
        self.precision: Precision = precision
        self.device_type = device_type
        self.grad_clip = grad_clip
        self.dist = dist
        self.noise = noise
        self.augment = augment
        self.accumulate = accumulate
        self._rand = MicroBatchRandom(self._global_rand)
        self._norms = True  # this step computes the gradient norms (diagnostics)
        self._d_terms: Callable[..., tuple[dict[str, Tensor], GANBatch]] = self._terms_d
        self._g_terms: Callable[..., tuple[dict[str, Tensor], GANBatch]] = self._terms_g
        if compile:
            self._d_terms = torch.compile(self._terms_d)
            self._g_terms = torch.compile(self._terms_g)

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        """The autocast context of ``precision`` (a no-op for fp32)."""
        if self.precision == "fp32":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device_type, dtype=dtype)

    def judge(self, d: nn.Module) -> nn.Module:
        """The discriminator the loss terms call: ``D``, or ``D ∘ augment``."""
        return d if self.augment is None else AugmentedDiscriminator(d, self.augment)

    def _batch(self, d: nn.Module, real: Tensor, labels: Tensor | None, fake: Tensor,
               d_update: int) -> GANBatch:
        return GANBatch(d, real, fake, labels, labels, self._rand, d_update=d_update)

    def _terms_d(
        self, d: nn.Module, real: Tensor, labels: Tensor | None, fake: Tensor, d_update: int
    ) -> tuple[dict[str, Tensor], GANBatch]:
        batch = self._batch(d, real, labels, fake, d_update)
        return self.loss.discriminator_terms(batch), batch

    def _terms_g(
        self, d: nn.Module, real: Tensor, labels: Tensor | None, fake: Tensor, d_update: int
    ) -> tuple[dict[str, Tensor], GANBatch]:
        batch = self._batch(d, real, labels, fake, d_update)
        return self.loss.generator_terms(batch), batch

    def _global_rand(self, n: int, device: torch.device, dtype: torch.dtype) -> Tensor:
        """Per-sample uniforms for loss terms: drawn for the global batch, then sharded."""
        u = torch.rand(n * self.dist.world_size, device=device, dtype=dtype)
        return u if not self.dist.enabled else shard(u, self.dist)  # type: ignore[return-value]

    def latent(self, n: int) -> Tensor:
        """``n`` latent vectors for this process: drawn for the global batch, then sharded."""
        z = self.noise(n * self.dist.world_size)  # (P·n, latent_dim): the global batch
        return z if not self.dist.enabled else shard(z, self.dist)  # type: ignore[return-value]

    def generate(self, generator: nn.Module, n: int, labels: Tensor | None) -> Tensor:
        """``G(z)`` or ``G(z, labels)`` for ``n`` fresh latent vectors (this process's shard)."""
        return _call_generator(generator, self.latent(n), labels)

    def gradients(self, value: Tensor, player: Player) -> list[Tensor | None]:
        """The gradients of the (fp16-scaled) ``value`` over ``player``'s parameters."""
        return list(torch.autograd.grad(player.scaler.scale(value), player.params,
                                        allow_unused=True))

    def apply(self, grads: list[Tensor | None], player: Player, *,
              norm: bool = True) -> Tensor | None:
        """One optimizer step of ``player`` on ``grads``; returns the gradient norm (0-dim).

        With ``norm=False`` (and no ``grad_clip``, which needs it) the norm is
        not computed and ``None`` is returned.
        """
        params, optimizer, scaler = player.params, player.optimizer, player.scaler
        optimizer.zero_grad(set_to_none=True)
        if self.dist.enabled:
            all_reduce_mean_([g for g in grads if g is not None], self.dist.world_size)
        for p, g in zip(params, grads):
            p.grad = g
        present = [p.grad for p in params if p.grad is not None]
        if scaler.is_enabled():
            scaler.unscale_(optimizer)
        value: Tensor | None = None
        if self.grad_clip is not None:
            value = torch.nn.utils.clip_grad_norm_(params, self.grad_clip)
        elif not norm:
            pass
        elif present:
            value = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(present)))
        else:
            value = params[0].new_zeros(())
        scaler.step(optimizer)
        scaler.update()
        return None if value is None or not norm else value.detach()

    def update(self, value: Tensor, player: Player) -> Tensor:
        """One optimizer step of ``player`` on ``value``; returns the gradient norm (0-dim)."""
        norm = self.apply(self.gradients(value, player), player)
        assert norm is not None
        return norm

    def __call__(
        self, g: Player, d: Player, next_batch: NextBatch, publish: Publish, *, step: int = 0,
        diagnostics: bool = True,
    ) -> LoggedMetrics:
        """Run one step: ``d_steps`` discriminator updates, then one generator update.

        Args:
            g: The generator's side.
            d: The discriminator's side.
            next_batch: The next real batch and its labels (``None`` unconditional):
                ``accumulate`` micro-batches' worth.
            publish: Called with ``"on_discriminator_step_end"`` after each D
                update and ``"on_generator_step_end"`` after the G update.
            step: Completed generator updates before this step; discriminator
                update ``i`` of the step is update ``step·d_steps + i`` of the
                run (:attr:`GANBatch.d_update`, read by lazy regularisers).
            diagnostics: Compute the gradient norms and mean logits; without,
                the metrics hold the loss terms only (and the updates are the same).

        Returns:
            The step's metrics (see the module docstring), detached 0-dim tensors.
        """
        metrics = LoggedMetrics()
        judge = self.judge(d.module)
        real = labels = z = None
        last: _Update | None = None
        self._norms = diagnostics
        for i in range(self.d_steps):
            real, labels = next_batch(i + 1)
            z = self.latent(real.shape[0])
            keep = i == self.d_steps - 1 and self.accumulate == 1
            last = self._discriminator_update(g, d, judge, real, labels, z,
                                              step * self.d_steps + i, keep)
            publish("on_discriminator_step_end", last.metrics)
        assert last is not None and real is not None and z is not None
        metrics.update(last.metrics)
        if diagnostics:
            assert last.norm is not None
            metrics["d/grad_norm"] = last.norm
            for key, logits in (("d/real_logit", last.real_logits),
                                ("d/fake_logit", last.fake_logits)):
                if logits is not None:
                    metrics[key] = logits.float().mean()

        g_metrics, g_norm = self._generator_update(g, judge, real, labels, z, last.fake,
                                                   (step + 1) * self.d_steps - 1)
        if self.dist.enabled:
            average_buffers_(g.module, self.dist.world_size)
            average_buffers_(d.module, self.dist.world_size)
        publish("on_generator_step_end", g_metrics)
        metrics.update(g_metrics)
        if g_norm is not None:
            metrics["g/grad_norm"] = g_norm
        if self.augment is not None:
            for key, value in getattr(self.augment, "log_metrics", dict)().items():
                metrics[key] = torch.tensor(float(value), dtype=torch.float64)
        return metrics

    def _discriminator_update(
        self, g: Player, d: Player, judge: nn.Module, real: Tensor, labels: Tensor | None,
        z: Tensor, d_update: int, keep_graph: bool,
    ) -> _Update:
        """One discriminator update over the batch's micro-batches."""
        fake: Tensor | None = None

        def evaluate(rows: slice) -> tuple[dict[str, Tensor], Tensor, tuple[Tensor | None, ...]]:
            nonlocal fake
            x, y = real[rows], None if labels is None else labels[rows]
            if keep_graph:  # keep G's graph: this fake batch also serves the G update
                fake = _call_generator(g.module, z[rows], y)
                fake_in = fake.detach()
            else:
                with torch.no_grad():
                    fake_in = _call_generator(g.module, z[rows], y)
            terms, batch = self._d_terms(judge, x, y, fake_in, d_update)
            logits = (batch.computed_real_logits, batch.computed_fake_logits)
            return terms, total(terms, x), tuple(t if t is None else t.detach() for t in logits)

        terms, norm, logits = self._micro_batched(d, real.shape[0], evaluate)
        reals, fakes = (_cat([part[k] for part in logits]) for k in (0, 1))
        if self.augment is not None and reals is not None:
            observe = getattr(self.augment, "observe", None)
            if callable(observe):  # every process sees the global batch's logits (ADA's p agrees)
                observe(gather(reals, self.dist))
        return _Update(_player_metrics("d", terms, _sum(terms, real)), norm, reals, fakes, fake)

    def _generator_update(
        self, g: Player, judge: nn.Module, real: Tensor, labels: Tensor | None, z: Tensor,
        fake: Tensor | None, d_update: int,
    ) -> tuple[LoggedMetrics, Tensor | None]:
        """One generator update, on the last D update's fakes or fakes made per micro-batch."""

        def evaluate(rows: slice) -> tuple[dict[str, Tensor], Tensor, tuple[Tensor | None, ...]]:
            y = None if labels is None else labels[rows]
            made = fake if fake is not None else _call_generator(g.module, z[rows], y)
            terms, _ = self._g_terms(judge, real[rows], y, made, d_update)
            return terms, total(terms, made), ()

        terms, norm, _ = self._micro_batched(g, real.shape[0], evaluate)
        return _player_metrics("g", terms, _sum(terms, real)), norm

    def _micro_batched(
        self, player: Player, n: int,
        evaluate: Callable[[slice], tuple[dict[str, Tensor], Tensor, tuple[Tensor | None, ...]]],
    ) -> tuple[dict[str, Tensor], Tensor | None, list[tuple[Tensor | None, ...]]]:
        """One optimizer step of ``player`` over the ``accumulate`` micro-batches of ``n`` samples.

        ``evaluate(rows)`` returns the micro-batch's terms, their sum and what
        the caller keeps of it; the gradients are weighted by each micro-batch's
        share of ``n`` (``_accumulation.py``). Returns the batch's weighted
        terms, the gradient norm and what ``evaluate`` kept, per micro-batch.
        """
        parts = micro_batches(n, self.accumulate)
        grads: list[Tensor | None] | None = None
        terms_sum: dict[str, Tensor] = {}
        kept = []
        self._rand.begin(n)
        for j, rows in enumerate(parts):
            self._rand.chunk(j, rows)
            with self.autocast():
                terms, value, keep = evaluate(rows)
            weight = (rows.stop - rows.start) / n
            grads = add_gradients(grads, self.gradients(value * weight if len(parts) > 1
                                                        else value, player))
            _add_terms(terms_sum, terms, weight)
            kept.append(keep)
        self._rand.end()
        assert grads is not None
        return terms_sum, self.apply(grads, player, norm=self._norms), kept


@dataclass
class _Update:
    """What one discriminator update leaves for the step's metrics and the G update."""

    metrics: LoggedMetrics
    norm: Tensor | None  # None when the step computes no diagnostics
    real_logits: Tensor | None  # D(real) over the whole batch, detached
    fake_logits: Tensor | None
    fake: Tensor | None  # the fake batch with G's graph (accumulate == 1, last update)


def _call_generator(generator: nn.Module, z: Tensor, labels: Tensor | None) -> Tensor:
    return generator(z) if labels is None else generator(z, labels)


def _add_terms(into: dict[str, Tensor], terms: Mapping[str, Tensor], weight: float) -> None:
    """``into[k] += weight · terms[k]``, detached; a lone micro-batch adds the terms as they are."""
    for key, value in terms.items():
        part = value.detach() if weight == 1.0 else weight * value.detach()
        into[key] = part if key not in into else into[key] + part


def _cat(parts: list[Tensor | None]) -> Tensor | None:
    """The micro-batches' tensors concatenated, or ``None`` if any is missing."""
    if any(t is None for t in parts):
        return None
    return torch.cat(parts)  # type: ignore[arg-type]


def _sum(terms: Mapping[str, Tensor], like: Tensor) -> Tensor:
    return total(terms, like).detach()


def _player_metrics(player: str, terms: Mapping[str, Tensor], value: Tensor) -> LoggedMetrics:
    """``{"<player>/<term>": ..., "<player>/loss": sum}``, detached."""
    clash = RESERVED_KEYS.intersection(terms)
    if clash:
        raise ValueError(
            f"a loss term may not be named {sorted(clash)[0]!r}: the trainer logs "
            f"'{player}/{sorted(clash)[0]}' itself (reserved: {sorted(RESERVED_KEYS)})"
        )
    out = LoggedMetrics({f"{player}/{k}": v.detach() for k, v in terms.items()})
    out[f"{player}/loss"] = value.detach()
    return out
