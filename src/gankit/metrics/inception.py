"""Optional Inception-v3 features (FID's), from torch-fidelity and a local weights file.

gankit never downloads anything. :func:`inception_feature_extractor` wraps
torch-fidelity's ``FeatureExtractorInceptionV3`` (the TensorFlow-compatible
network that FID, KID and torchmetrics' ``FrechetInceptionDistance`` use) only
when torch-fidelity is installed and the weights file exists on disk;
otherwise it explains what to install and where to put the weights. For 8×8
digits, :mod:`gankit.metrics.digits_model` is the better feature space.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import Tensor, nn

__all__ = ["INCEPTION_WEIGHTS_URL", "inception_feature_extractor", "inception_probabilities"]

#: Where torch-fidelity publishes the FID Inception weights (download them yourself).
INCEPTION_WEIGHTS_URL = (
    "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/"
    "weights-inception-2015-12-05-6726825d.pth"
)


class _InceptionFeatures(nn.Module):
    """Maps images in ``[−1, 1]`` to uint8 RGB, then to one Inception output.

    The output is the 2048 pool features, or with ``softmax`` the class
    probabilities of the 1,008 ``logits_unbiased`` (the Inception Score's).
    """

    def __init__(self, inception: nn.Module, softmax: bool = False) -> None:
        super().__init__()
        self.inception, self.softmax = inception, softmax

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or x.shape[1] not in (1, 3):
            raise ValueError(
                f"images must have shape (N, 1 or 3, H, W), got {tuple(x.shape)}"
            )
        x = x.expand(-1, 3, -1, -1)  # (N, 3, H, W): grey images repeat their channel
        pixels = ((x.clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8)
        out = self.inception(pixels)[0]  # (N, 2048) or (N, 1008); resized to 299×299 inside
        return out.double().softmax(dim=1) if self.softmax else out


def _load_inception(weights_path: str | os.PathLike[str], feature: str) -> nn.Module:
    """torch-fidelity's Inception-v3 with one output, from a local weights file."""
    if not isinstance(weights_path, (str, os.PathLike)):
        raise TypeError(f"weights_path must be a path, got {type(weights_path).__name__}")
    path = Path(weights_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Inception weights not found at {str(path)!r}; gankit never downloads: fetch "
            f"{INCEPTION_WEIGHTS_URL} yourself and pass the file's path"
        )
    try:
        from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    except ImportError as error:
        raise ImportError(
            "the Inception adapters need torch-fidelity: pip install torch-fidelity "
            '(torchmetrics\' FID uses the same network: pip install "torchmetrics[image]")'
        ) from error
    return FeatureExtractorInceptionV3(
        "inception-v3-compat", [feature], feature_extractor_weights_path=str(path)
    )


def inception_feature_extractor(weights_path: str | os.PathLike[str]) -> nn.Module:
    r"""FID's Inception-v3 pool features (2048) from torch-fidelity and local weights.

    Images in ``[−1, 1]`` become 8-bit RGB, ``p = \mathrm{round}(127.5 (x + 1))``
    (grey images repeat their channel), which torch-fidelity resizes to
    299×299 and maps through the network to the 2048 average-pooled features.

    Args:
        weights_path: The torch-fidelity weights file
            ``weights-inception-2015-12-05-6726825d.pth``, downloaded by you from
            :data:`INCEPTION_WEIGHTS_URL`.

    Returns:
        A module in eval mode mapping images to ``(N, 2048)`` float32 features,
        ready for :func:`~gankit.metrics.extract_features`.

    Raises:
        TypeError: If ``weights_path`` is not a path.
        FileNotFoundError: If the weights file does not exist (nothing is downloaded).
        ImportError: If torch-fidelity is not installed.

    Shape:
        - Input ``(N, 1 or 3, H, W)`` in ``[−1, 1]``; output ``(N, 2048)``.

    Example:
        >>> inception_feature_extractor("no/such/weights.pth")
        Traceback (most recent call last):
        ...
        FileNotFoundError: Inception weights not found at 'no/such/weights.pth'; ...
    """
    return _InceptionFeatures(_load_inception(weights_path, "2048")).eval()


def inception_probabilities(weights_path: str | os.PathLike[str]) -> nn.Module:
    r"""Inception-v3's class probabilities for the Inception Score, from local weights.

    The softmax of torch-fidelity's ``logits_unbiased`` (1,008 classes), as its
    Inception Score computes it; pass it as ``probabilities`` to
    :class:`~gankit.metrics.ImageQuality` beside :func:`inception_feature_extractor`.

    Args:
        weights_path: The torch-fidelity weights file (see :func:`inception_feature_extractor`).

    Returns:
        A module in eval mode mapping images to ``(N, 1008)`` float64 probabilities.

    Raises:
        TypeError: If ``weights_path`` is not a path.
        FileNotFoundError: If the weights file does not exist (nothing is downloaded).
        ImportError: If torch-fidelity is not installed.

    Shape:
        - Input ``(N, 1 or 3, H, W)`` in ``[−1, 1]``; output ``(N, 1008)``.

    Example:
        >>> inception_probabilities("no/such/weights.pth")
        Traceback (most recent call last):
        ...
        FileNotFoundError: Inception weights not found at 'no/such/weights.pth'; ...
    """
    return _InceptionFeatures(_load_inception(weights_path, "logits_unbiased"), softmax=True).eval()
