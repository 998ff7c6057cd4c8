"""The GAN value function V(D, G) for a given discriminator (Goodfellow et al. 2014, Eq. 1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, overload

import torch
from torch import Tensor
from torch.distributions import Categorical, Distribution
from torch.nn.functional import logsigmoid

from gankit.theory._distributions import (
    Estimate,
    call_discriminator,
    categorical_log_probs,
    check_n_samples,
    check_pair,
    two_sided_mean,
)

__all__ = ["value_function"]

#: A discriminator: logits over the categories ``(K,)``, or a function of samples.
Discriminator = Tensor | Callable[[Tensor], Tensor]


@overload
def value_function(
    d: Discriminator, p_data: Distribution, p_g: Distribution, *,
    n_samples: int | None = ..., generator: torch.Generator | None = ...,
    return_stderr: Literal[False] = ...,
) -> Tensor: ...
@overload
def value_function(
    d: Discriminator, p_data: Distribution, p_g: Distribution, *,
    n_samples: int | None = ..., generator: torch.Generator | None = ...,
    return_stderr: Literal[True],
) -> tuple[Tensor, Tensor]: ...
def value_function(
    d: Discriminator,
    p_data: Distribution,
    p_g: Distribution,
    *,
    n_samples: int | None = None,
    generator: torch.Generator | None = None,
    return_stderr: bool = False,
) -> Estimate:
    r"""The value :math:`V(D, G)` of the minimax game for a discriminator given by its logits.

    Goodfellow et al. (2014), Eq. 1, with :math:`D = \sigma(\text{logit})`:

    .. math::

        V(D, G) = \mathbb{E}_{x \sim p_{data}}\left[\log D(x)\right]
                + \mathbb{E}_{x \sim p_g}\left[\log\left(1 - D(x)\right)\right]
                = \mathbb{E}_{p_{data}}\left[\log\sigma(\ell)\right]
                + \mathbb{E}_{p_g}\left[\log\sigma(-\ell)\right]

    computed with ``logsigmoid``, so a confident discriminator costs no precision.
    A logit of :math:`\pm\infty` is allowed (:math:`D = 1` or :math:`0`) and gives
    :math:`-\infty` where the other distribution has mass. For every
    discriminator :math:`V(D, G) \le C(G)` (:func:`training_criterion`), with
    equality at :math:`\ell = \log p_{data} - \log p_g` (Proposition 1).

    Args:
        d: The discriminator's logits. Either a float tensor of shape ``(K,)``
            holding one logit per category (Categorical distributions only), or
            a function mapping samples of shape ``(n, *event_shape)`` to logits of
            shape ``(n,)``, such as a discriminator network; for Categoricals it
            receives the categories ``torch.arange(K)``.
        p_data: The data distribution.
        p_g: The generator's distribution, with the same event shape (or, for a
            Categorical, the same number of categories).
        n_samples: Monte Carlo sample size per distribution; required unless both
            are Categorical, and forces a Monte Carlo estimate when given.
        generator: Source of randomness for the draws; the global RNG if ``None``.
        return_stderr: Also return the Monte Carlo standard error (0 if exact).

    Returns:
        A 0-dim float64 tensor, or ``(value, stderr)`` if ``return_stderr``.

    Raises:
        TypeError: If ``d`` is neither a tensor nor callable, a tensor ``d`` is not
            floating-point, an argument is not a distribution, or ``n_samples`` is
            not an int.
        ValueError: If a tensor ``d`` is given for non-Categorical distributions,
            has the wrong shape or holds ``nan``; if ``d(x)`` does not return shape
            ``(n,)``; or for the reasons of :func:`training_criterion`.

    Shape:
        ``d``: ``(K,)`` or a function ``(n, *event_shape) -> (n,)``; output: ``()``.

    Example:
        >>> import torch
        >>> from torch.distributions import Categorical, Normal
        >>> p = Categorical(probs=torch.tensor([0.5, 0.5], dtype=torch.float64))
        >>> q = Categorical(probs=torch.tensor([0.25, 0.75], dtype=torch.float64))
        >>> value_function(torch.zeros(2), p, q)  # D = 1/2 everywhere: -log 4
        tensor(-1.3863, dtype=torch.float64)
        >>> value_function(torch.log(torch.tensor([2.0, 2 / 3])), p, q)  # D*: C(G)
        tensor(-1.3187, dtype=torch.float64)
        >>> value_function(lambda x: torch.zeros(len(x)), Normal(0.0, 1.0), Normal(1.0, 1.0),
        ...                n_samples=100)
        tensor(-1.3863, dtype=torch.float64)
    """
    check_pair(p_data, p_g, "p_data", "p_g")
    check_n_samples(n_samples)
    if isinstance(d, Tensor):
        _check_logit_table(d, p_data)
    elif not callable(d):
        raise TypeError(
            f"d must be a tensor of logits of shape (K,) or a function of samples "
            f"returning logits, got {type(d).__name__}"
        )
    if isinstance(p_data, Categorical) and n_samples is None and not isinstance(d, Tensor):
        data_probs, _ = categorical_log_probs(p_data)  # (K,)
        support = torch.arange(data_probs.shape[0], device=data_probs.device)  # (K,)
        d = _logits(d, support)  # one call of d on the categories, a table of shape (K,)
    return two_sided_mean(
        p_data, p_g, 1.0,
        lambda x: logsigmoid(_logits(d, x)),  # log D(x)
        lambda y: logsigmoid(-_logits(d, y)),  # log(1 - D(y))
        n_samples=n_samples, generator=generator, return_stderr=return_stderr,
    )


def _check_logit_table(d: Tensor, p_data: Distribution) -> None:
    if not isinstance(p_data, Categorical):
        raise ValueError(
            f"a tensor d of logits per category needs Categorical distributions, got "
            f"{type(p_data).__name__}; pass a function of the samples instead"
        )
    if not d.is_floating_point():
        raise TypeError(f"d must be a floating-point tensor of logits, got dtype {d.dtype}")
    k = p_data.param_shape[-1]
    if d.shape != (k,):
        raise ValueError(
            f"d must hold one logit per category, shape ({k},), got {tuple(d.shape)}"
        )
    if bool(torch.isnan(d).any()):
        raise ValueError("d must not hold nan logits (+inf and -inf are allowed)")


def _logits(d: Discriminator, x: Tensor) -> Tensor:
    """Return the float64 logits of ``d`` at the samples (or categories) ``x``, shape ``(n,)``."""
    if isinstance(d, Tensor):
        return d.to(torch.float64)[x.long()]
    return call_discriminator(d, x, "d")
