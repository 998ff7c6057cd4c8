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
mean logit on the real and the fake batch of its last update.
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
from gankit.training._distributed import DistContext, all_reduce_mean_, average_buffers_, shard

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
    ) -> None:
        self.loss = loss
        self.d_steps = d_steps
        self.precision: Precision = precision
        self.device_type = device_type
        self.grad_clip = grad_clip
        self.dist = dist
        self.noise = noise
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

    def _batch(self, d: nn.Module, real: Tensor, labels: Tensor | None, fake: Tensor) -> GANBatch:
        return GANBatch(d, real, fake, labels, labels, self._rand)

    def _terms_d(
        self, d: nn.Module, real: Tensor, labels: Tensor | None, fake: Tensor
    ) -> tuple[dict[str, Tensor], GANBatch]:
        batch = self._batch(d, real, labels, fake)
        return self.loss.discriminator_terms(batch), batch

    def _terms_g(
        self, d: nn.Module, real: Tensor, labels: Tensor | None, fake: Tensor
    ) -> tuple[dict[str, Tensor], GANBatch]:
        batch = self._batch(d, real, labels, fake)
        return self.loss.generator_terms(batch), batch

    def _rand(self, n: int, device: torch.device, dtype: torch.dtype) -> Tensor:
        """Per-sample uniforms for loss terms: drawn for the global batch, then sharded."""
        u = torch.rand(n * self.dist.world_size, device=device, dtype=dtype)
        return u if not self.dist.enabled else shard(u, self.dist)  # type: ignore[return-value]

    def generate(self, generator: nn.Module, n: int, labels: Tensor | None) -> Tensor:
        """``G(z)`` or ``G(z, labels)`` for ``n`` fresh latent vectors (this process's shard)."""
        z = self.noise(n * self.dist.world_size)  # (P·n, latent_dim): the global batch
        if self.dist.enabled:
            z = shard(z, self.dist)  # type: ignore[assignment]
        return generator(z) if labels is None else generator(z, labels)

    def update(self, value: Tensor, player: Player) -> Tensor:
        """One optimizer step of ``player`` on ``value``; returns the gradient norm (0-dim)."""
        params, optimizer, scaler = player.params, player.optimizer, player.scaler
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

    def __call__(
        self, g: Player, d: Player, next_batch: NextBatch, publish: Publish
    ) -> LoggedMetrics:
        """Run one step: ``d_steps`` discriminator updates, then one generator update.

        Args:
            g: The generator's side.
            d: The discriminator's side.
            next_batch: The next real batch and its labels (``None`` unconditional).
            publish: Called with ``"on_discriminator_step_end"`` after each D
                update and ``"on_generator_step_end"`` after the G update.

        Returns:
            The step's metrics (see the module docstring), detached 0-dim tensors.
        """
        metrics = LoggedMetrics()
        fake = real = labels = None
        batch: GANBatch | None = None
        for i in range(self.d_steps):
            real, labels = next_batch(i + 1)
            last = i == self.d_steps - 1
            with self.autocast():
                if last:  # keep G's graph: this fake batch also serves the G update
                    fake = self.generate(g.module, real.shape[0], labels)
                    fake_in = fake.detach()
                else:
                    with torch.no_grad():
                        fake_in = self.generate(g.module, real.shape[0], labels)
                terms, batch = self._d_terms(d.module, real, labels, fake_in)
                d_loss = total(terms, real)
            d_norm = self.update(d_loss, d)
            d_metrics = _player_metrics("d", terms, d_loss)
            publish("on_discriminator_step_end", d_metrics)
        assert fake is not None and real is not None and batch is not None
        metrics.update(d_metrics)
        metrics["d/grad_norm"] = d_norm
        for key, logits in (
            ("d/real_logit", batch.computed_real_logits),
            ("d/fake_logit", batch.computed_fake_logits),
        ):
            if logits is not None:
                metrics[key] = logits.detach().float().mean()

        with self.autocast():
            terms, _ = self._g_terms(d.module, real, labels, fake)
            g_loss = total(terms, fake)
        g_norm = self.update(g_loss, g)
        g_metrics = _player_metrics("g", terms, g_loss)
        if self.dist.enabled:
            average_buffers_(g.module, self.dist.world_size)
            average_buffers_(d.module, self.dist.world_size)
        publish("on_generator_step_end", g_metrics)
        metrics.update(g_metrics)
        metrics["g/grad_norm"] = g_norm
        return metrics


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
