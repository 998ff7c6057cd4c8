"""Fixed noise and cycled labels: the same latent vectors at every look at the generator.

Sample grids, the collapse monitor, the evaluation callback and
``gankit evaluate`` all compare the generator with itself over time, so they
draw ``z`` once, from a seeded generator and the trainer's own latent prior,
and label row ``i`` with class ``i mod K`` (:func:`gankit.models.sampling.cycled_labels`).
"""

from __future__ import annotations

import torch
from torch import Tensor

from gankit._validation import check_positive_int
from gankit.callbacks._trainer_view import TrainerView
from gankit.models.sampling import cycled_labels

__all__ = ["FixedNoise"]


class FixedNoise:
    """``n`` latent vectors drawn once with ``seed``, and labels cycled over the classes.

    Args:
        n: How many latent vectors.
        seed: Seed of the torch generator the noise is drawn with.
        batch_size: Samples per generator call in :meth:`samples`.

    Raises:
        TypeError: If ``seed`` is not an int.
        ValueError: If ``n`` or ``batch_size`` is not a positive int.

    Example:
        >>> from types import SimpleNamespace
        >>> trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=3,
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 2, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: noise)
        >>> fixed = FixedNoise(4, seed=0)
        >>> z, labels = fixed.inputs(trainer)
        >>> tuple(z.shape), labels.tolist()
        ((4, 2), [0, 1, 2, 0])
        >>> torch.equal(fixed.samples(trainer), fixed.samples(trainer))  # the same every time
        True
    """

    def __init__(self, n: int, seed: int = 0, batch_size: int | None = None) -> None:
        self.n = check_positive_int(n, "n")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        self.seed = seed
        self.batch_size = self.n if batch_size is None else check_positive_int(
            batch_size, "batch_size"
        )
        self._noise: Tensor | None = None

    def noise(self, trainer: TrainerView, n: int | None = None) -> Tensor:
        """The first ``n`` (default all) fixed latent vectors, ``(n, latent_dim)``; drawn once."""
        if self._noise is None:
            gen = torch.Generator(device=trainer.device).manual_seed(self.seed)
            self._noise = trainer.sample_noise(self.n, generator=gen)  # (n, latent_dim)
        return self._noise if n is None else self._noise[:n]

    def inputs(self, trainer: TrainerView) -> tuple[Tensor, Tensor | None]:
        """``(z (n, latent_dim), labels (n,) or None)``: the noise and its cycled labels."""
        return self.noise(trainer), cycled_labels(self.n, trainer.num_classes, trainer.device)

    def samples(self, trainer: TrainerView) -> Tensor:
        """The generator's ``(n, *S)`` samples of the fixed inputs (EMA weights when on)."""
        z, labels = self.inputs(trainer)
        chunks = [
            trainer.sample(len(zi), None if labels is None else labels[i : i + len(zi)], noise=zi)
            for i, zi in zip(range(0, self.n, self.batch_size), z.split(self.batch_size))
        ]
        return torch.cat(chunks)
