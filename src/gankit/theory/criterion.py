"""The virtual training criterion C(G) = max_D V(D, G) (Goodfellow et al. 2014, Theorem 1)."""

from __future__ import annotations

from typing import Literal, overload

import torch
from torch import Tensor
from torch.distributions import Distribution
from torch.nn.functional import logsigmoid

from gankit.theory._distributions import (
    Estimate,
    check_n_samples,
    check_pair,
    log_prob,
    two_sided_mean,
)

__all__ = ["training_criterion"]


@overload
def training_criterion(
    p_data: Distribution, p_g: Distribution, *, n_samples: int | None = ...,
    generator: torch.Generator | None = ..., return_stderr: Literal[False] = ...,
) -> Tensor: ...
@overload
def training_criterion(
    p_data: Distribution, p_g: Distribution, *, n_samples: int | None = ...,
    generator: torch.Generator | None = ..., return_stderr: Literal[True],
) -> tuple[Tensor, Tensor]: ...
def training_criterion(
    p_data: Distribution,
    p_g: Distribution,
    *,
    n_samples: int | None = None,
    generator: torch.Generator | None = None,
    return_stderr: bool = False,
) -> Estimate:
    r"""The value of the game against the optimal discriminator, :math:`C(G)`, in nats.

    Goodfellow et al. (2014), Theorem 1, with :math:`D^*` of Proposition 1:

    .. math::

        C(G) = \max_D V(D, G)
             = \mathbb{E}_{x \sim p_{data}}\left[\log D^*(x)\right]
             + \mathbb{E}_{x \sim p_g}\left[\log\left(1 - D^*(x)\right)\right]
             = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\, p_g)

    The value is computed from the first line, not from the JSD: since
    :math:`\operatorname{logit} D^* = \log p_{data} - \log p_g`,
    :math:`\log D^* = \log\sigma(\log p_{data} - \log p_g)` and
    :math:`\log(1 - D^*) = \log\sigma(\log p_g - \log p_{data})`, which stay finite
    where each is weighted. The global minimum :math:`-\log 4` is reached exactly
    when :math:`p_g = p_{data}`.

    For two Categoricals (and ``n_samples=None``) the expectations are exact sums;
    otherwise ``n_samples`` draws are taken from each of ``p_data`` and ``p_g``.

    Args:
        p_data: The data distribution.
        p_g: The generator's distribution, with the same event shape (or, for a
            Categorical, the same number of categories).
        n_samples: Monte Carlo sample size per distribution; required unless both
            are Categorical, and forces a Monte Carlo estimate when given.
        generator: Source of randomness for the draws; the global RNG if ``None``.
        return_stderr: Also return the Monte Carlo standard error (0 if exact).

    Returns:
        A 0-dim float64 tensor in ``[-log 4, 0]``, or ``(value, stderr)`` if
        ``return_stderr``.

    Raises:
        TypeError: If an argument is not a distribution, or ``n_samples`` is not an int.
        ValueError: If the distributions are batched or do not match, if
            ``n_samples < 2``, or if ``n_samples`` is missing for a
            non-Categorical distribution.

    Shape:
        ``p_data``, ``p_g``: unbatched (``batch_shape == ()``); output: ``()``.

    Example:
        >>> import math
        >>> import torch
        >>> from torch.distributions import Categorical
        >>> p = Categorical(probs=torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64))
        >>> training_criterion(p, p)  # the minimum, -log 4
        tensor(-1.3863, dtype=torch.float64)
        >>> q = Categorical(probs=torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64))
        >>> bool(training_criterion(p, q) > -math.log(4))
        True
    """
    check_pair(p_data, p_g, "p_data", "p_g")
    check_n_samples(n_samples)
    return two_sided_mean(
        p_data, p_g, 1.0,
        lambda x: _log_optimal(log_prob(p_data, x), log_prob(p_g, x)),  # log D*(x)
        lambda y: _log_optimal(log_prob(p_g, y), log_prob(p_data, y)),  # log(1 - D*(y))
        n_samples=n_samples, generator=generator, return_stderr=return_stderr,
    )


def _log_optimal(log_a: Tensor, log_b: Tensor) -> Tensor:
    """Return ``log(a / (a + b)) = logsigmoid(log a - log b)``, finite wherever ``a > 0``.

    Where ``a = 0`` the value is never used (weighted by ``a = 0`` or not sampled).
    """
    safe_log_a = torch.where(log_a > -torch.inf, log_a, torch.zeros_like(log_a))
    return logsigmoid(safe_log_a - log_b)
