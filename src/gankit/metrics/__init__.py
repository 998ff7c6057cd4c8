"""Offline metrics for generative models, each as a function and a streaming class.

Sample-space metrics score generated points directly: :func:`mode_coverage`
on Gaussian mixtures and the Parzen-window log-likelihood. Feature-space
metrics compare real and generated features (see :func:`extract_features`):
Fréchet distance, kernel distance, precision/recall and density/coverage.
Everything runs on the CPU with float64 accumulators.
"""

from gankit.metrics._base import Metric
from gankit.metrics.density_coverage import (
    DensityCoverage,
    DensityCoverageMetric,
    density_coverage,
)
from gankit.metrics.digits_model import (
    DigitsClassifier,
    digits_classifier,
    digits_feature_extractor,
)
from gankit.metrics.features import extract_features
from gankit.metrics.frechet import FrechetDistance, frechet_distance, frechet_distance_from_stats
from gankit.metrics.inception import INCEPTION_WEIGHTS_URL, inception_feature_extractor
from gankit.metrics.kernel import KernelDistance, KernelDistanceMetric, kernel_distance
from gankit.metrics.mode_coverage import ModeCoverage, ModeCoverageMetric, mode_coverage
from gankit.metrics.parzen import (
    ParzenLogLikelihood,
    ParzenResult,
    SigmaSelection,
    parzen_log_likelihood,
    select_parzen_sigma,
)
from gankit.metrics.precision_recall import (
    PrecisionRecall,
    PrecisionRecallMetric,
    precision_recall,
)

__all__ = [
    "INCEPTION_WEIGHTS_URL",
    "DensityCoverage",
    "DensityCoverageMetric",
    "DigitsClassifier",
    "FrechetDistance",
    "KernelDistance",
    "KernelDistanceMetric",
    "Metric",
    "ModeCoverage",
    "ModeCoverageMetric",
    "ParzenLogLikelihood",
    "ParzenResult",
    "PrecisionRecall",
    "PrecisionRecallMetric",
    "SigmaSelection",
    "density_coverage",
    "digits_classifier",
    "digits_feature_extractor",
    "extract_features",
    "frechet_distance",
    "frechet_distance_from_stats",
    "inception_feature_extractor",
    "kernel_distance",
    "mode_coverage",
    "parzen_log_likelihood",
    "precision_recall",
    "select_parzen_sigma",
]
