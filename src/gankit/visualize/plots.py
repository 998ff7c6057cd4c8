"""Matplotlib figures written straight to PNG files (Agg, no display, no pyplot)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from gankit._atomic import atomic_write

__all__ = ["save_loss_plot", "save_scatter"]


def _figure(figsize: tuple[float, float]) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError('plotting needs matplotlib: pip install "gankit[extras]"') from exc
    fig = Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(fig)  # render off-screen, whatever pyplot's backend is
    return fig


def _points(value: Tensor | np.ndarray | None, name: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, Tensor):
        value = value.detach().to("cpu", torch.float64).numpy()
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must be 2-D points of shape (N, 2), got {array.shape}")
    return array


def save_scatter(
    real: Tensor | np.ndarray | None,
    fake: Tensor | np.ndarray,
    path: str | os.PathLike[str],
    title: str | None = None,
) -> Path:
    """Save a scatter plot of real and generated 2-D points as a PNG.

    Real points are drawn in blue, generated ones in orange on top, on equal
    axes, as in the Dive into Deep Learning GAN section's final figure.

    Args:
        real: Real points, or ``None`` to draw only the generated ones.
        fake: Generated points.
        path: The PNG file; its folder is created if needed.
        title: The figure's title.

    Returns:
        The path written.

    Raises:
        ImportError: If matplotlib is not installed (``pip install "gankit[extras]"``).
        ValueError: If the points are not of shape ``(N, 2)``.

    Shape:
        - real: ``(N, 2)``; fake: ``(M, 2)``.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "scatter.png"
        >>> save_scatter(torch.randn(100, 2), torch.randn(50, 2), path).stat().st_size > 0
        True
    """
    real_np, fake_np = _points(real, "real"), _points(fake, "fake")
    assert fake_np is not None
    fig = _figure((5.0, 5.0))
    ax = fig.subplots()
    if real_np is not None:
        ax.scatter(real_np[:, 0], real_np[:, 1], s=6, alpha=0.5, c="tab:blue", label="real")
    ax.scatter(fake_np[:, 0], fake_np[:, 1], s=6, alpha=0.5, c="tab:orange", label="generated")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper right")
    if title is not None:
        ax.set_title(title)
    path = Path(path)
    with atomic_write(path) as f:  # a crash leaves the old file or none, never half a PNG
        fig.savefig(f, format="png")
    return path


def save_loss_plot(
    history: Mapping[str, tuple[Sequence[int], Sequence[float]]],
    path: str | os.PathLike[str],
    title: str | None = None,
) -> Path:
    """Save loss curves against the training step as a PNG.

    The totals ``d/loss`` and ``g/loss`` are drawn as solid lines, every other
    series (the individual terms ``d/<name>``, ``g/<name>``) as thin dashed ones.

    Args:
        history: Series name to ``(steps, values)``.
        path: The PNG file; its folder is created if needed.
        title: The figure's title.

    Returns:
        The path written.

    Raises:
        ImportError: If matplotlib is not installed (``pip install "gankit[extras]"``).
        ValueError: If a series has different numbers of steps and values.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "loss.png"
        >>> history = {"d/loss": ([10, 20], [1.3, 1.2]), "g/loss": ([10, 20], [0.7, 0.8])}
        >>> save_loss_plot(history, path).stat().st_size > 0
        True
    """
    for name, (steps, values) in history.items():
        if len(steps) != len(values):
            raise ValueError(
                f"series {name!r} has {len(steps)} steps but {len(values)} values"
            )
    fig = _figure((7.0, 4.0))
    ax = fig.subplots()
    for name, (steps, values) in history.items():
        total = name in ("d/loss", "g/loss")
        ax.plot(steps, values, label=name, linewidth=1.5 if total else 0.8,
                linestyle="-" if total else "--")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if history:
        ax.legend(loc="best", fontsize="small")
    if title is not None:
        ax.set_title(title)
    # Fixed margins for these fixed labels: tight_layout would draw the figure twice.
    fig.subplots_adjust(left=0.09, right=0.98, top=0.92 if title else 0.97, bottom=0.12)
    path = Path(path)
    with atomic_write(path) as f:  # a crash leaves the old file or none, never half a PNG
        fig.savefig(f, format="png")
    return path
