"""The Kullback-Leibler and Jensen-Shannon divergences between two distributions.

Theorem 1 of Goodfellow et al. (2014) writes the GAN training criterion through
these two: ``C(G) = -log 4 + KL(p_data || m) + KL(p_g || m) = -log 4 + 2 JSD``,
with ``m = (p_data + p_g) / 2``. Both are computed exactly for two
:class:`~torch.distributions.Categorical` distributions and by Monte Carlo for
any other pair, in float64 and in log space. Divergences are in nats.
"""

from __future__ import annotations

from typing import Literal, overload

import torch
from torch import Tensor
from torch.distributions import Categorical, Distribution

from gankit.theory._distributions import (
    LOG_2,
    Estimate,
    categorical_log_probs,
    check_n_samples,
    check_pair,
    expectation,
    finish,
    log_prob,
    mc_mean,
    sample,
    two_sided_mean,
    use_exact,
)

__all__ = ["js_divergence", "kl_divergence"]


@overload
def kl_divergence(
    p: Distribution, q: Distribution, *, n_samples: int | None = ...,
    generator: torch.Generator | None = ..., return_stderr: Literal[False] = ...,
) -> Tensor: ...
@overload
def kl_divergence(
    p: Distribution, q: Distribution, *, n_samples: int | None = ...,
    generator: torch.Generator | None = ..., return_stderr: Literal[True],
) -> tuple[Tensor, Tensor]: ...
def kl_divergence(
    p: Distribution,
    q: Distribution,
    *,
    n_samples: int | None = None,
    generator: torch.Generator | None = None,
    return_stderr: bool = False,
) -> Estimate:
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)` in nats.

    .. math::

        \mathrm{KL}(p \,\|\, q) = \mathbb{E}_{x \sim p}\left[\log p(x) - \log q(x)\right]

    For two Categoricals (and ``n_samples=None``) this is the exact sum
    :math:`\sum_k p_k (\log p_k - \log q_k)` with :math:`0 \log 0 = 0`; it is
    ``inf`` when some :math:`p_k > 0` has :math:`q_k = 0`. Otherwise it is the
    mean over ``n_samples`` draws :math:`x_i \sim p`; a draw outside the support
    of ``q`` makes the estimate ``inf``.

    Args:
        p: The first distribution (the one sampled from).
        q: The second distribution, with the same event shape (or, for a
            Categorical, the same number of categories).
        n_samples: Monte Carlo sample size; required unless both are Categorical,
            and forces a Monte Carlo estimate when given.
        generator: Source of randomness for the draws; the global RNG if ``None``.
        return_stderr: Also return the Monte Carlo standard error (0 if exact).

    Returns:
        A 0-dim float64 tensor, or ``(value, stderr)`` if ``return_stderr``.

    Raises:
        TypeError: If ``p`` or ``q`` is not a distribution, or ``n_samples`` is not an int.
        ValueError: If the distributions are batched or do not match, if
            ``n_samples < 2``, or if ``n_samples`` is missing for a
            non-Categorical distribution.

    Shape:
        ``p``, ``q``: unbatched (``batch_shape == ()``); output: ``()``.

    Example:
        >>> import torch
        >>> from torch.distributions import Categorical, Normal
        >>> p = Categorical(probs=torch.tensor([0.5, 0.5], dtype=torch.float64))
        >>> q = Categorical(probs=torch.tensor([0.9, 0.1], dtype=torch.float64))
        >>> kl_divergence(p, q)
        tensor(0.5108, dtype=torch.float64)
        >>> kl_divergence(q, Categorical(probs=torch.tensor([1.0, 0.0])))
        tensor(inf, dtype=torch.float64)
        >>> g = torch.Generator().manual_seed(0)
        >>> kl, se = kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0), n_samples=100_000,
        ...                        generator=g, return_stderr=True)
        >>> bool(abs(kl - 0.5) < 4 * se)  # closed form: (mu_p - mu_q)^2 / 2 = 0.5
        True
    """
    check_pair(p, q, "p", "q")
    check_n_samples(n_samples)
    if use_exact(p, n_samples):
        assert isinstance(p, Categorical) and isinstance(q, Categorical)  # by check_pair
        p_probs, log_p = categorical_log_probs(p)  # (K,)
        _, log_q = categorical_log_probs(q)  # (K,)
        # A category q cannot produce makes KL infinite even if p_k underflows to 0.
        if bool(((log_p > -torch.inf) & (log_q == -torch.inf)).any()):
            infinite = torch.full((), torch.inf, dtype=torch.float64, device=log_p.device)
            return finish(infinite, None, return_stderr)
        return finish(expectation(p_probs, log_p - log_q), None, return_stderr)
    assert n_samples is not None  # by use_exact
    x = sample(p, n_samples, generator)  # (n, *event_shape)
    value, stderr = mc_mean((1.0, log_prob(p, x) - log_prob(q, x)))
    return finish(value, stderr, return_stderr)


@overload
def js_divergence(
    p: Distribution, q: Distribution, *, n_samples: int | None = ...,
    generator: torch.Generator | None = ..., return_stderr: Literal[False] = ...,
) -> Tensor: ...
@overload
def js_divergence(
    p: Distribution, q: Distribution, *, n_samples: int | None = ...,
    generator: torch.Generator | None = ..., return_stderr: Literal[True],
) -> tuple[Tensor, Tensor]: ...
def js_divergence(
    p: Distribution,
    q: Distribution,
    *,
    n_samples: int | None = None,
    generator: torch.Generator | None = None,
    return_stderr: bool = False,
) -> Estimate:
    r"""Jensen-Shannon divergence :math:`\mathrm{JSD}(p \,\|\, q)` in nats, in ``[0, log 2]``.

    .. math::

        \mathrm{JSD}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m)
            + \tfrac12 \mathrm{KL}(q \,\|\, m), \qquad m = \tfrac12 (p + q)

    In log space, :math:`\log p - \log m = \log 2 + \log\sigma(\log p - \log q)`,
    which is finite wherever :math:`p > 0`, so no term overflows and disjoint
    supports give exactly :math:`\log 2`. For two Categoricals (and
    ``n_samples=None``) the expectations are exact sums; otherwise ``n_samples``
    draws are taken from each of ``p`` and ``q``. Goodfellow et al. (2014),
    Theorem 1, show :math:`C(G) = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\, p_g)`.

    Args:
        p: The first distribution.
        q: The second distribution, with the same event shape (or, for a
            Categorical, the same number of categories).
        n_samples: Monte Carlo sample size per distribution; required unless both
            are Categorical, and forces a Monte Carlo estimate when given.
        generator: Source of randomness for the draws; the global RNG if ``None``.
        return_stderr: Also return the Monte Carlo standard error (0 if exact).

    Returns:
        A 0-dim float64 tensor, or ``(value, stderr)`` if ``return_stderr``.

    Raises:
        TypeError: If ``p`` or ``q`` is not a distribution, or ``n_samples`` is not an int.
        ValueError: If the distributions are batched or do not match, if
            ``n_samples < 2``, or if ``n_samples`` is missing for a
            non-Categorical distribution.

    Shape:
        ``p``, ``q``: unbatched (``batch_shape == ()``); output: ``()``.

    Example:
        >>> import torch
        >>> from torch.distributions import Categorical, Uniform
        >>> p = Categorical(probs=torch.tensor([1.0, 0.0], dtype=torch.float64))
        >>> q = Categorical(probs=torch.tensor([0.0, 1.0], dtype=torch.float64))
        >>> js_divergence(p, q)  # disjoint supports: log 2
        tensor(0.6931, dtype=torch.float64)
        >>> js_divergence(p, p)
        tensor(0., dtype=torch.float64)
        >>> js_divergence(Uniform(0.0, 1.0), Uniform(2.0, 3.0), n_samples=1000)
        tensor(0.6931, dtype=torch.float64)
    """
    check_pair(p, q, "p", "q")
    check_n_samples(n_samples)
    return two_sided_mean(
        p, q, 0.5,
        lambda x: _log_ratio_to_mixture(log_prob(p, x), log_prob(q, x)),  # log p/m at x ~ p
        lambda y: _log_ratio_to_mixture(log_prob(q, y), log_prob(p, y)),  # log q/m at y ~ q
        n_samples=n_samples, generator=generator, return_stderr=return_stderr,
    )


def _log_ratio_to_mixture(log_a: Tensor, log_b: Tensor) -> Tensor:
    """Return ``log a - log((a + b) / 2) = log 2 + logsigmoid(log a - log b)``.

    Finite wherever ``a > 0``; where ``a = 0`` the value is meaningless and is
    multiplied by ``a = 0`` (exact) or never evaluated (Monte Carlo, ``x ~ a``).
    """
    a_positive = log_a > -torch.inf
    safe_log_a = torch.where(a_positive, log_a, torch.zeros_like(log_a))
    return LOG_2 + torch.nn.functional.logsigmoid(safe_log_a - log_b)
