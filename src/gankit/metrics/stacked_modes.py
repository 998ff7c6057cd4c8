r"""Mode coverage on Stacked MNIST: classify each channel, count the 1,000 triples.

PacGAN (Lin et al. 2018, Table 2), after VEEGAN: a pretrained MNIST classifier
labels the R, G and B channel of each of 26,000 generated samples; the triple
of labels is the sample's mode. The scores are the number of modes holding at
least one sample and the KL divergence of the mode histogram ``p`` to uniform:

.. math::
    \mathrm{KL}(p \,\|\, u) = \sum_{m : p_m > 0} p_m \log (1000\, p_m)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from gankit.metrics.features import extract_features

__all__ = ["StackedModesResult", "stacked_mnist_modes", "stacked_modes_from_labels"]

NUM_MODES = 1000


@dataclass(frozen=True)
class StackedModesResult:
    """Stacked MNIST's mode figures.

    Attributes:
        modes_covered: Modes (triples) with at least one sample, out of 1,000.
        kl: KL divergence of the mode histogram to uniform, in nats (0 is uniform).
        num_samples: The samples classified.
        counts: Samples per mode ``(1000,)``, mode ``100·y_R + 10·y_G + y_B``.
    """

    modes_covered: int
    kl: float
    num_samples: int
    counts: Tensor


def stacked_modes_from_labels(labels: Tensor) -> StackedModesResult:
    """The figures of per-channel class labels ``(N, 3)`` in ``0..9``.

    Raises:
        ValueError: If ``labels`` is not ``(N, 3)`` integers in ``0..9`` with ``N >= 1``.

    Shape:
        - labels: ``(N, 3)``.

    Example:
        >>> r = stacked_modes_from_labels(torch.tensor([[0, 0, 0], [1, 2, 3]]))
        >>> r.modes_covered, round(r.kl, 4)  # two modes equally: log(1000 / 2)
        (2, 6.2146)
    """
    if not isinstance(labels, Tensor) or labels.dim() != 2 or labels.shape[1] != 3 or (
        len(labels) == 0
    ):
        shape = tuple(labels.shape) if isinstance(labels, Tensor) else type(labels).__name__
        raise ValueError(f"labels must have shape (N, 3) with N >= 1, got {shape}")
    if labels.is_floating_point() or labels.min() < 0 or labels.max() > 9:
        raise ValueError("labels must be integer classes in 0..9")
    modes = 100 * labels[:, 0] + 10 * labels[:, 1] + labels[:, 2]  # (N,)
    counts = torch.bincount(modes.long(), minlength=NUM_MODES)
    p = counts[counts > 0].double() / len(labels)
    kl = float((p * (p * NUM_MODES).log()).sum())
    return StackedModesResult(int((counts > 0).sum()), max(kl, 0.0), len(labels), counts)


def stacked_mnist_modes(
    samples: Tensor, classifier: nn.Module, *, batch_size: int = 1000
) -> StackedModesResult:
    """Classify each channel of ``samples`` ``(N, 3, H, W)`` with a digit classifier.

    Args:
        samples: Generated stacks in ``[−1, 1]``.
        classifier: Maps ``(B, 1, H, W)`` to 10 class logits, e.g.
            :func:`gankit.metrics.mnist_classifier`.
        batch_size: Images per classifier call.

    Returns:
        A :class:`StackedModesResult`.

    Raises:
        ValueError: If ``samples`` is not ``(N, 3, H, W)``.

    Shape:
        - samples: ``(N, 3, H, W)``.
    """
    if not isinstance(samples, Tensor) or samples.dim() != 4 or samples.shape[1] != 3:
        shape = tuple(samples.shape) if isinstance(samples, Tensor) else type(samples).__name__
        raise ValueError(f"samples must have shape (N, 3, H, W), got {shape}")
    n, _, h, w = samples.shape
    channels = samples.reshape(n * 3, 1, h, w)  # (3N, 1, H, W): R, G, B of each sample in turn
    logits = extract_features(classifier, channels, batch_size=batch_size)  # (3N, 10)
    return stacked_modes_from_labels(logits.argmax(dim=1).reshape(n, 3))


