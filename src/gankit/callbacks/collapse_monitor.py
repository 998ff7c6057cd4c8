"""Monitor the diversity of the generator's samples and warn of mode collapse."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from gankit._validation import check_fraction, check_positive_int
from gankit.callbacks.base import Callback, Metrics
from gankit.callbacks.fixed_noise import FixedNoise

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["CollapseMonitor", "ModeCollapseWarning"]


class ModeCollapseWarning(UserWarning):
    """The generator's samples are much less diverse than expected (mode collapse)."""


def _mean_pairwise_distance(x: Tensor) -> float:
    """Mean Euclidean distance over the ``N(N - 1)`` ordered pairs of distinct rows, float64."""
    flat = x.detach().reshape(x.shape[0], -1).to(torch.float64)  # (N, D)
    dist = torch.cdist(flat, flat, compute_mode="donot_use_mm_for_euclid_dist")  # (N, N)
    n = flat.shape[0]
    return float(dist.sum() / (n * (n - 1)))


class CollapseMonitor(Callback):
    r"""Monitor sample diversity; warn with :class:`ModeCollapseWarning` when it collapses.

    Every ``every`` steps, ``n`` samples are drawn from fixed noise (seeded once
    with ``seed``; labels ``arange(n) % K`` for a conditional generator) and
    their diversity is measured as the mean pairwise Euclidean distance of the
    flattened samples,

    .. math::

        \delta(x_{1:n}) = \frac{1}{n(n - 1)} \sum_{i \ne j} \lVert x_i - x_j \rVert_2 .

    The reference is the diversity of the real data, measured on the latest
    real batch (``trainer.last_real``) at each check: a healthy generator's
    samples are about as spread out as the data (ratio near 1), a collapsed
    one's are not (ratio near 0). The warning fires when
    :math:`\delta_\text{fake} < \text{threshold} \cdot \delta_\text{real}`.
    When no real batch of at least 2 samples is known, the reference is the
    generator's own diversity at its first check (kept in the callback's state).

    Args:
        every: Check every ``every`` steps.
        n: Samples drawn per check (at least 2).
        threshold: The warning threshold on the diversity ratio, in ``(0, 1]``.
        seed: Seed of the fixed noise.

    Attributes:
        last_diversity (float | None): :math:`\delta_\text{fake}` at the last check.
        last_ratio (float | None): The diversity ratio at the last check.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every < 1``, ``n < 2`` or ``threshold`` is outside ``(0, 1]``.

    Shape:
        - ``trainer.last_real``: ``(B, *S)``; samples: ``(n, *S)``.

    Example:
        >>> import warnings
        >>> from types import SimpleNamespace
        >>> trainer = SimpleNamespace(
        ...     step=500, device=torch.device("cpu"), num_classes=None,
        ...     last_real=torch.randn(64, 2),
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 2, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: torch.zeros(n, 2))  # collapsed
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     CollapseMonitor(every=500).on_step_end(trainer, {})
        >>> caught[0].category.__name__
        'ModeCollapseWarning'
    """

    rank_zero_only = True  # warns once, from rank 0, in distributed runs

    config_keys = ("every", "n", "threshold", "seed")  # what a config file may set

    def __init__(
        self, every: int = 500, n: int = 256, threshold: float = 0.1, seed: int = 0
    ) -> None:
        self.every = check_positive_int(every, "every")
        self.n = check_positive_int(n, "n")
        if self.n < 2:
            raise ValueError(f"n must be >= 2 to measure pairwise distances, got {n}")
        self.threshold = check_fraction(threshold, "threshold", open_low=True, closed_high=True)
        self._fixed = FixedNoise(self.n, seed)
        self.seed = seed
        self.reference: float | None = None
        self.last_diversity: float | None = None
        self.last_ratio: float | None = None

    def reads_diagnostics(self, step: int) -> bool:
        """Never: this callback reads no metric."""
        return False

    def on_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Every ``every`` steps, run :meth:`check`."""
        if trainer.step % self.every == 0:
            self.check(trainer)

    def check(self, trainer: TrainerView) -> float:
        r"""Measure the diversity ratio now and warn if it is below ``threshold``.

        Args:
            trainer: The trainer to sample from.

        Returns:
            The ratio :math:`\delta_\text{fake} / \delta_\text{ref}` (``inf``
            when the reference is 0).
        """
        fake = _mean_pairwise_distance(self._fixed.samples(trainer))
        real_batch = getattr(trainer, "last_real", None)
        if real_batch is not None and real_batch.shape[0] >= 2:
            reference, source = _mean_pairwise_distance(real_batch), "the real batch"
        else:
            if self.reference is None:
                self.reference = fake
            reference, source = self.reference, "the samples at the first check"
        ratio = fake / reference if reference > 0 else float("inf")
        self.last_diversity, self.last_ratio = fake, ratio
        if ratio < self.threshold:
            warnings.warn(
                f"possible mode collapse at step {trainer.step}: samples from fixed noise "
                f"have mean pairwise distance {fake:.4g}, {ratio:.3g} times that of "
                f"{source} ({reference:.4g}), below the threshold {self.threshold}",
                ModeCollapseWarning,
                stacklevel=2,
            )
        return ratio

    #: The 0.1.0 class name, under which older checkpoints hold this callback's state.
    legacy_state_keys: tuple[str, ...] = ("CollapseWarning",)

    def state_dict(self) -> dict[str, Any]:
        """The first-check reference diversity (``None`` if never needed)."""
        return {"reference": self.reference}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the first-check reference diversity."""
        ref = state.get("reference")
        self.reference = None if ref is None else float(ref)


def __getattr__(name: str) -> Any:
    if name == "CollapseWarning":
        warnings.warn(
            "CollapseWarning is now called CollapseMonitor (ModeCollapseWarning is the "
            "warning it emits); the old name goes in the next release",
            DeprecationWarning, stacklevel=2,
        )
        return CollapseMonitor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
