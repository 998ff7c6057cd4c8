"""value_function V(D, G) for discriminators given by logits, against float64 references."""

import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.stats import norm
from torch import nn
from torch.distributions import Categorical, MultivariateNormal, Normal

from gankit.theory import value_function

LOG_4 = math.log(4.0)


def _cat(p) -> Categorical:
    return Categorical(probs=torch.tensor(p, dtype=torch.float64))


def _value_numpy(logits: np.ndarray, p: np.ndarray, q: np.ndarray) -> float:
    """sum p log sigmoid(l) + q log(1 - sigmoid(l)), with log sigmoid(l) = -log(1 + e^-l)."""
    return float(np.sum(p * -np.logaddexp(0.0, -logits)) + np.sum(q * -np.logaddexp(0.0, logits)))


def test_categorical_value_matches_numpy_reference():
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    logits = rng.normal(0.0, 3.0, size=6)
    v = value_function(torch.from_numpy(logits), _cat(p), _cat(q))
    assert v.shape == () and v.dtype == torch.float64
    assert float(v) == pytest.approx(_value_numpy(logits, p, q), rel=1e-14)


def test_confident_logits_keep_full_precision():
    # log(1 - sigmoid(40)) = -40 - log(1 + e^-40); an eps-clamped log would give about -13.8.
    v = value_function(torch.tensor([40.0], dtype=torch.float64), _cat([1.0]), _cat([1.0]))
    assert float(v) == pytest.approx(-40.0 - 2 * math.log1p(math.exp(-40.0)), rel=1e-15)


def test_callable_discriminator_receives_the_categories():
    p, q = [0.1, 0.6, 0.3], [0.5, 0.25, 0.25]
    table = torch.tensor([1.5, -0.5, 0.25], dtype=torch.float64)
    seen = []

    def d(k: torch.Tensor) -> torch.Tensor:
        seen.append(k.clone())
        return table[k]

    assert float(value_function(d, _cat(p), _cat(q))) == float(
        value_function(table, _cat(p), _cat(q))
    )
    assert torch.equal(seen[0], torch.arange(3))


def test_infinite_logits():
    p, q = _cat([1.0, 0.0]), _cat([0.0, 1.0])
    perfect = torch.tensor([math.inf, -math.inf])
    assert float(value_function(perfect, p, q)) == 0.0  # disjoint supports, D right everywhere
    wrong = torch.tensor([math.inf, math.inf])  # D = 1 where p_g has mass
    assert float(value_function(wrong, p, q)) == -math.inf


def test_constant_one_half_discriminator_gives_minus_log4_for_any_distributions():
    assert float(value_function(torch.zeros(2), _cat([0.9, 0.1]), _cat([0.2, 0.8]))) == (
        pytest.approx(-LOG_4, abs=1e-15)
    )
    v, se = value_function(lambda x: torch.zeros(len(x)), Normal(0.0, 1.0), Normal(3.0, 2.0),
                           n_samples=1000, return_stderr=True)
    assert float(v) == pytest.approx(-LOG_4, abs=1e-15) and float(se) == 0.0


def test_monte_carlo_value_of_a_linear_discriminator_matches_quadrature():
    a, b = -1.2, 0.4  # logit(x) = a x + b, a reasonable but suboptimal discriminator

    def integrand(x: float) -> float:
        logit = a * x + b
        return norm.pdf(x) * -np.logaddexp(0.0, -logit) + norm.pdf(x, 1.0, 1.5) * -np.logaddexp(
            0.0, logit
        )

    reference = quad(integrand, -np.inf, np.inf, epsabs=1e-13)[0]
    v, se = value_function(lambda x: a * x + b, Normal(0.0, 1.0), Normal(1.0, 1.5),
                           n_samples=100_000, return_stderr=True,
                           generator=torch.Generator().manual_seed(5))
    assert 0 < float(se) < 5e-3
    assert abs(float(v) - reference) < 4 * float(se)


def test_network_discriminator_on_multivariate_samples():
    # A linear network on 2-D Gaussians: its logit w.x + b is itself Gaussian, N(w.mu + b,
    # |w|^2), so V reduces to two 1-D integrals.
    torch.manual_seed(0)
    net = nn.Linear(2, 1).double()
    w, b = net.weight.detach().numpy()[0], float(net.bias.detach()[0])
    mu_g = np.array([1.0, -0.5])
    scale = float(np.linalg.norm(w))

    def integrand(u: float) -> float:
        return norm.pdf(u, b, scale) * -np.logaddexp(0.0, -u) + norm.pdf(
            u, w @ mu_g + b, scale
        ) * -np.logaddexp(0.0, u)

    reference = quad(integrand, -np.inf, np.inf, epsabs=1e-13)[0]
    p = MultivariateNormal(torch.zeros(2, dtype=torch.float64), torch.eye(2, dtype=torch.float64))
    q = MultivariateNormal(torch.from_numpy(mu_g), torch.eye(2, dtype=torch.float64))
    with torch.no_grad():
        v, se = value_function(lambda x: net(x).squeeze(1), p, q, n_samples=50_000,
                               return_stderr=True, generator=torch.Generator().manual_seed(6))
    assert 0 < float(se) < 5e-3
    assert abs(float(v) - reference) < 4 * float(se)
