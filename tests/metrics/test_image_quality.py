"""ImageQuality: every image figure from one pass, each equal to its own function."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from gankit.metrics import (
    DigitsClassifier,
    ImageQuality,
    builtin_classifier,
    density_coverage,
    frechet_distance,
    inception_score,
    kernel_distance,
    precision_recall,
)


@pytest.fixture(scope="module")
def classifier() -> DigitsClassifier:
    torch.manual_seed(0)
    return DigitsClassifier(8).eval().requires_grad_(False)  # untrained: any fixed map will do


def _images(n: int, seed: int, shift: float = 0.0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 1, 8, 8, generator=generator) * 2 - 1 + shift).clamp(-1, 1)


def test_each_figure_is_its_own_function(classifier: DigitsClassifier) -> None:
    real, fake = _images(300, 0), _images(200, 1, shift=0.3)
    result = ImageQuality.from_classifier(classifier, real, seed=3).score(fake)
    with torch.no_grad():
        f_real, f_fake = classifier.features(real).double(), classifier.features(fake).double()
        probs = classifier(fake).double().softmax(dim=1)
    assert result.fd == pytest.approx(frechet_distance(f_real, f_fake), rel=1e-6)
    kid = kernel_distance(f_real, f_fake, num_subsets=100, subset_size=200,
                          generator=torch.Generator().manual_seed(3))
    assert (result.kid, result.kid_std) == pytest.approx((kid.mean, kid.std), rel=1e-6)
    pr, dc = precision_recall(f_real, f_fake, k=3), density_coverage(f_real, f_fake, k=5)
    assert (result.precision, result.recall) == (pr.precision, pr.recall)
    assert (result.density, result.coverage) == (dc.density, dc.coverage)
    order = torch.randperm(200, generator=torch.Generator().manual_seed(3))
    score = inception_score(probs[order], splits=10)
    assert (result.inception_score, result.inception_score_std) == pytest.approx(
        (score.mean, score.std), rel=1e-9)
    assert result.num_images == 200 and set(result.as_dict()) >= {"fd", "kid", "coverage"}


def test_the_reference_against_itself(classifier: DigitsClassifier) -> None:
    real = _images(150, 2)
    result = ImageQuality.from_classifier(classifier, real).score(real)
    assert result.fd == pytest.approx(0.0, abs=1e-6)
    assert (result.precision, result.recall, result.coverage) == (1.0, 1.0, 1.0)


def test_inception_score_uses_random_splits_of_class_sorted_data() -> None:
    class OneHot(nn.Module):  # "classifies" an image by its first pixel: 10 classes
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            k = ((x[:, 0, 0, 0] + 1) * 4.999).long()
            return nn.functional.one_hot(k, 10).double()

    levels = torch.arange(10).repeat_interleave(100).double() / 4.999 - 1 + 1e-3
    real = levels.view(-1, 1, 1, 1).expand(-1, 1, 8, 8).float().contiguous()  # sorted by class
    quality = ImageQuality(real, nn.Flatten(), OneHot())
    mean, _ = quality.inception_score(real)
    # Balanced one-hot predictions score the number of classes; contiguous splits of the
    # sorted data (one class each) would score 1. Random splits of 100 hold ~all classes.
    assert 9.0 < mean <= 10.0


def test_without_probabilities_is_nan_and_errors(classifier: DigitsClassifier) -> None:
    real = _images(20, 0)
    quality = ImageQuality(real, nn.Flatten())
    assert math.isnan(quality.score(_images(10, 1)).inception_score)
    with pytest.raises(ValueError, match=r"shape \(M, 1, 8, 8\).*got \(4, 1, 16, 16\)"):
        quality.score(torch.zeros(4, 1, 16, 16))
    with pytest.raises(TypeError, match=r"images must be a torch\.Tensor, got ndarray"):
        quality.score(np.zeros((4, 1, 8, 8)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"real must have shape \(N, C, H, W\) with N >= 2"):
        ImageQuality(torch.zeros(1, 1, 8, 8), nn.Flatten())
    with pytest.raises(TypeError, match=r"feature_extractor must be an nn\.Module, got function"):
        ImageQuality(real, lambda x: x)  # type: ignore[arg-type]


def test_builtin_classifier_by_shape() -> None:
    from gankit.metrics import has_builtin_classifier

    assert [has_builtin_classifier(s) for s in ((1, 28, 28), (1, 16, 16), (1, 8, 16), (3, 8, 8))
            ] == [True, True, False, False]
    assert isinstance(builtin_classifier((1, 8, 8)), DigitsClassifier)
    assert builtin_classifier((3, 32, 32)) is None and builtin_classifier((1, 20, 20)) is None
