"""Theorem 1: C(G) = max_D V(D, G) = -log 4 + 2 JSD(p_data || p_g), minimum iff p_g = p_data."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.stats import norm
from torch.distributions import Categorical, Normal

from gankit.theory import (
    js_divergence,
    optimal_discriminator,
    training_criterion,
    value_function,
)

LOG_4 = math.log(4.0)
WEIGHTS = st.one_of(st.just(0.0), st.floats(1e-300, 1.0))


def _vector(k: int) -> st.SearchStrategy[np.ndarray]:
    weights = st.lists(WEIGHTS, min_size=k, max_size=k).map(
        lambda w: w if sum(w) > 0 else [1.0, *w[1:]]  # at least one category with mass
    )
    return weights.map(lambda w: np.asarray(w, dtype=np.float64) / sum(w))


@st.composite
def probability_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    k = draw(st.integers(1, 8))
    return draw(_vector(k)), draw(_vector(k))


def _cat(p: np.ndarray) -> Categorical:
    return Categorical(probs=torch.from_numpy(p))


def _criterion_numpy(p: np.ndarray, q: np.ndarray) -> float:
    """The paper's sum with D* = p / (p + q) and 0 log 0 = 0, written independently."""
    total = 0.0
    for a, b in zip(p, q, strict=True):
        if a > 0:
            total += a * math.log(a / (a + b))
        if b > 0:
            total += b * math.log(b / (a + b))
    return total


# --- exact (Categorical) --------------------------------------------------------------------


@settings(deadline=None)
@given(probability_pairs())
def test_criterion_equals_minus_log4_plus_twice_jsd(pair):
    p, q = pair
    c = float(training_criterion(_cat(p), _cat(q)))
    assert c == pytest.approx(_criterion_numpy(p, q), rel=1e-12, abs=1e-15)
    assert c == pytest.approx(-LOG_4 + 2 * float(js_divergence(_cat(p), _cat(q))), abs=1e-13)
    assert -LOG_4 - 1e-15 <= c <= 1e-15


@settings(deadline=None)
@given(st.integers(1, 8).flatmap(_vector))
def test_minimum_minus_log4_is_reached_at_p_g_equal_p_data_with_d_star_one_half(p):
    assert float(training_criterion(_cat(p), _cat(p))) == pytest.approx(-LOG_4, abs=1e-15)
    d_star = optimal_discriminator(torch.from_numpy(p), torch.from_numpy(p))
    assert torch.equal(d_star, torch.full_like(d_star, 0.5))


@settings(deadline=None)
@given(probability_pairs())
def test_criterion_exceeds_the_minimum_when_p_g_differs(pair):
    p, q = pair
    # C(G) + log 4 = 2 JSD >= TV^2 (Pinsker on both halves of the JSD), so it is > 0
    # as soon as p_g != p_data.
    tv = 0.5 * np.abs(p - q).sum()
    excess = float(training_criterion(_cat(p), _cat(q))) + LOG_4
    assert excess >= tv**2 * (1 - 1e-9) - 1e-15
    if tv > 1e-6:
        assert excess > 0


@settings(deadline=None)
@given(probability_pairs(), st.data())
def test_optimal_discriminator_maximises_the_value_function(pair, data):
    p, q = pair
    c = float(training_criterion(_cat(p), _cat(q)))
    # logit D* = log p - log q, exactly; torch.logit(D*) would lose 1 - D* ~ 1e-45 to rounding.
    with np.errstate(divide="ignore", invalid="ignore"):
        d_star_logit = np.nan_to_num(np.log(p) - np.log(q), nan=0.0, posinf=np.inf,
                                     neginf=-np.inf)  # both zero: D* = 1/2
    d_star = optimal_discriminator(torch.from_numpy(p), torch.from_numpy(q))
    np.testing.assert_allclose(torch.sigmoid(torch.from_numpy(d_star_logit)), d_star, atol=1e-15)
    v_star = float(value_function(torch.from_numpy(d_star_logit), _cat(p), _cat(q)))
    assert v_star == pytest.approx(c, rel=1e-12, abs=1e-15)
    logits = data.draw(st.lists(st.floats(-30.0, 30.0), min_size=len(p), max_size=len(p)))
    v = float(value_function(torch.tensor(logits, dtype=torch.float64), _cat(p), _cat(q)))
    assert v <= c + 1e-12


# --- Monte Carlo (continuous) ---------------------------------------------------------------

P_DATA = (0.0, 1.0)  # N(0, 1)
P_G = (1.0, 1.5)  # N(1, 1.5^2)


def _normal(mu_sigma: tuple[float, float]) -> Normal:
    mu, sigma = mu_sigma
    return Normal(torch.tensor(mu, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64))


def _criterion_by_quadrature() -> float:
    """C(G) = int p log(p / (p + q)) + q log(q / (p + q)) dx, in float64 log space."""

    def integrand(x: float) -> float:
        lp, lq = norm.logpdf(x, *P_DATA), norm.logpdf(x, *P_G)
        log_sum = np.logaddexp(lp, lq)
        return math.exp(lp) * (lp - log_sum) + math.exp(lq) * (lq - log_sum)

    value, error = quad(integrand, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12)
    assert error < 1e-9
    return value


def test_gaussian_criterion_and_jsd_match_quadrature():
    reference = _criterion_by_quadrature()
    assert -LOG_4 < reference < 0
    p_data, p_g = _normal(P_DATA), _normal(P_G)
    c, c_se = training_criterion(p_data, p_g, n_samples=200_000, return_stderr=True,
                                 generator=torch.Generator().manual_seed(0))
    js, js_se = js_divergence(p_data, p_g, n_samples=200_000, return_stderr=True,
                              generator=torch.Generator().manual_seed(1))
    assert 0 < float(c_se) < 2e-3 and 0 < float(js_se) < 1e-3
    assert abs(float(c) - reference) < 4 * float(c_se)
    assert abs(float(js) - (reference + LOG_4) / 2) < 4 * float(js_se)
    # Theorem 1 on two independent estimates: C - (-log 4 + 2 JSD) is within its error.
    combined_se = math.hypot(float(c_se), 2 * float(js_se))
    assert abs(float(c) - (-LOG_4 + 2 * float(js))) < 4 * combined_se


def test_gaussian_minimum_is_exact_when_p_g_equals_p_data():
    # Every draw has D* = 1/2, so the estimate is -log 4 with zero error.
    c, se = training_criterion(_normal(P_DATA), _normal(P_DATA), n_samples=1000,
                               return_stderr=True)
    assert float(c) == pytest.approx(-LOG_4, abs=1e-15) and float(se) == 0.0


def test_gaussian_value_function_at_d_star_equals_criterion_on_the_same_draws():
    p_data, p_g = _normal(P_DATA), _normal(P_G)

    def d_star_logit(x: torch.Tensor) -> torch.Tensor:  # logit D* = log p_data - log p_g
        return p_data.log_prob(x) - p_g.log_prob(x)

    def other_logit(x: torch.Tensor) -> torch.Tensor:
        return 0.5 - 1.1 * x

    kwargs = {"n_samples": 50_000}
    c = training_criterion(p_data, p_g, generator=torch.Generator().manual_seed(4), **kwargs)
    v_star = value_function(d_star_logit, p_data, p_g,
                            generator=torch.Generator().manual_seed(4), **kwargs)
    v_other = value_function(other_logit, p_data, p_g,
                             generator=torch.Generator().manual_seed(4), **kwargs)
    assert float(v_star) == pytest.approx(float(c), abs=1e-12)
    assert float(v_other) < float(c)
