"""Assemble the run report: one self-contained HTML page (inline CSS, JS and PNG data URIs).

:func:`render_report` turns a :class:`~gankit.report.RunFolder` into the page
(pure); :func:`build_report` reads the folder first; :func:`write_report`
writes ``RUN_DIR/report.html`` atomically. ``gankit report RUN_DIR`` and the
end of every ``gankit train`` call :func:`write_report`.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from gankit._atomic import atomic_write
from gankit.report.plots import has_matplotlib, line_chart_png
from gankit.report.run_folder import RunFolder, read_run_folder
from gankit.report.sections import (
    Chart,
    config_section,
    curves_section,
    memorization_section,
    quality_section,
    samples_section,
    timing_section,
    warnings_section,
)

__all__ = ["build_report", "render_report", "write_report"]

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1260px;
       padding: 1em 2em; color: #1d2430; background: #fbfbfd; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #d8dce6; padding-bottom: 0.2em; }
nav a { margin-right: 1em; } .note { color: #6a5200; background: #fff6d6;
  padding: 0.4em 0.8em; border-left: 4px solid #e0b000; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #d8dce6; padding: 0.2em 0.7em; text-align: left; }
th { background: #eef1f7; } pre { background: #f1f3f8; padding: 0.8em; overflow: auto; }
.charts img { max-width: 600px; width: 48%; margin: 0 1% 1em 0; }
.strip { display: flex; flex-wrap: wrap; gap: 0.6em; }
.strip figure { margin: 0; } .strip img { width: 240px; }
.slider { display: none; } .js .slider { display: block; } .js .strip { display: none; }
#sample-view img { max-width: 520px; } #sample-slider { width: 520px; }
.error { background: #fde8e8; border-left: 4px solid #c62828; padding: 0.4em 0.8em; }
"""

# The slider shows one picture of the no-JS strip at a time; without JS the strip stays.
_JS = """
(function () {
  var strip = document.querySelectorAll('#samples .strip img');
  var slider = document.getElementById('sample-slider');
  if (!strip.length || !slider) return;
  document.getElementById('samples').classList.add('js');
  var view = document.getElementById('sample-view');
  var label = document.getElementById('sample-step');
  var img = document.createElement('img');
  view.appendChild(img);
  function show() {
    var pick = strip[Number(slider.value)];
    img.src = pick.src; img.alt = pick.alt; label.textContent = pick.title;
  }
  slider.addEventListener('input', show);
  show();
})();
"""


def _chart() -> Chart:
    if not has_matplotlib():
        return None
    return lambda series, title, ylabel, levels, log_y: line_chart_png(
        series, title, ylabel=ylabel, levels=levels, log_y=log_y)


def render_report(run: RunFolder, *, plots: bool = True) -> str:
    """The report page of a run's contents.

    Args:
        run: What :func:`~gankit.report.read_run_folder` read.
        plots: Draw the curves (needs matplotlib); ``False``, or matplotlib
            missing, leaves tables and a note saying plots need ``gankit[extras]``.

    Returns:
        The HTML page, with no reference to any other file or to the network.

    Example:
        >>> page = render_report(RunFolder(Path("runs/empty")), plots=False)
        >>> page.startswith("<!DOCTYPE html>"), 'id="samples"' in page
        (True, True)
    """
    chart = _chart() if plots else None
    name = escape(run.path.name or str(run.path))
    step = (run.metrics or {}).get("step")
    if step is None and run.log.get("step"):
        step = int(run.log["step"][-1])
    sections = [
        warnings_section(run), curves_section(run, chart), samples_section(run),
        quality_section(run, chart), memorization_section(run), timing_section(run),
        config_section(run),
    ]
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in run.notes)
    links = " ".join(f'<a href="#{a}">{t}</a>' for a, t in (
        ("warnings", "warnings"), ("losses", "losses"), ("samples", "samples"),
        ("quality", "quality"), ("timing", "timing"), ("config", "config")))
    reached = "no steps logged yet" if step is None else f"step {step}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>gankit run report: {name}</title>"
        f"<meta name=\"viewport\" content=\"width=device-width\"><style>{_CSS}</style></head>\n"
        f"<body><header><h1>Run report: {name}</h1>"
        f"<p>{escape(str(run.path))} &middot; {escape(reached)}</p><nav>{links}</nav></header>\n"
        f"{notes}\n" + "\n".join(s for s in sections if s) +
        f"\n<script>{_JS}</script></body></html>\n"
    )


def build_report(folder: str | os.PathLike[str], *, plots: bool = True) -> str:
    """Read a run folder and return its report page (see :func:`render_report`).

    Raises:
        NotARunFolderError: If ``folder`` holds no run.
    """
    return render_report(read_run_folder(folder), plots=plots)


def write_report(folder: str | os.PathLike[str], *, plots: bool = True) -> Path:
    """Write ``folder/report.html`` (atomically) and return its path.

    Args:
        folder: The run folder.
        plots: Draw the curves (see :func:`render_report`).

    Returns:
        The report's path.

    Raises:
        NotARunFolderError: If ``folder`` holds no run.
    """
    page = build_report(folder, plots=plots)
    path = Path(folder) / "report.html"
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path
