r"""Every image metric at once, in one classifier's feature space, against a fixed real set.

:class:`ImageQuality` holds a real reference set (its features and class
probabilities computed once) and scores generated images with the five
standard figures, each from its own function in :mod:`gankit.metrics`:

- Fréchet distance (FD) and kernel distance (KID) of the features;
- Inception Score (IS) of the class probabilities;
- precision and recall (k = 3) and density and coverage (k = 5) of the features.

The classifier is pluggable: any module with ``features(x)`` and class logits
from ``forward(x)`` (:class:`~gankit.metrics.MnistClassifier`,
:class:`~gankit.metrics.DigitsClassifier`), or a feature extractor with an
optional probability model (Inception with local weights).
:func:`builtin_classifier` picks gankit's offline classifier for a shape.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from gankit.metrics._classifier_cache import FeatureMap, Probabilities
from gankit.metrics.density_coverage import density_coverage
from gankit.metrics.features import extract_features
from gankit.metrics.frechet import frechet_distance
from gankit.metrics.inception_score import inception_score
from gankit.metrics.kernel import kernel_distance
from gankit.metrics.precision_recall import precision_recall

__all__ = ["ImageQuality", "ImageQualityResult", "builtin_classifier", "has_builtin_classifier"]

_KID_SUBSET = 1000


@dataclass(frozen=True)
class ImageQualityResult:
    """The image figures of one set of images against the reference.

    Attributes:
        fd: Fréchet distance of the features (lower is better).
        kid: Kernel distance, mean unbiased MMD² over subsets (lower is better).
        kid_std: Its standard deviation over the subsets.
        inception_score: IS of the class probabilities (higher is better);
            ``nan`` without a probability model.
        inception_score_std: Its standard deviation over the splits.
        precision: Share of the images inside the real manifold (k = 3).
        recall: Share of the real images inside the images' manifold.
        density: Expected real neighbourhoods holding an image (k = 5).
        coverage: Share of real neighbourhoods holding at least one image.
        num_images: How many images were scored.
    """

    fd: float
    kid: float
    kid_std: float
    inception_score: float
    inception_score_std: float
    precision: float
    recall: float
    density: float
    coverage: float
    num_images: int

    def as_dict(self) -> dict[str, float | int]:
        """The fields as ``{name: number}``, e.g. for ``metrics.json``."""
        return dataclasses.asdict(self)


def _builtin_kind(shape: tuple[int, ...]) -> str | None:
    """``"mnist"`` for 1×28×28, ``"digits"`` for 1×s×s with s in 8, 16, 32, else ``None``."""
    if shape == (1, 28, 28):
        return "mnist"
    if len(shape) == 3 and shape[0] == 1 and shape[1] == shape[2] and shape[1] in (8, 16, 32):
        return "digits"
    return None


def has_builtin_classifier(shape: tuple[int, ...]) -> bool:
    """Whether :func:`builtin_classifier` has a classifier for images of ``shape`` (C, H, W).

    Nothing is loaded or trained.

    Example:
        >>> has_builtin_classifier((1, 28, 28)), has_builtin_classifier((3, 32, 32))
        (True, False)
    """
    return _builtin_kind(tuple(shape)) is not None


def builtin_classifier(
    shape: tuple[int, ...], *, cache_dir: str | os.PathLike[str] | None = None
) -> nn.Module | None:
    """Gankit's offline classifier for images of ``shape``, or ``None`` when it has none.

    ``(1, 28, 28)`` gets the MNIST classifier (:func:`~gankit.metrics.mnist_classifier`);
    ``(1, s, s)`` for ``s`` in 8, 16, 32 the digits classifier
    (:func:`~gankit.metrics.digits_classifier`). Both are trained once and cached.

    Args:
        shape: One image's ``(C, H, W)``.
        cache_dir: Where the weights are cached (default ``$GANKIT_CACHE``).

    Returns:
        The classifier in eval mode, or ``None`` for other shapes (colour
        images need your own, e.g. Inception with a local weights file).
    """
    shape = tuple(shape)
    kind = _builtin_kind(shape)
    if kind == "mnist":
        from gankit.metrics.mnist_model import mnist_classifier

        return mnist_classifier(cache_dir=cache_dir)
    if kind == "digits":
        from gankit.metrics.digits_model import digits_classifier

        return digits_classifier(shape[1], cache_dir=cache_dir)
    return None


class ImageQuality:
    r"""Score images against a fixed real set with FD, KID, IS, precision/recall, density/coverage.

    Build it from a classifier (:meth:`from_classifier`) or from a feature
    extractor and an optional probability model. The real set's features are
    extracted once, so scoring many checkpoints costs one pass over the
    generated images each.

    .. math::
        \mathrm{FD} = \lVert \mu_r - \mu_g \rVert^2
            + \operatorname{tr}\big(\Sigma_r + \Sigma_g - 2 (\Sigma_r \Sigma_g)^{1/2}\big),
        \qquad \mathrm{IS} = \exp \mathbb{E}_x\, \mathrm{KL}\big(p(y \mid x) \,\|\, p(y)\big)

    Args:
        real: The reference images ``(N, C, H, W)``, ``N >= 2``.
        feature_extractor: Maps ``(B, C, H, W)`` to features ``(B, d)``.
        probabilities: Maps images to class probabilities ``(B, K)``, for IS;
            ``None`` reports IS as ``nan``.
        batch_size: Images per extractor call.
        kid_subsets: Random subsets (of ``min(1000, N, M)`` each) of the KID
            estimate; one when a subset is the whole of both sets.
        seed: Seed of the KID subsets.

    Raises:
        TypeError: If ``real`` is not a tensor or a model is not an ``nn.Module``.
        ValueError: If ``real`` is not ``(N, C, H, W)`` with ``N >= 2``.

    Shape:
        - real: ``(N, C, H, W)``; images given to :meth:`score`: ``(M, C, H, W)``.

    Example:
        >>> import os, tempfile
        >>> from gankit.data import digits
        >>> from gankit.metrics import digits_classifier
        >>> cache = os.path.join(tempfile.gettempdir(), "gankit-doctest-cache")
        >>> test = digits("test").images
        >>> quality = ImageQuality.from_classifier(digits_classifier(8, cache_dir=cache), test)
        >>> same = quality.score(test)
        >>> same.fd < 1e-6, same.precision, same.recall
        (True, 1.0, 1.0)
    """

    def __init__(
        self,
        real: Tensor,
        feature_extractor: nn.Module,
        probabilities: nn.Module | None = None,
        *,
        batch_size: int = 500,
        kid_subsets: int = 100,
        seed: int = 0,
    ) -> None:
        if not isinstance(real, Tensor):
            raise TypeError(f"real must be a torch.Tensor (N, C, H, W), got {type(real).__name__}")
        if real.dim() != 4 or len(real) < 2:
            raise ValueError(f"real must have shape (N, C, H, W) with N >= 2, got "
                             f"{tuple(real.shape)}")
        for name, model in (("feature_extractor", feature_extractor),
                            ("probabilities", probabilities)):
            if model is not None and not isinstance(model, nn.Module):
                raise TypeError(f"{name} must be an nn.Module, got {type(model).__name__}")
        self.feature_extractor, self.probabilities = feature_extractor, probabilities
        self.batch_size, self.kid_subsets, self.seed = batch_size, kid_subsets, seed
        self.image_shape = tuple(real.shape[1:])
        self.real_features = extract_features(feature_extractor, real, batch_size)  # (N, d)
        self.num_real = len(real)

    @classmethod
    def from_classifier(cls, classifier: nn.Module, real: Tensor, **kwargs: object) -> ImageQuality:
        """Use a classifier's ``features(x)`` and the softmax of its logits ``forward(x)``.

        Keyword arguments go to the constructor.
        """
        return cls(real, FeatureMap(classifier), Probabilities(classifier), **kwargs)  # type: ignore[arg-type]

    def inception_score(self, images: Tensor, splits: int = 10) -> tuple[float, float]:
        """IS ``(mean, std)`` of ``images`` over ``splits`` parts; ``nan`` without a model."""
        if self.probabilities is None:
            return float("nan"), float("nan")
        probs = extract_features(self.probabilities, images, self.batch_size).double()  # (M, K)
        # The splits must be random parts: data sorted by class would give each split few
        # classes and a score near 1. A fixed permutation keeps the figure reproducible.
        order = torch.randperm(len(probs), generator=torch.Generator().manual_seed(self.seed))
        result = inception_score(probs[order], splits=min(splits, len(images)))
        return result.mean, result.std

    def score(self, images: Tensor) -> ImageQualityResult:
        """Score ``images`` ``(M, C, H, W)`` against the reference; ``M >= 2``.

        Raises:
            TypeError: If ``images`` is not a tensor.
            ValueError: If the images' shape differs from the reference's.
        """
        if not isinstance(images, Tensor):
            raise TypeError(f"images must be a torch.Tensor, got {type(images).__name__}")
        if images.dim() != 4 or tuple(images.shape[1:]) != self.image_shape or len(images) < 2:
            raise ValueError(
                f"images must have shape (M, {', '.join(map(str, self.image_shape))}) with "
                f"M >= 2 like the reference, got {tuple(images.shape)}"
            )
        fake = extract_features(self.feature_extractor, images, self.batch_size)  # (M, d)
        real = self.real_features
        subset = min(_KID_SUBSET, len(fake), len(real))
        # Subsets as large as both sets are all the same set: one estimate says it all.
        subsets = 1 if subset == len(fake) == len(real) else self.kid_subsets
        kid = kernel_distance(real, fake, num_subsets=subsets, subset_size=subset,
                              generator=torch.Generator().manual_seed(self.seed))
        pr, dc = precision_recall(real, fake, k=3), density_coverage(real, fake, k=5)
        is_mean, is_std = self.inception_score(images)
        return ImageQualityResult(
            fd=frechet_distance(real, fake), kid=kid.mean, kid_std=kid.std,
            inception_score=is_mean, inception_score_std=is_std,
            precision=pr.precision, recall=pr.recall, density=dc.density, coverage=dc.coverage,
            num_images=len(images),
        )
