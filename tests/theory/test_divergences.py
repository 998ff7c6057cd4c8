"""kl_divergence and js_divergence against scipy, closed forms and hand-computed cases."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr
from torch.distributions import Categorical, MultivariateNormal, Normal, Uniform

from gankit.theory import js_divergence, kl_divergence

LOG_2 = math.log(2.0)
# Weights of a probability vector: exact zeros (empty categories) and tiny to large masses.
WEIGHTS = st.one_of(st.just(0.0), st.floats(1e-300, 1.0))


def _normalised(weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


@st.composite
def probability_pairs(
    draw: st.DrawFn, max_size: int = 8, weights: st.SearchStrategy[float] = WEIGHTS
) -> tuple[np.ndarray, np.ndarray]:
    k = draw(st.integers(1, max_size))
    vector = st.lists(weights, min_size=k, max_size=k).map(
        lambda w: w if sum(w) > 0 else [1.0, *w[1:]]  # at least one category with mass
    )
    return _normalised(draw(vector)), _normalised(draw(vector))


def _cat(p: np.ndarray) -> Categorical:
    return Categorical(probs=torch.from_numpy(p))


def _float(t: torch.Tensor) -> float:
    assert t.shape == () and t.dtype == torch.float64
    return float(t)


# --- exact (Categorical) --------------------------------------------------------------------


def test_hand_computed_values():
    p = _cat(np.array([0.5, 0.5]))
    q = _cat(np.array([0.9, 0.1]))
    expected_kl = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    assert _float(kl_divergence(p, q)) == pytest.approx(expected_kl, rel=1e-15)
    # m = (p + q) / 2 = [0.7, 0.3]
    expected_js = 0.5 * (0.5 * math.log(0.5 / 0.7) + 0.5 * math.log(0.5 / 0.3)) + 0.5 * (
        0.9 * math.log(0.9 / 0.7) + 0.1 * math.log(0.1 / 0.3)
    )
    assert _float(js_divergence(p, q)) == pytest.approx(expected_js, rel=1e-14)


def test_disjoint_and_zero_probability_cases():
    p = _cat(np.array([0.5, 0.5, 0.0]))
    q = _cat(np.array([0.0, 0.0, 1.0]))
    assert _float(js_divergence(p, q)) == pytest.approx(LOG_2, rel=1e-15)
    assert _float(kl_divergence(p, q)) == math.inf
    # 0 log 0 = 0: a category empty under p costs nothing, even where q is 0 too.
    r = _cat(np.array([0.25, 0.75, 0.0]))
    assert _float(kl_divergence(r, p)) == pytest.approx(
        0.25 * math.log(0.5) + 0.75 * math.log(1.5), rel=1e-15
    )


def test_float32_probs_with_zeros_are_not_clamped():
    # torch's Categorical clamps log(0) to log(eps) in .logits; the divergence must not.
    p = Categorical(probs=torch.tensor([0.4, 0.3, 0.3]))
    q = Categorical(probs=torch.tensor([0.5, 0.5, 0.0]))
    assert _float(kl_divergence(p, q)) == math.inf
    assert _float(kl_divergence(q, p)) == pytest.approx(
        0.5 * math.log(0.5 / 0.4) + 0.5 * math.log(0.5 / 0.3), rel=1e-6
    )


def test_logits_and_probs_parametrisations_agree():
    probs = np.array([0.1, 0.2, 0.7])
    other = np.array([0.3, 0.3, 0.4])
    from_logits = Categorical(logits=torch.from_numpy(np.log(probs) + 5.0))  # unnormalised
    for fn in (kl_divergence, js_divergence):
        assert _float(fn(from_logits, _cat(other))) == pytest.approx(
            _float(fn(_cat(probs), _cat(other))), rel=1e-13
        )


def test_mass_that_underflows_still_makes_kl_infinite():
    # p puts mass exp(-1e4) > 0 on category 1, which q cannot produce.
    p = Categorical(logits=torch.tensor([0.0, -1e4], dtype=torch.float64))
    q = _cat(np.array([1.0, 0.0]))
    assert _float(kl_divergence(p, q)) == math.inf
    assert _float(kl_divergence(q, p)) == pytest.approx(0.0, abs=1e-300)


@settings(deadline=None)
@given(probability_pairs())
def test_against_scipy(pair):
    p, q = pair
    kl_ref = rel_entr(p, q).sum()
    js_ref = jensenshannon(p, q, base=math.e) ** 2
    np.testing.assert_allclose(
        _float(kl_divergence(_cat(p), _cat(q))), kl_ref, rtol=1e-9, atol=1e-14
    )
    np.testing.assert_allclose(
        _float(js_divergence(_cat(p), _cat(q))), js_ref, rtol=1e-9, atol=1e-14
    )


@settings(deadline=None)
@given(probability_pairs())
def test_divergence_properties(pair):
    p, q = pair
    js_pq, js_qp = _float(js_divergence(_cat(p), _cat(q))), _float(js_divergence(_cat(q), _cat(p)))
    assert js_pq == pytest.approx(js_qp, rel=1e-12, abs=1e-15)  # symmetric
    assert -1e-15 <= js_pq <= LOG_2 + 1e-15  # 0 <= JSD <= log 2
    assert _float(kl_divergence(_cat(p), _cat(q))) >= -1e-15  # Gibbs' inequality
    assert _float(kl_divergence(_cat(p), _cat(p))) == 0.0
    assert _float(js_divergence(_cat(p), _cat(p))) == 0.0


@settings(deadline=None, max_examples=25)
@given(probability_pairs(max_size=5, weights=st.one_of(st.just(0.0), st.floats(0.05, 1.0))))
def test_monte_carlo_agrees_with_exact_on_categoricals(pair):
    # Masses of at least ~1% (or exactly 0), so 10,000 draws see every category and
    # the standard error is a fair yardstick.
    p, q = _cat(pair[0]), _cat(pair[1])
    generator = torch.Generator().manual_seed(0)
    for fn in (kl_divergence, js_divergence):
        exact = _float(fn(p, q))
        estimate, stderr = fn(p, q, n_samples=10_000, return_stderr=True, generator=generator)
        if math.isinf(exact):  # KL: some draw of p lands where q = 0
            assert _float(estimate) == math.inf
        else:
            assert abs(_float(estimate) - exact) <= 5 * _float(stderr) + 1e-12


# --- Monte Carlo (continuous) ---------------------------------------------------------------


def _kl_normal(mu1: float, s1: float, mu2: float, s2: float) -> float:
    return math.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5


@pytest.mark.parametrize(
    ("mu1", "s1", "mu2", "s2"), [(0.0, 1.0, 1.0, 1.0), (0.0, 1.0, 1.0, 1.5), (-2.0, 0.5, 1.0, 3.0)]
)
def test_kl_between_gaussians_matches_closed_form(mu1, s1, mu2, s2):
    p = Normal(torch.tensor(mu1, dtype=torch.float64), torch.tensor(s1, dtype=torch.float64))
    q = Normal(torch.tensor(mu2, dtype=torch.float64), torch.tensor(s2, dtype=torch.float64))
    kl, se = kl_divergence(p, q, n_samples=200_000, return_stderr=True,
                           generator=torch.Generator().manual_seed(1))
    expected = _kl_normal(mu1, s1, mu2, s2)
    assert 0 < _float(se) < 0.02 * max(expected, 0.1)  # the estimate is informative
    assert abs(_float(kl) - expected) < 4 * _float(se)


def test_kl_between_multivariate_gaussians_matches_closed_form():
    mu1, mu2 = np.array([0.0, 1.0]), np.array([1.0, -0.5])
    cov1, cov2 = np.array([[1.0, 0.3], [0.3, 0.5]]), np.array([[2.0, -0.4], [-0.4, 1.0]])
    inv2 = np.linalg.inv(cov2)
    expected = 0.5 * (np.trace(inv2 @ cov1) + (mu2 - mu1) @ inv2 @ (mu2 - mu1) - 2
                      + math.log(np.linalg.det(cov2) / np.linalg.det(cov1)))
    p = MultivariateNormal(torch.from_numpy(mu1), torch.from_numpy(cov1))
    q = MultivariateNormal(torch.from_numpy(mu2), torch.from_numpy(cov2))
    kl, se = kl_divergence(p, q, n_samples=100_000, return_stderr=True,
                           generator=torch.Generator().manual_seed(2))
    assert abs(_float(kl) - expected) < 4 * _float(se)


def test_uniforms_with_partial_supports():
    u01, u02, u23 = Uniform(0.0, 1.0), Uniform(0.0, 2.0), Uniform(2.0, 3.0)
    kl, se = kl_divergence(u01, u02, n_samples=1000, return_stderr=True)
    assert _float(kl) == pytest.approx(LOG_2, rel=1e-6) and _float(se) == 0.0
    assert _float(kl_divergence(u02, u01, n_samples=1000)) == math.inf  # q = 0 on (1, 2)
    js, se = js_divergence(u01, u23, n_samples=1000, return_stderr=True)
    assert _float(js) == pytest.approx(LOG_2, rel=1e-6) and _float(se) == 0.0
    # Half overlap: JSD(U(0, 1), U(0.5, 1.5)) = log(2) / 2 by hand.
    js, se = js_divergence(u01, Uniform(0.5, 1.5), n_samples=50_000, return_stderr=True,
                           generator=torch.Generator().manual_seed(3))
    assert abs(_float(js) - LOG_2 / 2) < 4 * _float(se)


def test_generator_makes_estimates_reproducible_without_touching_global_rng():
    p, q = Normal(0.0, 1.0), Normal(0.5, 2.0)
    state = torch.get_rng_state()
    a = js_divergence(p, q, n_samples=1000, generator=torch.Generator().manual_seed(7))
    b = js_divergence(p, q, n_samples=1000, generator=torch.Generator().manual_seed(7))
    c = js_divergence(p, q, n_samples=1000, generator=torch.Generator().manual_seed(8))
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_exact_results_report_zero_standard_error():
    p, q = _cat(np.array([0.2, 0.8])), _cat(np.array([0.6, 0.4]))
    for fn in (kl_divergence, js_divergence):
        value, se = fn(p, q, return_stderr=True)
        assert torch.equal(value, fn(p, q)) and _float(se) == 0.0
