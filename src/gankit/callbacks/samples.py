"""Save a picture of samples from fixed noise every N steps."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from gankit._validation import check_optional_positive_int, check_path, check_positive_int
from gankit._writer import write_job
from gankit.callbacks.base import Callback, Metrics
from gankit.callbacks.fixed_noise import FixedNoise
from gankit.visualize.grid import save_image_grid
from gankit.visualize.plots import save_scatter

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["SampleGrid"]


class SampleGrid(Callback):
    """Save ``samples_{step:08d}.png`` every ``every`` steps and when the fit ends.

    The latent vectors are drawn once, from ``torch.Generator().manual_seed(seed)``,
    and reused for every picture (and after a resume), so the pictures show how
    the same points of the latent space evolve; the global RNG is untouched.
    Sampling goes through :meth:`~gankit.Trainer.sample` (eval mode, no
    gradients, the EMA generator when there is one).

    - Images ``(N, C, H, W)`` with 1 or 3 channels in ``[-1, 1]``: a grid of
      ``n`` images, ``nrow`` per row (default ``ceil(sqrt(n))``), small images
      enlarged by nearest neighbour to at least 64 pixels a side (``scale``); see
      :func:`~gankit.visualize.save_image_grid`.
    - Conditional generators (``trainer.num_classes = K``): one row per class,
      ``per_row = nrow or max(1, n // K)`` images each, with labels
      ``arange(K).repeat_interleave(per_row)``; each column shares one latent
      vector, so a column shows one ``z`` rendered as every class.
    - 2-D points ``(N, 2)``: a scatter of ``n`` generated points over the real
      points (``real`` if given, else ``trainer.last_real``); use a larger ``n``
      (say 1000) for a clearer picture.

    Args:
        dirpath: The folder of the pictures (created when first needed).
        every: Save every ``every`` steps.
        n: How many samples to draw.
        seed: Seed of the fixed noise.
        nrow: Images per row of the grid.
        real: Real 2-D points for the scatter, shape ``(N, 2)``.
        scale: Integer enlargement of each image in the grid; ``None`` (the
            default) makes tiles at least 64 pixels, ``1`` keeps one pixel per pixel.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every``, ``n``, ``nrow`` or ``scale`` is below 1; when saving, if
            the samples are neither images nor 2-D points.

    Example:
        >>> import tempfile, pathlib
        >>> from types import SimpleNamespace
        >>> G = torch.nn.Sequential(torch.nn.Linear(4, 48), torch.nn.Tanh(),
        ...                         torch.nn.Unflatten(1, (3, 4, 4)))
        >>> trainer = SimpleNamespace(
        ...     step=500, device=torch.device("cpu"), num_classes=None,
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 4, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: G(noise).detach())
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> SampleGrid(folder, every=500, n=16).on_step_end(trainer, {})
        >>> [p.name for p in folder.iterdir()]
        ['samples_00000500.png']
    """

    rank_zero_only = True  # writes files: rank 0 alone in distributed runs

    config_keys = ("every", "n", "seed", "nrow")  # what a config file may set

    def __init__(
        self,
        dirpath: str | os.PathLike[str],
        every: int = 500,
        n: int = 64,
        seed: int = 0,
        nrow: int | None = None,
        real: Tensor | None = None,
        *,
        scale: int | None = None,
    ) -> None:
        self.dirpath = check_path(dirpath, "dirpath")
        self.every = check_positive_int(every, "every")
        self.n = check_positive_int(n, "n")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        self.seed = seed
        self.nrow = None if nrow is None else check_positive_int(nrow, "nrow")
        self.scale = check_optional_positive_int(scale, "scale")
        if real is not None and (not isinstance(real, Tensor) or real.dim() != 2
                                 or real.shape[1] != 2):
            shown = tuple(real.shape) if isinstance(real, Tensor) else type(real).__name__
            raise ValueError(f"real must be a tensor of 2-D points (N, 2), got {shown}")
        self.real = real
        self._noise: Tensor | None = None
        self._labels: Tensor | None = None
        self._grid_nrow: int | None = None
        self._saved_step: int | None = None

    def _fixed_inputs(self, trainer: TrainerView) -> tuple[Tensor, Tensor | None]:
        """The fixed noise (and labels), drawn once: row ``i`` of the grid is class ``i``."""
        if self._noise is None:
            k = trainer.num_classes
            if k is None:
                self._noise = FixedNoise(self.n, self.seed).noise(trainer)
                self._grid_nrow = self.nrow
            else:
                per_row = self.nrow or max(1, self.n // k)
                z = FixedNoise(per_row, self.seed).noise(trainer)  # (per_row, latent_dim)
                self._noise = z.repeat(k, 1)  # (k * per_row, latent_dim), row i = class i
                self._labels = torch.arange(k, device=trainer.device).repeat_interleave(per_row)
                self._grid_nrow = per_row
        return self._noise, self._labels

    def save(self, trainer: TrainerView, *, background: bool = True) -> Path:
        """Draw the fixed-noise samples now and write ``samples_{step:08d}.png``.

        The samples are drawn in the training thread; the PNG is written on
        ``trainer.writer`` when the trainer has one and ``background`` is on
        (else before this returns).

        Args:
            trainer: The trainer to sample from.
            background: Write on the trainer's writer (when it has one).

        Returns:
            The path written.

        Raises:
            ValueError: If the samples are neither images nor 2-D points.
        """
        noise, labels = self._fixed_inputs(trainer)
        samples = trainer.sample(noise.shape[0], labels, noise=noise).to("cpu", copy=True)
        writer = trainer if background else None
        path = self.dirpath / f"samples_{trainer.step:08d}.png"
        if samples.dim() == 4:
            write_job(writer, path.name, partial(save_image_grid, nrow=self._grid_nrow,
                                                  scale=self.scale), samples, path)
        elif samples.dim() == 2 and samples.shape[1] == 2:
            real = self.real if self.real is not None else getattr(trainer, "last_real", None)
            if real is not None and (real.dim() != 2 or real.shape[1] != 2):
                real = None  # not 2-D points: show the generated points only
            real = None if real is None else real.detach().to("cpu", torch.float64).numpy()
            write_job(writer, path.name, save_scatter, real,
                      samples.to(torch.float64).numpy(), path, f"step {trainer.step}")
        else:
            raise ValueError(
                "SampleGrid draws images (N, C, H, W) or 2-D points (N, 2), "
                f"but the generator gives samples of shape {tuple(samples.shape)}"
            )
        self._saved_step = trainer.step
        return path

    def reads_diagnostics(self, step: int) -> bool:
        """Never: this callback reads no metric."""
        return False

    def on_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Save every ``every`` steps."""
        if trainer.step % self.every == 0:
            self.save(trainer)

    def on_fit_end(self, trainer: TrainerView) -> None:
        """Save the final samples, unless this step was just saved."""
        if self._saved_step != trainer.step:
            self.save(trainer)
