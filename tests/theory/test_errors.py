"""Bad input to the distribution functions gets a clear error naming expected and actual."""

import pytest
import torch
from torch.distributions import Categorical, MultivariateNormal, Normal

from gankit.theory import js_divergence, kl_divergence, training_criterion, value_function


def _value_one_half(p, q, **kwargs):
    """value_function with the constant-1/2 discriminator, shaped like the others."""
    return value_function(lambda x: torch.zeros(x.shape[0]), p, q, **kwargs)


FUNCTIONS = [kl_divergence, js_divergence, training_criterion, _value_one_half]
NAMES = {kl_divergence: ("p", "q"), js_divergence: ("p", "q")}


def _names(fn):
    return NAMES.get(fn, ("p_data", "p_g"))


def _cat(*probs: float) -> Categorical:
    return Categorical(probs=torch.tensor(probs))


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_non_distribution_arguments(fn):
    first, second = _names(fn)
    with pytest.raises(TypeError, match=rf"{first} must be a torch.distributions.Distribution "
                                         r"\(with .sample and .log_prob\), got list"):
        fn([0.5, 0.5], _cat(0.5, 0.5))
    with pytest.raises(TypeError, match=rf"{second} must be a torch.distributions.Distribution.*"
                                         "got Tensor"):
        fn(_cat(0.5, 0.5), torch.tensor([0.5, 0.5]))


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_categoricals_of_different_sizes(fn):
    first, second = _names(fn)
    match = rf"{first} and {second} must have the same number of categories \(support size\), " \
            "got 3 and 2"
    with pytest.raises(ValueError, match=match):
        fn(_cat(0.2, 0.3, 0.5), _cat(0.5, 0.5))
    with pytest.raises(ValueError, match=match):  # also when estimating by Monte Carlo
        fn(_cat(0.2, 0.3, 0.5), _cat(0.5, 0.5), n_samples=10)


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_continuous_distributions_need_n_samples(fn):
    with pytest.raises(ValueError, match=r"Normal is not a discrete Categorical distribution.*"
                                         r"pass n_samples=<int>"):
        fn(Normal(0.0, 1.0), Normal(1.0, 1.0))


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_mixed_discrete_and_continuous(fn):
    with pytest.raises(ValueError, match="must both be Categorical or both be non-Categorical, "
                                         "got Categorical and Normal"):
        fn(_cat(0.5, 0.5), Normal(0.0, 1.0), n_samples=10)


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_batched_and_mismatched_event_shapes(fn):
    first, second = _names(fn)
    with pytest.raises(ValueError, match=rf"{first} must be a single \(unbatched\) distribution "
                                         r"with batch_shape \(\), got batch_shape \(3,\)"):
        fn(Normal(torch.zeros(3), 1.0), Normal(0.0, 1.0), n_samples=10)
    mvn2 = MultivariateNormal(torch.zeros(2), torch.eye(2))
    mvn3 = MultivariateNormal(torch.zeros(3), torch.eye(3))
    with pytest.raises(ValueError, match=rf"{first} and {second} must have the same event_shape, "
                                         r"got \(2,\) and \(3,\)"):
        fn(mvn2, mvn3, n_samples=10)


@pytest.mark.parametrize("fn", FUNCTIONS)
@pytest.mark.parametrize(
    ("n_samples", "error", "match"),
    [
        (1, ValueError, "n_samples must be at least 2 .*got 1"),
        (0, ValueError, "n_samples must be at least 2 .*got 0"),
        (2.5, TypeError, "n_samples must be an int or None, got float"),
        (True, TypeError, "n_samples must be an int or None, got bool"),
    ],
)
def test_bad_n_samples(fn, n_samples, error, match):
    with pytest.raises(error, match=match):
        fn(Normal(0.0, 1.0), Normal(1.0, 1.0), n_samples=n_samples)


def test_value_function_discriminator_errors():
    p, q = _cat(0.5, 0.5), _cat(0.2, 0.8)
    with pytest.raises(TypeError, match=r"d must be a tensor of logits of shape \(K,\) or a "
                                        "function of samples returning logits, got str"):
        value_function("logits", p, q)
    with pytest.raises(ValueError, match=r"d must hold one logit per category, shape \(2,\), "
                                         r"got \(3,\)"):
        value_function(torch.zeros(3), p, q)
    with pytest.raises(TypeError, match=r"d must be a floating-point tensor of logits, got dtype "
                                        r"torch\.int64"):
        value_function(torch.zeros(2, dtype=torch.long), p, q)
    with pytest.raises(ValueError, match="d must not hold nan logits"):
        value_function(torch.tensor([0.0, float("nan")]), p, q)
    with pytest.raises(ValueError, match="a tensor d of logits per category needs Categorical "
                                         "distributions, got Normal"):
        value_function(torch.zeros(2), Normal(0.0, 1.0), Normal(1.0, 1.0), n_samples=10)
    with pytest.raises(ValueError, match=r"d must return logits of shape \(10,\) for samples of "
                                         r"shape \(10,\), got \(10, 1\)"):
        value_function(lambda x: x.unsqueeze(1), Normal(0.0, 1.0), Normal(1.0, 1.0),
                       n_samples=10)
    with pytest.raises(ValueError, match=r"d must return logits of shape \(2,\) .*got float"):
        value_function(lambda k: 0.0, p, q)
