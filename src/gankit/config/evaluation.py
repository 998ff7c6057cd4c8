"""The ``[eval]`` section: the metrics that score the generator, as one Evaluation callback.

``gankit train`` adds the callback built here to the trainer, so the end-of-run
evaluation (``metrics.json``) is the same code as evaluation during training
(``eval.every``), and ``gankit evaluate CHECKPOINT`` builds it again from the
run's ``config.toml``. What it measures depends on the data:

- a Gaussian mixture (ring, grid): PacGAN's mode coverage (``modes_covered``,
  ``num_modes``, ``high_quality_fraction``, ``reverse_kl``, per-mode ``counts``);
- a single Gaussian with a known mean and covariance (d2l's): the sample
  moments beside the target's (float64);
- digit images (``digits``, ``mnist_bundled``, ``mnist``: 1×28×28 or 1×s×s
  for s in 8, 16, 32): ``fd``, ``kid``, ``inception_score``, ``precision``,
  ``recall``, ``density``, ``coverage`` (:class:`gankit.metrics.ImageQuality`)
  in the feature space of gankit's offline classifier, against the data set's
  held-out split when it has one (else the training images); with a held-out
  split also ``floor`` (the same figures for training images: the real-data
  floor) and ``memorization`` (the nearest-training-neighbour check).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from gankit.callbacks import Evaluation, FixedNoise, MetricEval, TrainerView
from gankit.config.data import DataSpec
from gankit.config.schema import Field
from gankit.metrics.features import extract_features
from gankit.metrics.image_quality import ImageQuality, builtin_classifier, has_builtin_classifier
from gankit.metrics.memorization import nearest_training_neighbours
from gankit.metrics.mode_coverage import ModeCoverage

__all__ = ["EVAL_FIELDS", "PREFIX", "ImageMetrics", "build_evaluation", "image_metrics"]

#: The logged keys' prefix (``eval/modes_covered``); ``metrics.json`` drops it.
PREFIX = "eval/"

#: The keys of ``[eval]``.
EVAL_FIELDS: dict[str, Field] = {
    "enabled": Field("bool", True, "evaluate at the end and write metrics.json"),
    "every": Field("int", None, "also evaluate every N steps (logged as eval/...)",
                   minimum=1, nullable=True),
    "num_samples": Field("int", 2500, "generated samples to evaluate (PacGAN: 2,500)",
                         minimum=1),
    "seed": Field("int", 0, "seed of the evaluation noise"),
    "mode_coverage": Field("bool", True, "mode coverage on Gaussian-mixture data"),
    "threshold": Field("float", 3.0, "high quality = within threshold·σ of a mode",
                       minimum=0.0),
    "image_metrics": Field("bool", True, "FD, KID, IS, precision/recall, density/coverage "
                           "on digit images (gankit's offline classifiers)"),
    "max_real": Field("int", 10000, "real reference images at most (a seeded subset)",
                      minimum=2),
    "plot": Field("bool", True, "write samples.png (a scatter or an image grid)"),
}


class SampleMoments:
    """The mean and covariance of fixed-noise samples beside a Gaussian target's (float64).

    Args:
        mean: The target's mean ``(d,)``.
        covariance: The target's covariance ``(d, d)``.
        noise: The fixed noise to sample from.
    """

    def __init__(self, mean: Tensor, covariance: Tensor, noise: FixedNoise) -> None:
        self.mean, self.covariance, self.noise = mean, covariance, noise

    def __call__(self, trainer: TrainerView) -> dict[str, Any]:
        """``sample_mean``, ``target_mean``, ``sample_covariance``, ``target_covariance``."""
        x = self.noise.samples(trainer).reshape(self.noise.n, -1).double().cpu()  # (n, d)
        return {
            "sample_mean": x.mean(dim=0).tolist(),
            "target_mean": self.mean.double().tolist(),
            "sample_covariance": x.T.cov().tolist() if self.noise.n > 1 else [],
            "target_covariance": self.covariance.double().tolist(),
        }


class ImageMetrics:
    """FD, KID, IS, precision/recall and density/coverage of fixed-noise image samples.

    With the training images beside a held-out reference, two more entries:
    ``floor``, the same figures for as many *training* images scored against
    the reference (what real data reaches: the real-data floor), and
    ``memorization``, :func:`gankit.metrics.nearest_training_neighbours`'
    comparison of the samples' and the held-out images' distances to their
    nearest training image (``median_ratio``, ``fraction_closer``,
    ``p_value``, ``memorizing``). The classifier is loaded (or trained once
    and cached) at the first call, not when the run is built; the floor and
    the training features are computed once.

    Args:
        real: The reference images ``(N, C, H, W)``.
        noise: The fixed noise to sample from.
        train: The training images ``(T, C, H, W)`` when ``real`` is a held-out
            split, else ``None``.
        seed: Seed of the floor's subset of training images.
    """

    def __init__(self, real: Tensor, noise: FixedNoise, train: Tensor | None = None,
                 seed: int = 0) -> None:
        self.real, self.noise, self.train, self.seed = real, noise, train, seed
        self._quality: ImageQuality | None = None
        self._floor: dict[str, Any] | None = None
        self._train_features: Tensor | None = None

    def _scorer(self) -> ImageQuality:
        if self._quality is None:
            classifier = builtin_classifier(tuple(self.real.shape[1:]))
            assert classifier is not None  # image_metrics() checked the shape
            self._quality = ImageQuality.from_classifier(classifier, self.real)
        return self._quality

    def __call__(self, trainer: TrainerView) -> dict[str, Any]:
        """The :class:`~gankit.metrics.ImageQualityResult` fields of ``noise.n`` samples."""
        quality = self._scorer()
        samples = self.noise.samples(trainer).float().cpu()  # (n, C, H, W)
        result: dict[str, Any] = quality.score(samples).as_dict()
        result.pop("num_images")
        if self.train is not None:
            result["floor"] = self.floor()
            result["memorization"] = self.memorization(samples)
        return result

    def floor(self) -> dict[str, Any]:
        """The figures of ``min(n, T)`` training images (a seeded subset) against the reference."""
        if self._floor is None:
            assert self.train is not None
            n = min(self.noise.n, len(self.train))
            pick = torch.randperm(len(self.train),
                                  generator=torch.Generator().manual_seed(self.seed))[:n]
            floor = self._scorer().score(self.train[pick.sort().values].float()).as_dict()
            self._floor = floor
        return dict(self._floor)

    def memorization(self, samples: Tensor) -> dict[str, Any]:
        """Nearest-training-neighbour distances of ``samples`` beside the held-out images'."""
        quality = self._scorer()
        if self._train_features is None:
            assert self.train is not None
            self._train_features = extract_features(quality.feature_extractor,
                                                    self.train.float(), quality.batch_size)
        generated = extract_features(quality.feature_extractor, samples, quality.batch_size)
        found = nearest_training_neighbours(generated, self._train_features,
                                            quality.real_features)
        return {key: getattr(found, key) for key in (
            "generated_median", "heldout_median", "median_ratio", "threshold",
            "fraction_closer", "p_value", "memorizing", "quantile", "alpha")}


def image_metrics(config: dict[str, Any], data: DataSpec) -> ImageMetrics | None:
    """The image figures for digit data, or ``None`` when off or no classifier fits."""
    if not config.get("image_metrics", True) or not hasattr(data.data, "images"):
        return None
    shape = data.sample_shape
    if not has_builtin_classifier(shape):  # the digits (8, 16, 32) and MNIST (28) classifiers
        return None
    held_out = data.held_out is not None
    real = data.held_out.images if data.held_out is not None else data.data.images
    if tuple(real.shape[1:]) != tuple(shape):  # stored larger for random crops
        return None
    limit = config.get("max_real", 10000)
    generator = torch.Generator().manual_seed(config["seed"])
    if len(real) > limit:
        keep = torch.randperm(len(real), generator=generator)
        real = real[keep[:limit].sort().values]
    train = data.data.images if held_out else None
    if train is not None and tuple(train.shape[1:]) != tuple(shape):
        train = None
    if train is not None and len(train) > limit:  # the nearest neighbours among a subset
        keep = torch.randperm(len(train), generator=generator)
        train = train[keep[:limit].sort().values]
    return ImageMetrics(real, FixedNoise(config["num_samples"], config["seed"]), train,
                        seed=config["seed"])


def build_evaluation(config: dict[str, Any], data: DataSpec) -> Evaluation | None:
    """The evaluation callback of a resolved ``[eval]`` section, or ``None`` if nothing applies.

    Args:
        config: The resolved ``[eval]`` section (:data:`EVAL_FIELDS`).
        data: The run's data.

    Returns:
        An :class:`~gankit.callbacks.Evaluation` (keys ``eval/<metric>``) that
        evaluates at the end of each fit and every ``config["every"]`` steps, or
        ``None`` when disabled or when the data has no metric here (colour
        images: their metrics need your feature extractor).

    Example:
        >>> from gankit.config.data import build_data
        >>> data, _ = build_data({"name": "ring"}, seed=0)
        >>> config = {"enabled": True, "every": None, "num_samples": 100, "seed": 0,
        ...           "mode_coverage": True, "threshold": 3.0, "plot": False}
        >>> build_evaluation(config, data).every is None
        True
    """
    if not config["enabled"]:
        return None
    n, seed = config["num_samples"], config["seed"]
    source = data.source
    metrics: list[Any] = []
    means, std = getattr(source, "means", None), getattr(source, "std", None)
    if config["mode_coverage"] and means is not None and std is not None:
        metric = ModeCoverage(means, std, threshold=config["threshold"])
        metrics.append(MetricEval(metric, n=n, seed=seed, batch_size=n))
    mean, cov = getattr(source, "mean", None), getattr(source, "covariance", None)
    if isinstance(mean, Tensor) and isinstance(cov, Tensor):
        metrics.append(SampleMoments(mean, cov, FixedNoise(n, seed)))
    images = image_metrics(config, data)
    if images is not None:
        metrics.append(images)
    if not metrics:
        return None
    return Evaluation(metrics, every=config.get("every"), at_fit_end=True, prefix=PREFIX)
