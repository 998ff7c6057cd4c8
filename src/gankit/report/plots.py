"""The report's curves as PNG bytes, drawn with matplotlib (the ``extras`` extra).

Pure functions of the numbers: no file is written and pyplot's global state
is never touched (a bare :class:`matplotlib.figure.Figure`), so the report
can be built in any thread. Without matplotlib they raise ImportError naming
the extra, and the report shows its tables alone.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

__all__ = ["Series", "has_matplotlib", "line_chart_png"]

#: One curve: its x values (steps) and y values; NaN values are skipped.
Series = tuple[Sequence[float], Sequence[float]]


def has_matplotlib() -> bool:
    """Whether matplotlib can be imported (the report's plots need it)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _finite(series: Series) -> tuple[list[float], list[float]]:
    xs, ys = series
    kept = [(x, y) for x, y in zip(xs, ys) if math.isfinite(x) and math.isfinite(y)]
    return [x for x, _ in kept], [y for _, y in kept]


def line_chart_png(
    series: Mapping[str, Series],
    title: str,
    *,
    ylabel: str = "",
    levels: Mapping[str, float] | None = None,
    log_y: bool = False,
) -> bytes:
    r"""Draw curves over training steps as a PNG.

    Args:
        series: Curves by label, each ``(steps, values)``; non-finite points are dropped.
        title: The chart's title.
        ylabel: The y axis label.
        levels: Horizontal dashed lines by label (e.g. a real-data floor).
        log_y: A logarithmic y axis (used when every value is positive).

    Returns:
        The PNG file's bytes (600 × 320 pixels).

    Raises:
        ImportError: If matplotlib is not installed (``pip install "gankit[extras]"``).

    Example:
        >>> line_chart_png({"d/loss": ([10, 20], [1.2, 0.9])}, "losses")[:4]
        b'\x89PNG'
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError('the report\'s plots need matplotlib: pip install "gankit[extras]"') \
            from exc
    fig = Figure(figsize=(6.0, 3.2), dpi=100)
    ax = fig.subplots()
    positive = True
    for label, curve in series.items():
        xs, ys = _finite(curve)
        positive = positive and all(y > 0 for y in ys)
        ax.plot(xs, ys, label=label, linewidth=1.2)
    for label, value in (levels or {}).items():
        ax.axhline(value, linestyle="--", color="0.35", linewidth=1.0, label=label)
    if log_y and positive:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if series or levels:
        ax.legend(fontsize="small", loc="upper right")  # "best" searches every point: slow
    # Fixed margins for these fixed labels: tight_layout would draw the figure twice.
    fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.15)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
