r"""The mathematics of Goodfellow et al. (2014), "Generative Adversarial Nets", in code.

* :func:`optimal_discriminator`: :math:`D^* = p_{data} / (p_{data} + p_g)` (Proposition 1).
* :func:`value_function`: :math:`V(D, G)` for a discriminator given by its logits (Eq. 1).
* :func:`training_criterion`: :math:`C(G) = \max_D V(D, G)` (Theorem 1).
* :func:`kl_divergence`, :func:`js_divergence`: the divergences of Theorem 1's proof,
  :math:`C(G) = -\log 4 + 2\,\mathrm{JSD}(p_{data} \| p_g)`.

Functions of distributions take :mod:`torch.distributions` objects: two
:class:`~torch.distributions.Categorical` distributions give exact float64 sums;
any other pair takes ``n_samples=`` for a Monte Carlo estimate (with
``return_stderr=True`` for its standard error).
"""

from gankit.theory.criterion import training_criterion
from gankit.theory.divergences import js_divergence, kl_divergence
from gankit.theory.optimal import optimal_discriminator
from gankit.theory.value import value_function

__all__ = [
    "js_divergence",
    "kl_divergence",
    "optimal_discriminator",
    "training_criterion",
    "value_function",
]
