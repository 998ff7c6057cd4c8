"""The end-of-run evaluation: ``metrics.json`` and ``samples.png`` in the run folder."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from gankit.config.data import DataSpec

__all__ = ["evaluate_run", "save_samples_picture"]


def save_samples_picture(samples: Tensor, path: Path, real: Tensor | None = None,
                         title: str | None = None) -> Path | None:
    """Draw samples as a scatter (2-D points) or an image grid (``(C, H, W)`` images).

    Args:
        samples: Generated samples, shape ``(N, 2)`` or ``(N, C, H, W)``.
        path: The PNG file.
        real: Real 2-D points drawn underneath a scatter, or ``None``.
        title: The scatter's title.

    Returns:
        The path written, or ``None`` if samples of this shape cannot be drawn.

    Raises:
        ImportError: If matplotlib or pillow is missing (``pip install "gankit[extras]"``).

    Shape:
        - samples: ``(N, 2)`` or ``(N, C, H, W)`` with ``C`` in ``{1, 3}``.

    Example:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "s.png"
        >>> save_samples_picture(torch.randn(10, 2), out) == out
        True
    """
    from gankit.visualize import save_image_grid, save_scatter

    samples = samples.detach().float().cpu()
    if samples.dim() == 2 and samples.shape[1] == 2:
        return save_scatter(real, samples, path, title=title)
    if samples.dim() == 4 and samples.shape[1] in (1, 3):
        return save_image_grid(samples.clamp(-1, 1), path)
    return None


def evaluate_run(trainer: Any, data: DataSpec, config: dict[str, Any], out_dir: Path,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Evaluate the trained generator and write ``metrics.json`` and ``samples.png``.

    Draws ``config["num_samples"]`` samples from seeded noise (with the EMA
    weights when EMA is on). On a Gaussian mixture (ring, grid) it adds the
    PacGAN mode-coverage metrics: ``modes_covered``, ``num_modes``,
    ``high_quality_fraction``, ``reverse_kl`` and the per-mode ``counts``. On
    a single Gaussian with a known ``mean`` and ``covariance`` (d2l's) it adds
    the sample moments next to the target's (``sample_mean``, ``target_mean``,
    ``sample_covariance``, ``target_covariance``, float64).

    Args:
        trainer: The trained :class:`~gankit.Trainer`.
        data: The run's data.
        config: The resolved ``[eval]`` section.
        out_dir: The run folder.
        extra: More entries for ``metrics.json`` (e.g. the wall time).

    Returns:
        The metrics written.

    Raises:
        ValueError: If the samples hold NaN or infinite values.

    Shape:
        - Samples drawn: ``(num_samples, *out_shape)``.

    Example:
        >>> import tempfile
        >>> from gankit.config import build_experiment
        >>> exp = build_experiment({
        ...     "data": {"name": "ring"}, "loss": {"name": "NSGAN"},
        ...     "generator": {"name": "MLPGenerator", "latent_dim": 2, "hidden": [8]},
        ...     "discriminator": {"name": "MLPDiscriminator", "hidden": [8]},
        ...     "trainer": {"steps": 1, "progress_bar": False}}, "unused")
        >>> config = {"num_samples": 100, "seed": 0, "mode_coverage": True,
        ...           "threshold": 3.0, "plot": False}
        >>> metrics = evaluate_run(exp.trainer, exp.data, config, Path(tempfile.mkdtemp()))
        >>> metrics["num_modes"], metrics["num_samples"]
        (8, 100)
    """
    from gankit.metrics import mode_coverage

    n = config["num_samples"]
    gen = torch.Generator(device=trainer.device).manual_seed(config["seed"])
    samples = trainer.sample(n, noise=trainer.sample_noise(n, generator=gen)).float().cpu()
    if not bool(torch.isfinite(samples).all()):
        raise ValueError(
            f"the generator produced non-finite samples at step {trainer.step}; training "
            "diverged (try a lower learning rate or a gradient penalty)"
        )
    metrics: dict[str, Any] = {
        "step": trainer.step,
        "num_samples": n,
        "ema": trainer.ema_generator is not None,
    }
    source = data.source
    means = getattr(source, "means", None)
    std = getattr(source, "std", None)
    if config["mode_coverage"] and means is not None and std is not None:
        result = mode_coverage(samples, means, std, threshold=config["threshold"])
        metrics.update(result.as_dict())
        metrics["threshold"] = config["threshold"]
    target_mean = getattr(source, "mean", None)
    target_cov = getattr(source, "covariance", None)
    if isinstance(target_mean, Tensor) and isinstance(target_cov, Tensor):
        x = samples.reshape(n, -1).double()  # (n, 2)
        metrics["sample_mean"] = x.mean(dim=0).tolist()
        metrics["target_mean"] = target_mean.double().tolist()
        metrics["sample_covariance"] = torch.cov(x.T).tolist() if n > 1 else None
        metrics["target_covariance"] = target_cov.double().tolist()
    if extra:
        metrics.update(extra)
    out_dir.mkdir(parents=True, exist_ok=True)
    safe = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in metrics.items()}
    (out_dir / "metrics.json").write_text(json.dumps(safe, indent=2) + "\n", encoding="utf-8")
    if config["plot"]:
        real = data.real_points(min(n, 2000), seed=config["seed"])
        title = None
        if "modes_covered" in metrics:
            title = (f"step {trainer.step}: {metrics['modes_covered']}/{metrics['num_modes']} "
                     f"modes, {100 * metrics['high_quality_fraction']:.1f}% high quality")
        shown = samples if samples.dim() == 2 else samples[:64]
        save_samples_picture(shown, out_dir / "samples.png", real=real, title=title)
    return metrics
