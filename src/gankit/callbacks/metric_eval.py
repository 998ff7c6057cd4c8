"""Any streaming metric as an evaluation function: fixed-noise samples in, named numbers out.

:class:`MetricEval` turns a :class:`gankit.metrics.Metric` into the
``trainer -> {name: value}`` function that :class:`~gankit.callbacks.Evaluation`
runs. Two kinds of metric are fed:

- two-sample metrics, given ``real`` data: ``update(features, real=True)`` with
  the real features (computed once), then ``update(features, real=False)`` with
  the generated ones (Fréchet, kernel, precision/recall, density/coverage);
- one-sample metrics, without ``real``: ``update(samples)`` with the generated
  samples flattened to ``(n, d)`` (mode coverage on a known mixture);
- metrics that carry the generated samples and score data (Parzen's
  log-likelihood): give a function ``samples -> Metric``, for example
  ``lambda fake: ParzenLogLikelihood(fake, sigma=0.2)``, and held-out ``real``
  data; each evaluation builds the metric on the new samples and feeds it
  ``update(real)``.

The 0.1.0 adaptors (``ModeCoverageEval``, ``FrechetEval``, ``PrecisionRecallEval``,
``DensityCoverageEval``) are kept as deprecated functions that build a
:class:`MetricEval`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from gankit._deprecation import warn_renamed
from gankit.callbacks._trainer_view import TrainerView
from gankit.callbacks.fixed_noise import FixedNoise
from gankit.metrics._base import Metric
from gankit.metrics.density_coverage import DensityCoverage
from gankit.metrics.features import extract_features
from gankit.metrics.frechet import FrechetDistance
from gankit.metrics.mode_coverage import ModeCoverage
from gankit.metrics.precision_recall import PrecisionRecall

__all__ = [
    "DensityCoverageEval",
    "FrechetEval",
    "MetricEval",
    "ModeCoverageEval",
    "PrecisionRecallEval",
]


def _snake(name: str) -> str:
    """``FrechetDistance`` -> ``frechet_distance`` (a trailing ``Metric`` dropped)."""
    name = name.removesuffix("Metric")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def result_items(result: object, name: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
    """A metric's result as ``{key: number or list}``.

    A number becomes ``{name: value}``; a result record (a dataclass) becomes
    its numeric fields, tensors as numbers or lists; ``keys`` selects fields.

    Raises:
        TypeError: If the result is neither a number nor a dataclass.
    """
    if isinstance(result, (Real, Tensor)) and not isinstance(result, bool):
        return {name: float(result)}
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        raise TypeError(
            f"a metric's compute() must return a number or a result record, "
            f"got {type(result).__name__}"
        )
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if keys is not None and key not in keys:
            continue
        if isinstance(value, Tensor):
            out[key] = value.item() if value.dim() == 0 else value.tolist()
        elif isinstance(value, (Real, list)) and not isinstance(value, bool):
            out[key] = value
    return out


class MetricEval:
    """Score ``n`` fixed-noise samples with a streaming metric; see the module docstring.

    Args:
        metric: A :class:`gankit.metrics.Metric` (reset before each evaluation),
            or a function ``samples (n, d) -> Metric`` (built at each evaluation
            and fed ``real``).
        real: Real data ``(N, *S)`` for a two-sample metric, or ``None``.
        feature_extractor: Maps ``(B, *S)`` to ``(B, d)`` features; ``None``
            uses the flattened samples.
        n: Generated samples per evaluation; default ``N`` with ``real``, else 2,500.
        seed: Seed of the fixed noise.
        batch_size: Samples per generator and extractor call.
        keys: The result record's fields to report; default all numeric ones.
        name: The key of a metric whose result is a number; default the
            metric's class name in snake case (``FrechetDistance`` ->
            ``frechet_distance``).

    Raises:
        TypeError: If ``metric`` is not a Metric, ``real`` not a tensor or
            ``feature_extractor`` not a module.
        ValueError: If ``real`` is not ``(N, *S)`` with ``N >= 2``, or ``n < 1``.

    Shape:
        - real: ``(N, *S)``; samples: ``(n, *S)``; features ``(·, d)``.

    Example:
        >>> from types import SimpleNamespace
        >>> from gankit.metrics import FrechetDistance
        >>> trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=None,
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 2, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: noise + 3.0)
        >>> real = torch.randn(5000, 2, generator=torch.Generator().manual_seed(1))
        >>> fid = MetricEval(FrechetDistance(), real=real)
        >>> round(fid(trainer)["frechet_distance"])  # ‖(3, 3)‖² = 18
        18
    """

    def __init__(
        self,
        metric: Metric | Callable[[Tensor], Metric],
        *,
        real: Tensor | None = None,
        feature_extractor: nn.Module | None = None,
        n: int | None = None,
        seed: int = 0,
        batch_size: int = 256,
        keys: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        if not isinstance(metric, Metric) and not (callable(metric) and real is not None):
            raise TypeError(
                "metric must be a gankit.metrics.Metric, or a function samples -> Metric "
                f"with real data, got {type(metric).__name__}"
            )
        if real is not None:
            if not isinstance(real, Tensor):
                raise TypeError(f"real must be a torch.Tensor (N, *S), got {type(real).__name__}")
            if real.dim() < 2 or len(real) < 2:
                raise ValueError(
                    f"real must have shape (N, *S) with N >= 2, got {tuple(real.shape)}"
                )
        if feature_extractor is not None and not isinstance(feature_extractor, nn.Module):
            raise TypeError(
                f"feature_extractor must be an nn.Module or None, got "
                f"{type(feature_extractor).__name__}"
            )
        default_n = 2500 if real is None else len(real)
        self.noise = FixedNoise(default_n if n is None else n, seed, batch_size)
        self.metric, self.real, self.feature_extractor = metric, real, feature_extractor
        self.keys = None if keys is None else tuple(keys)
        self.name = name if name is None else str(name)
        self._real_features: Tensor | None = None

    def _features(self, x: Tensor) -> Tensor:
        if self.feature_extractor is None:
            return x.reshape(len(x), -1).to(device="cpu", dtype=torch.float64)  # (N, prod(S))
        return extract_features(self.feature_extractor, x, batch_size=self.noise.batch_size)

    def __call__(self, trainer: TrainerView) -> dict[str, Any]:
        """Score the trainer's fixed-noise samples; return the result's named values."""
        fake = self._features(self.noise.samples(trainer))  # (n, d)
        if self.real is not None and self._real_features is None:
            self._real_features = self._features(self.real)
        real = self._real_features
        if not isinstance(self.metric, Metric):  # carries the samples, scores the data
            metric = self.metric(fake)
            metric.update(real)
        else:
            metric = self.metric
            metric.reset()
            if real is None:
                metric.update(fake)
            else:
                metric.update(real, real=True)
                metric.update(fake, real=False)
        name = self.name or _snake(type(metric).__name__)
        return result_items(metric.compute(), name, self.keys)


def ModeCoverageEval(  # noqa: N802 - the 0.1.0 class name, kept as a deprecated alias
    means: Tensor | np.ndarray, std: float, n: int = 2500, threshold: float = 3.0,
    seed: int = 0, batch_size: int = 2500,
) -> MetricEval:
    """Deprecated: ``MetricEval(ModeCoverage(means, std, threshold), n=n)``."""
    warn_renamed("ModeCoverageEval", "MetricEval(ModeCoverage(means, std, threshold), n=n)")
    return MetricEval(
        ModeCoverage(means, std, threshold), n=n, seed=seed, batch_size=batch_size,
        keys=("modes_covered", "high_quality_fraction", "reverse_kl"),
    )


def FrechetEval(  # noqa: N802 - the 0.1.0 class name, kept as a deprecated alias
    real: Tensor, feature_extractor: nn.Module | None = None, n: int | None = None,
    seed: int = 0, batch_size: int = 256,
) -> MetricEval:
    """Deprecated: ``MetricEval(FrechetDistance(), real=real, ...)``."""
    warn_renamed("FrechetEval", "MetricEval(FrechetDistance(), real=real)")
    return MetricEval(FrechetDistance(), real=real, feature_extractor=feature_extractor, n=n,
                      seed=seed, batch_size=batch_size)


def PrecisionRecallEval(  # noqa: N802 - the 0.1.0 class name, kept as a deprecated alias
    real: Tensor, feature_extractor: nn.Module | None = None, n: int | None = None,
    k: int = 3, seed: int = 0, batch_size: int = 256,
) -> MetricEval:
    """Deprecated: ``MetricEval(PrecisionRecall(k), real=real, ...)``."""
    warn_renamed("PrecisionRecallEval", "MetricEval(PrecisionRecall(k), real=real)")
    return MetricEval(PrecisionRecall(k), real=real, feature_extractor=feature_extractor,
                      n=n, seed=seed, batch_size=batch_size)


def DensityCoverageEval(  # noqa: N802 - the 0.1.0 class name, kept as a deprecated alias
    real: Tensor, feature_extractor: nn.Module | None = None, n: int | None = None,
    k: int = 5, seed: int = 0, batch_size: int = 256,
) -> MetricEval:
    """Deprecated: ``MetricEval(DensityCoverage(k), real=real, ...)``."""
    warn_renamed("DensityCoverageEval", "MetricEval(DensityCoverage(k), real=real)")
    return MetricEval(DensityCoverage(k), real=real, feature_extractor=feature_extractor,
                      n=n, seed=seed, batch_size=batch_size)
