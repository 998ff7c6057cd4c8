"""The Inception Score against its closed forms and a float64 NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from gankit.metrics import InceptionScore, inception_score


def numpy_reference(probs: np.ndarray, splits: int) -> tuple[float, float]:
    """Salimans et al.'s ``get_inception_score`` loop, in float64 with 0·log 0 = 0."""
    n = len(probs)
    scores = []
    for i in range(splits):
        part = probs[i * n // splits : (i + 1) * n // splits]
        py = part.mean(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(part > 0, part * (np.log(part) - np.log(py)), 0.0)
        scores.append(np.exp(terms.sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def test_uniform_predictions_score_one() -> None:
    result = inception_score(torch.full((100, 10), 0.1), splits=10)
    assert result.mean == pytest.approx(1.0, abs=1e-12) and result.std == pytest.approx(0.0)


@pytest.mark.parametrize("k", [2, 10])
def test_confident_balanced_predictions_score_the_number_of_classes(k: int) -> None:
    probs = torch.eye(k).repeat(10, 1)  # each split holds every class equally often
    result = inception_score(probs, splits=5)
    assert result.mean == pytest.approx(k, abs=1e-9) and result.splits == 5
    # Confident but all one class: the marginal equals every row, KL 0, score 1.
    assert inception_score(torch.eye(k)[[0] * 40], splits=4).mean == pytest.approx(1.0)


def test_matches_a_float64_numpy_reference() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(7, 0.3), size=503)  # uneven splits: 503 / 10
    mean, std = numpy_reference(probs, 10)
    result = inception_score(torch.from_numpy(probs), splits=10)
    assert result.mean == pytest.approx(mean, rel=1e-12)
    assert result.std == pytest.approx(std, rel=1e-9, abs=1e-12)


def test_streaming_equals_the_function_and_resets() -> None:
    probs = torch.softmax(torch.randn(90, 5, generator=torch.Generator().manual_seed(1)), dim=1)
    metric = InceptionScore(splits=3)
    for batch in probs.split(25):
        metric.update(batch)
    assert metric.compute() == inception_score(probs, splits=3)
    metric.reset()
    with pytest.raises(ValueError, match=r"call update\(probs\) first"):
        metric.compute()


def test_a_classifier_plugs_in_through_metric_eval() -> None:
    from types import SimpleNamespace

    from gankit.callbacks import MetricEval

    classifier = nn.Linear(2, 4)
    trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=None,
                              sample_noise=lambda n, generator=None: torch.randn(
                                  n, 2, generator=generator),
                              sample=lambda n, labels=None, *, noise: noise)
    score = MetricEval(InceptionScore(splits=2), n=100,
                       feature_extractor=nn.Sequential(classifier, nn.Softmax(dim=1)))
    z = torch.randn(100, 2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = inception_score(torch.softmax(classifier(z), dim=1), splits=2)
    assert score(trainer) == {"mean": pytest.approx(expected.mean),
                              "std": pytest.approx(expected.std), "splits": 2}


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="must be non-negative class probabilities"):
        inception_score(torch.tensor([[1.5, -0.5], [0.5, 0.5]]), splits=1)
    with pytest.raises(ValueError, match=r"each row of probs must sum to 1.*off by 1"):
        inception_score(torch.ones(4, 2), splits=1)
    with pytest.raises(ValueError, match="at least 2 classes"):
        inception_score(torch.ones(4, 1), splits=1)
    with pytest.raises(ValueError, match="splits must be at most the number of samples 4, got 5"):
        inception_score(torch.full((4, 2), 0.5), splits=5)
    with pytest.raises(ValueError, match="splits must be a positive int"):
        InceptionScore(splits=0)
    with pytest.raises(ValueError, match="finite"):
        inception_score(torch.tensor([[float("nan"), 1.0], [0.5, 0.5]]), splits=1)
    metric = InceptionScore(splits=1)
    metric.update(torch.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="probs must keep 3 classes, got 2"):
        metric.update(torch.full((2, 2), 0.5))
