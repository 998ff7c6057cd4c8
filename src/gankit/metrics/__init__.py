"""Offline metrics for generative models, each as a function and a streaming class.

Sample-space metrics score generated points directly: :func:`mode_coverage`
on Gaussian mixtures and the Parzen-window log-likelihood. Feature-space
metrics compare real and generated features (see :func:`extract_features`):
Fréchet distance, kernel distance, precision/recall and density/coverage;
:func:`nearest_training_neighbours` checks features for memorization.
Everything runs on the CPU with float64 accumulators.

Metric classes have bare names (:class:`KernelDistance`); the records they
return end in ``Result`` (:class:`KernelDistanceResult`).
"""

from gankit._deprecation import deprecated_aliases
from gankit.metrics._base import Metric
from gankit.metrics.density_coverage import (
    DensityCoverage,
    DensityCoverageResult,
    density_coverage,
)
from gankit.metrics.digits_model import (
    DigitsClassifier,
    digits_classifier,
    digits_feature_extractor,
)
from gankit.metrics.features import extract_features
from gankit.metrics.frechet import FrechetDistance, frechet_distance, frechet_distance_from_stats
from gankit.metrics.image_quality import (
    ImageQuality,
    ImageQualityResult,
    builtin_classifier,
    has_builtin_classifier,
)
from gankit.metrics.inception import (
    INCEPTION_WEIGHTS_URL,
    inception_feature_extractor,
    inception_probabilities,
)
from gankit.metrics.inception_score import InceptionScore, InceptionScoreResult, inception_score
from gankit.metrics.kernel import KernelDistance, KernelDistanceResult, kernel_distance
from gankit.metrics.memorization import MemorizationResult, nearest_training_neighbours
from gankit.metrics.mnist_model import MnistClassifier, mnist_classifier, mnist_feature_extractor
from gankit.metrics.mode_coverage import ModeCoverage, ModeCoverageResult, mode_coverage
from gankit.metrics.parzen import (
    ParzenLogLikelihood,
    ParzenResult,
    SigmaSelectionResult,
    parzen_log_likelihood,
    select_parzen_sigma,
)
from gankit.metrics.precision_recall import (
    PrecisionRecall,
    PrecisionRecallResult,
    precision_recall,
)
from gankit.metrics.stacked_modes import (
    StackedModesResult,
    stacked_mnist_modes,
    stacked_modes_from_labels,
)

__all__ = [
    "INCEPTION_WEIGHTS_URL",
    "DensityCoverage",
    "DensityCoverageResult",
    "DigitsClassifier",
    "FrechetDistance",
    "ImageQuality",
    "ImageQualityResult",
    "InceptionScore",
    "InceptionScoreResult",
    "KernelDistance",
    "KernelDistanceResult",
    "MemorizationResult",
    "Metric",
    "MnistClassifier",
    "ModeCoverage",
    "ModeCoverageResult",
    "ParzenLogLikelihood",
    "ParzenResult",
    "PrecisionRecall",
    "PrecisionRecallResult",
    "SigmaSelectionResult",
    "StackedModesResult",
    "builtin_classifier",
    "density_coverage",
    "digits_classifier",
    "digits_feature_extractor",
    "extract_features",
    "frechet_distance",
    "frechet_distance_from_stats",
    "has_builtin_classifier",
    "inception_feature_extractor",
    "inception_probabilities",
    "inception_score",
    "kernel_distance",
    "mnist_classifier",
    "mnist_feature_extractor",
    "mode_coverage",
    "nearest_training_neighbours",
    "parzen_log_likelihood",
    "precision_recall",
    "select_parzen_sigma",
    "stacked_mnist_modes",
    "stacked_modes_from_labels",
]

#: Names renamed in this release, kept one release as warning aliases.
__getattr__ = deprecated_aliases(
    __name__,
    {
        "DensityCoverageMetric": "DensityCoverage",
        "KernelDistanceMetric": "KernelDistance",
        "ModeCoverageMetric": "ModeCoverage",
        "PrecisionRecallMetric": "PrecisionRecall",
        "SigmaSelection": "SigmaSelectionResult",
    },
)
