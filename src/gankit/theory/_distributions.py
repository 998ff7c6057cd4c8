"""Private machinery shared by :mod:`gankit.theory`: checks, log-densities, sampling.

Two ways of computing an expectation under a distribution live here:

* **exact**, for two :class:`~torch.distributions.Categorical` distributions on
  the same support ``{0, ..., K - 1}``: a float64 sum weighted by the
  probabilities, with the convention ``0 * anything = 0``;
* **Monte Carlo**, for any pair of unbatched distributions with the same event
  shape: the float64 mean of ``n_samples`` draws and its standard error.

Log-densities are float64 and equal ``-inf`` outside a distribution's support,
so ``log q(x)`` at a point ``q`` cannot produce is ``-inf`` rather than an error.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor
from torch.distributions import Categorical, Distribution

__all__ = [
    "LOG_2",
    "Estimate",
    "call_discriminator",
    "categorical_log_probs",
    "check_n_samples",
    "check_pair",
    "expectation",
    "finish",
    "log_prob",
    "mc_mean",
    "sample",
    "two_sided_mean",
    "use_exact",
]

#: ``log 2`` in nats.
LOG_2 = math.log(2.0)

#: What the public functions return: a 0-dim float64 tensor, or ``(value, stderr)``.
Estimate = Tensor | tuple[Tensor, Tensor]

#: Per-point values of an expectation's integrand: points ``(n, *event_shape)`` to ``(n,)``.
Integrand = Callable[[Tensor], Tensor]


def _check_distribution(dist: object, name: str) -> Distribution:
    if not isinstance(dist, Distribution):
        raise TypeError(
            f"{name} must be a torch.distributions.Distribution (with .sample and "
            f".log_prob), got {type(dist).__name__}"
        )
    if dist.batch_shape != torch.Size():
        raise ValueError(
            f"{name} must be a single (unbatched) distribution with batch_shape (), "
            f"got batch_shape {tuple(dist.batch_shape)}"
        )
    return dist


def check_pair(p: object, q: object, name_p: str, name_q: str) -> None:
    """Check that ``p`` and ``q`` are two comparable unbatched distributions.

    Raises:
        TypeError: If either is not a :class:`~torch.distributions.Distribution`.
        ValueError: If either is batched, if only one is Categorical, if two
            Categoricals have different numbers of categories, or if the event
            shapes differ.
    """
    p = _check_distribution(p, name_p)
    q = _check_distribution(q, name_q)
    if isinstance(p, Categorical) != isinstance(q, Categorical):
        raise ValueError(
            f"{name_p} and {name_q} must both be Categorical or both be non-Categorical, "
            f"got {type(p).__name__} and {type(q).__name__}"
        )
    if (
        isinstance(p, Categorical)
        and isinstance(q, Categorical)
        and p.param_shape != q.param_shape
    ):
        raise ValueError(
            f"{name_p} and {name_q} must have the same number of categories (support "
            f"size), got {p.param_shape[-1]} and {q.param_shape[-1]}"
        )
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"{name_p} and {name_q} must have the same event_shape, "
            f"got {tuple(p.event_shape)} and {tuple(q.event_shape)}"
        )


def check_n_samples(n_samples: object) -> None:
    """Check that ``n_samples`` is ``None`` or an integer of at least 2.

    Raises:
        TypeError: If ``n_samples`` is not an int.
        ValueError: If ``n_samples < 2`` (a standard error needs two samples).
    """
    if n_samples is None:
        return
    if isinstance(n_samples, bool) or not isinstance(n_samples, int):
        raise TypeError(f"n_samples must be an int or None, got {type(n_samples).__name__}")
    if n_samples < 2:
        raise ValueError(
            f"n_samples must be at least 2 (the standard error needs two samples), "
            f"got {n_samples}"
        )


def use_exact(p: Distribution, n_samples: int | None) -> bool:
    """Return ``True`` for the exact sum, ``False`` for Monte Carlo.

    Exact needs both distributions to be Categorical (checked by :func:`check_pair`)
    and ``n_samples=None``; a given ``n_samples`` forces Monte Carlo.

    Raises:
        ValueError: If ``p`` is not Categorical and ``n_samples`` is ``None``.
    """
    if n_samples is not None:
        return False
    if isinstance(p, Categorical):
        return True
    raise ValueError(
        f"{type(p).__name__} is not a discrete Categorical distribution, so the "
        "expectation is estimated by Monte Carlo: pass n_samples=<int>, e.g. n_samples=100_000"
    )


def categorical_log_probs(dist: Categorical) -> tuple[Tensor, Tensor]:
    """Return the float64 probabilities and log-probabilities of a Categorical.

    A Categorical built from ``probs`` is read from its probabilities, so an
    impossible category has log-probability exactly ``-inf`` (its ``logits`` are
    clamped to ``log(eps)``); one built from ``logits`` is read from its logits.

    Shape:
        Both outputs: ``(K,)``.
    """
    probs = vars(dist).get("probs")  # set by the constructor, or cached on first access
    built_from_probs = getattr(dist, "_param", None) is probs
    if isinstance(probs, Tensor) and built_from_probs:
        p = probs.to(torch.float64)
        p = p / p.sum(-1, keepdim=True)
        return p, torch.log(p)
    log_p = torch.log_softmax(dist.logits.to(torch.float64), dim=-1)
    return log_p.exp(), log_p


def expectation(probs: Tensor, values: Tensor) -> Tensor:
    """Return ``sum(probs * values)`` in float64 with ``0 * anything = 0``.

    Shape:
        ``probs`` and ``values``: ``(K,)``; output: ``()``.
    """
    safe = torch.where(probs > 0, values, torch.zeros_like(values))
    return torch.where(probs > 0, probs * safe, torch.zeros_like(safe)).sum()


def log_prob(dist: Distribution, x: Tensor) -> Tensor:
    """Return ``log dist(x)`` in float64, ``-inf`` where ``x`` is outside the support.

    Shape:
        ``x``: ``(n, *event_shape)``; output: ``(n,)``.
    """
    n = x.shape[0]
    if isinstance(dist, Categorical):
        return categorical_log_probs(dist)[1][x.long()]
    support = dist.support
    if support is None:
        return dist.log_prob(x).to(torch.float64)
    try:
        inside = support.check(x).reshape(n, -1).all(dim=1)  # (n,)
    except (NotImplementedError, ValueError):  # a dependent support cannot be checked
        return dist.log_prob(x).to(torch.float64)
    if bool(inside.all()):
        return dist.log_prob(x).to(torch.float64)
    out = torch.full((n,), -math.inf, dtype=torch.float64, device=x.device)
    if bool(inside.any()):
        out[inside] = dist.log_prob(x[inside]).to(torch.float64)
    return out


def sample(dist: Distribution, n: int, generator: torch.Generator | None) -> Tensor:
    """Draw ``n`` samples of ``dist``; reproducibly from ``generator`` if one is given.

    Distributions draw from the global RNG, so with a ``generator`` the draw runs
    inside :func:`torch.random.fork_rng` seeded from it, leaving the global RNG
    untouched.

    Shape:
        Output: ``(n, *event_shape)``.
    """
    if generator is None:
        return dist.sample((n,))
    seed = int(torch.randint(0, 2**62, (), generator=generator))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return dist.sample((n,))


def mc_mean(*terms: tuple[float, Tensor]) -> tuple[Tensor, Tensor]:
    """Return ``sum_i w_i * mean(t_i)`` and its standard error for independent samples.

    Args:
        *terms: Pairs ``(w_i, t_i)`` of a weight and a float64 tensor of i.i.d.
            per-sample values of shape ``(n_i,)``.

    Returns:
        The estimate and ``sqrt(sum_i w_i**2 var(t_i) / n_i)``, both 0-dim float64.
        A value of ``+inf`` in some ``t_i`` gives an estimate of ``inf`` and a
        standard error of ``nan``.
    """
    value = sum((w * t.mean() for w, t in terms), torch.zeros((), dtype=torch.float64))
    var = sum(
        (w**2 * t.var() / t.shape[0] for w, t in terms), torch.zeros((), dtype=torch.float64)
    )
    return value, var.sqrt()


def finish(value: Tensor, stderr: Tensor | None, return_stderr: bool) -> Estimate:
    """Return ``value`` or ``(value, stderr)``; an exact value has a standard error of 0."""
    if not return_stderr:
        return value
    return value, torch.zeros_like(value) if stderr is None else stderr


def call_discriminator(d: Callable[[Tensor], Tensor], x: Tensor, name: str) -> Tensor:
    """Call ``d(x)`` and check that it returns one float logit per sample, as float64.

    Raises:
        ValueError: If ``d(x)`` is not a tensor of shape ``(n,)``.
    """
    out = d(x)
    if not isinstance(out, Tensor) or out.shape != (x.shape[0],):
        shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        raise ValueError(
            f"{name} must return logits of shape ({x.shape[0]},) for samples of shape "
            f"{tuple(x.shape)}, got {shape}"
        )
    return out.to(torch.float64)


def two_sided_mean(
    p: Distribution,
    q: Distribution,
    weight: float,
    f: Integrand,
    g: Integrand,
    *,
    n_samples: int | None,
    generator: torch.Generator | None,
    return_stderr: bool,
) -> Estimate:
    r"""Return :math:`w\,\mathbb{E}_{x \sim p}[f(x)] + w\,\mathbb{E}_{y \sim q}[g(y)]`.

    For two Categoricals (and ``n_samples=None``) both expectations are exact
    sums over the categories ``0 … K − 1``; otherwise ``x`` and then ``y`` are
    drawn (``n_samples`` each, from ``generator``) and averaged by
    :func:`mc_mean`. ``f`` and ``g`` are called only after both draws.

    Args:
        p: The first distribution, checked with ``q`` by :func:`check_pair`.
        q: The second distribution.
        weight: ``w``, the weight of both expectations.
        f: The integrand under ``p``, points ``(n, *event_shape)`` to ``(n,)``.
        g: The integrand under ``q``.
        n_samples: Monte Carlo sample size per distribution, checked.
        generator: Source of randomness for the draws.
        return_stderr: Also return the standard error (0 if exact).

    Returns:
        A 0-dim float64 tensor, or ``(value, stderr)`` if ``return_stderr``.
    """
    if use_exact(p, n_samples):
        assert isinstance(p, Categorical) and isinstance(q, Categorical)  # by check_pair
        p_probs, _ = categorical_log_probs(p)  # (K,)
        q_probs, _ = categorical_log_probs(q)  # (K,)
        support = torch.arange(p_probs.shape[0], device=p_probs.device)  # (K,)
        value = weight * expectation(p_probs, f(support)) + weight * expectation(
            q_probs, g(support)
        )
        return finish(value, None, return_stderr)
    assert n_samples is not None  # by use_exact
    x = sample(p, n_samples, generator)  # (n, *event_shape), x ~ p
    y = sample(q, n_samples, generator)  # (n, *event_shape), y ~ q
    value, stderr = mc_mean((weight, f(x)), (weight, g(y)))
    return finish(value, stderr, return_stderr)
