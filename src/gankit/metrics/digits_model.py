"""A small digits classifier, trained offline and deterministically, as a feature extractor.

Fréchet distance, precision/recall and density/coverage need a feature space
in which distances mean something. Inception-v3 is the usual one, but it must
be downloaded and knows nothing of 8×8 digits. This module trains a small CNN
on the training split of :func:`gankit.data.digits` (nothing is downloaded;
scikit-learn ships the images) and uses its penultimate layer as features.

Training is deterministic and the weights are cached atomically in
``$GANKIT_CACHE`` (default ``~/.cache/gankit``) under a file name keyed by the
image size and a hash of the training recipe, loaded with
``torch.load(weights_only=True)`` (the shared machinery of
:mod:`gankit.metrics._classifier_cache`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from torch import Tensor, nn

from gankit._validation import check_positive_int, check_shape
from gankit.metrics._classifier_cache import (
    FeatureMap,
    cache_file,
    load_or_train,
    train_classifier,
)

__all__ = ["DigitsClassifier", "digits_classifier", "digits_feature_extractor"]

_SIZES = (8, 16, 32)

#: Everything that determines the trained weights; its hash names the cache file.
_RECIPE: dict[str, Any] = {
    "version": 1,  # bump when the architecture or the training loop changes
    "data": "gankit.data.digits(split='train'): 30 per class held out, RandomState(0)",
    "architecture": "stem[conv4s2-16 relu]*, conv3-32 relu, conv3-64 relu, maxpool2, fc tanh",
    "feature_dim": 128,
    "optimizer": "adam",
    "lr": 1e-3,
    "batch_size": 64,
    "epochs": 10,
    "seed": 0,
}


def _check_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size not in _SIZES:
        raise ValueError(f"size must be 8, 16 or 32 (the digits sizes), got {size!r}")
    return size


class DigitsClassifier(nn.Module):
    r"""A small CNN for ``size × size`` digits in ``[−1, 1]``; its features are ``tanh(W h)``.

    Inputs larger than 8×8 first pass through stride-2 convolutions (16
    channels) down to 8×8; then two 3×3 convolutions (32, 64 channels, ReLU),
    a 2×2 max-pool and a fully connected layer with tanh give the features,
    and a linear layer gives the 10 class logits:

    .. math::
        f(x) = \tanh\big(W_f \, \mathrm{trunk}(x) + b_f\big) \in (-1, 1)^{d},
        \qquad \mathrm{logits}(x) = W_c f(x) + b_c

    The bounded tanh features have no dead units, so their covariance has full
    rank ``d``. Use :func:`digits_classifier` for trained weights.

    Args:
        size: Image side: 8, 16 or 32.
        feature_dim: ``d``, the width of the feature layer.

    Raises:
        TypeError: If ``feature_dim`` is not an int.
        ValueError: If ``size`` is not 8, 16 or 32, or ``feature_dim < 1``.

    Shape:
        - Input: ``(N, 1, size, size)``; :meth:`features`: ``(N, feature_dim)``;
          output (logits): ``(N, 10)``.

    Example:
        >>> import torch
        >>> model = DigitsClassifier(16)
        >>> x = torch.zeros(2, 1, 16, 16)
        >>> model(x).shape, model.features(x).shape
        (torch.Size([2, 10]), torch.Size([2, 128]))
    """

    num_classes: ClassVar[int] = 10

    def __init__(self, size: int = 8, feature_dim: int = 128) -> None:
        super().__init__()
        self.size = _check_size(size)
        self.feature_dim = check_positive_int(feature_dim, "feature_dim")
        stem: list[nn.Module] = []
        channels, side = 1, size
        while side > 8:  # 32 → 16 → 8
            stem += [nn.Conv2d(channels, 16, 4, stride=2, padding=1), nn.ReLU()]
            channels, side = 16, side // 2
        self.trunk = nn.Sequential(
            *stem,
            nn.Conv2d(channels, 32, 3, padding=1), nn.ReLU(),  # (N, 32, 8, 8)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),  # (N, 64, 8, 8)
            nn.MaxPool2d(2),  # (N, 64, 4, 4)
            nn.Flatten(),  # (N, 1024)
            nn.Linear(64 * 16, feature_dim), nn.Tanh(),  # (N, d)
        )
        self.head = nn.Linear(feature_dim, self.num_classes)

    def features(self, x: Tensor) -> Tensor:
        """Return the penultimate-layer features ``(N, feature_dim)`` of images ``(N, 1, s, s)``.

        Raises:
            ValueError: If ``x`` is not ``(N, 1, size, size)``.
        """
        check_shape(x, (None, 1, self.size, self.size), "images")
        return self.trunk(x)

    def forward(self, x: Tensor) -> Tensor:
        """Return class logits ``(N, 10)`` of images ``(N, 1, size, size)``."""
        return self.head(self.features(x))


def _cache_file(size: int, cache_dir: str | os.PathLike[str] | None) -> Path:
    return cache_file(f"digits_classifier_{size}px", _RECIPE, cache_dir)


def _train(model: DigitsClassifier) -> None:
    """Train on the digits training split, bit-for-bit reproducibly on one machine."""
    from gankit.data import digits

    train = digits("train", size=model.size)
    train_classifier(model, train.images, train.labels, _RECIPE)


def digits_classifier(
    size: int = 8, *, cache_dir: str | os.PathLike[str] | None = None, retrain: bool = False
) -> DigitsClassifier:
    r"""The trained :class:`DigitsClassifier` for ``size × size`` digits, in eval mode.

    Loads the cached weights if present; otherwise trains (about 5 s on one
    CPU core: Adam, lr 1e-3, batch 64, 10 epochs of cross-entropy on the 1,497
    training images, seed 0) and caches them. Held-out accuracy (the 300 test
    images of :func:`gankit.data.digits`) is about 0.98 at every size.

    .. math::
        \min_\theta \; \frac{1}{N} \sum_{i=1}^{N}
            -\log \operatorname{softmax}(\mathrm{logits}_\theta(x_i))_{y_i}

    Args:
        size: Image side: 8, 16 or 32.
        cache_dir: Folder of the cached weights; default ``$GANKIT_CACHE`` or
            ``~/.cache/gankit``.
        retrain: Train again and overwrite the cache even if it exists.

    Returns:
        The classifier on the CPU, in eval mode, with ``requires_grad=False``.

    Raises:
        ValueError: If ``size`` is not 8, 16 or 32.
        TypeError: If ``cache_dir`` is not a path.
        ImportError: If scikit-learn (the digits' source) is needed and missing.

    Shape:
        - Input ``(N, 1, size, size)`` in ``[−1, 1]``; logits ``(N, 10)``.

    Example:
        >>> import os, tempfile
        >>> from gankit.data import digits
        >>> cache = os.path.join(tempfile.gettempdir(), "gankit-doctest-cache")
        >>> model = digits_classifier(8, cache_dir=cache)
        >>> test = digits("test")
        >>> accuracy = (model(test.images).argmax(1) == test.labels).float().mean()
        >>> bool(accuracy >= 0.95)
        True
    """
    size = _check_size(size)
    path = _cache_file(size, cache_dir)
    return load_or_train(lambda: DigitsClassifier(size, _RECIPE["feature_dim"]), _train, path,
                         retrain=retrain, what="digits classifier")


def digits_feature_extractor(
    size: int = 8, *, cache_dir: str | os.PathLike[str] | None = None, retrain: bool = False
) -> nn.Module:
    """The trained :class:`DigitsClassifier`'s feature map, ready for :func:`extract_features`.

    It takes the arguments of :func:`digits_classifier` (``size``,
    ``cache_dir``, ``retrain``), loads or trains the classifier the same way
    and raises the same errors.

    Returns:
        A module in eval mode mapping images to ``(N, 128)`` features in ``(−1, 1)``.

    Shape:
        - Input ``(N, 1, size, size)`` in ``[−1, 1]``; output ``(N, 128)``.

    Example:
        >>> import os, tempfile
        >>> from gankit.data import digits
        >>> from gankit.metrics import extract_features, frechet_distance
        >>> cache = os.path.join(tempfile.gettempdir(), "gankit-doctest-cache")
        >>> extractor = digits_feature_extractor(8, cache_dir=cache)
        >>> real = extract_features(extractor, digits("test").images)
        >>> real.shape, frechet_distance(real, real) < 1e-6
        (torch.Size([300, 128]), True)
    """
    classifier = digits_classifier(size, cache_dir=cache_dir, retrain=retrain)
    return FeatureMap(classifier).eval()
