"""The report's sections, each a pure function from the run's contents to an HTML fragment.

All text from the run (config, metric names, warning messages) goes through
:func:`html.escape`; pictures are ``data:image/png;base64`` URIs, so the page
needs no other file and no network.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

from gankit.report.plots import Series
from gankit.report.run_folder import RunFolder

__all__ = [
    "Chart",
    "config_section",
    "curves_section",
    "memorization_section",
    "quality_section",
    "samples_section",
    "timing_section",
    "warnings_section",
]

#: Draws a chart: ``(series, title, ylabel, levels, log_y) -> PNG bytes``, or ``None``
#: when plots are off (matplotlib missing).
Chart = Callable[[Mapping[str, Series], str, str, Mapping[str, float], bool], bytes] | None

_NO_PLOTS = 'Plots need matplotlib: <code>pip install "gankit[extras]"</code>.'
_NOT_TERMS = {"d/loss", "g/loss", "d/grad_norm", "g/grad_norm", "d/real_logit", "d/fake_logit"}
_MEMORIZATION = ("generated_median", "heldout_median", "median_ratio", "threshold",
                 "fraction_closer", "p_value", "memorizing", "quantile", "alpha")


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def _img(png: bytes, alt: str, title: str = "") -> str:
    data = base64.b64encode(png).decode("ascii")
    caption = f' title="{escape(title)}"' if title else ""
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}"{caption}>'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>\n{body}\n</section>'


def _format(value: Any) -> str:
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format(v) for v in value) + "]"
    return str(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(_format(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _series(log: Mapping[str, list[float]], names: Iterable[str]) -> dict[str, Series]:
    steps = log.get("step", [])
    return {name: (steps, log[name]) for name in names
            if name in log and any(math.isfinite(v) for v in log[name])}


def _charts(chart: Chart, specs: Sequence[tuple[dict[str, Series], str, str, bool]]) -> str:
    shown = [spec for spec in specs if spec[0]]
    if not shown:
        return ""
    if chart is None:
        return f'<p class="note">{_NO_PLOTS}</p>'
    pictures = [_img(chart(s, title, ylabel, {}, log_y), title) for s, title, ylabel, log_y
                in shown]
    return '<div class="charts">' + "".join(pictures) + "</div>"


def curves_section(run: RunFolder, chart: Chart) -> str:
    """Losses, loss terms, gradient norms and logits from ``log.csv``."""
    log = run.log
    if not log.get("step"):
        return _section("losses", "Losses and gradient norms",
                        _note("No logged steps yet (log.csv is missing or empty)."))
    terms = [c for c in log if c[:2] in ("d/", "g/") and c not in _NOT_TERMS]
    body = _charts(chart, [
        (_series(log, ["d/loss", "g/loss"]), "losses", "loss", False),
        (_series(log, terms), "loss terms", "value", False),
        (_series(log, ["d/grad_norm", "g/grad_norm"]), "gradient norms", "norm", True),
        (_series(log, ["d/real_logit", "d/fake_logit"]), "mean D logits", "logit", False),
    ])
    last = {c: v[-1] for c, v in log.items() if c not in ("step", "epoch") and v}
    body += f"<p>{len(log['step'])} logged steps, the last at step {int(log['step'][-1])}:</p>"
    body += _table(["metric", "last value"], sorted(last.items()))
    return _section("losses", "Losses and gradient norms", body)


def samples_section(run: RunFolder) -> str:
    """The sample pictures over training: a slider (with JS) and a strip (without)."""
    if not run.samples:
        return _section("samples", "Samples over training",
                        _note("No sample pictures yet (samples/ is missing or empty)."))
    figures = "".join(f"<figure>{_img(png, f'samples at step {step}', f'step {step}')}"
                      f"<figcaption>step {step}</figcaption></figure>"
                      for step, png in run.samples)
    last = len(run.samples) - 1
    slider = (f'<div class="slider"><input type="range" id="sample-slider" min="0" '
              f'max="{last}" value="{last}" aria-label="training step">'
              '<p id="sample-step"></p><div id="sample-view"></div></div>')
    return _section("samples", "Samples over training",
                    f'{slider}<div class="strip">{figures}</div>')


def quality_section(run: RunFolder, chart: Chart) -> str:
    """The final figures of ``metrics.json`` (beside a floor), and the evaluation history."""
    body = ""
    metrics = run.metrics
    if metrics is None:
        body += _note("No metrics.json (the run has not finished, or evaluation is off).")
    else:
        given = metrics.get("floor")
        floor: dict[str, Any] = given if isinstance(given, dict) else {}
        skip = {"floor", "timing", "memorization"}
        rows = [(k, v, floor.get(k, "")) for k, v in metrics.items()
                if k not in skip and not isinstance(v, dict)]
        body += (_table(["figure", "value", "real-data floor"], rows) if floor
                 else _table(["figure", "value"], [r[:2] for r in rows]))
    history = [c for c in run.log if c.startswith("eval/")]
    if history:
        given = (metrics or {}).get("floor")
        levels_of: dict[str, Any] = given if isinstance(given, dict) else {}
        steps = run.log.get("step", [])
        specs = []
        for name in history:
            key = name.removeprefix("eval/")
            levels = {"real-data floor": float(levels_of[key])} if isinstance(
                levels_of.get(key), (int, float)) else {}
            if chart is not None and _series(run.log, [name]):
                specs.append(_img(chart({key: (steps, run.log[name])}, key, key, levels, False),
                                  key))
        body += ('<div class="charts">' + "".join(specs) + "</div>") if chart is not None \
            else f'<p class="note">{_NO_PLOTS}</p>'
    return _section("quality", "Quality over training", body)


def memorization_section(run: RunFolder) -> str:
    """The memorization check, when the run's metrics hold one; else an empty string."""
    metrics = run.metrics or {}
    found = metrics.get("memorization")
    if not isinstance(found, dict):
        found = {k: metrics[k] for k in _MEMORIZATION if k in metrics}
    if not found:
        return ""
    rows = [(k, found[k]) for k in _MEMORIZATION if k in found]
    verdict = found.get("memorizing")
    text = ("" if verdict is None else _note(
        "The generated samples sit closer to the training set than held-out real data: "
        "possible memorization." if verdict else "No sign of memorization."))
    return _section("memorization", "Memorization check", text + _table(["figure", "value"], rows))


def timing_section(run: RunFolder) -> str:
    """Steps per second and, when recorded, the time spent in each callback."""
    metrics = run.metrics or {}
    found = metrics.get("timing")
    timing: dict[str, Any] = found if isinstance(found, dict) else {}
    seconds = timing.get("train_seconds", metrics.get("train_seconds"))
    rate = timing.get("steps_per_s")
    step = metrics.get("step")
    if rate is None and isinstance(seconds, (int, float)) and seconds > 0 and step:
        rate = step / seconds
    if seconds is None and rate is None:
        return _section("timing", "Timing", _note("No timing recorded (metrics.json)."))
    body = _table(["", "value"], [("training seconds", seconds), ("steps per second", rate)])
    callbacks = timing.get("callback_seconds")
    if isinstance(callbacks, dict) and callbacks:
        rows = sorted(callbacks.items(), key=lambda kv: -float(kv[1]))
        body += _table(["callback", "seconds"], rows)
    return _section("timing", "Timing", body)


def warnings_section(run: RunFolder) -> str:
    """The error that ended the run and the warnings raised during it."""
    body = ""
    if run.error:
        body += (f'<div class="error"><strong>{escape(str(run.error.get("type", "error")))}'
                 f'</strong><pre>{escape(str(run.error.get("message", "")))}</pre></div>')
    if run.warnings:
        body += _table(["category", "message"],
                       [(w.get("category", ""), w.get("message", "")) for w in run.warnings])
    if not body:
        body = _note("No warnings were recorded during the run.")
    return _section("warnings", "Warnings", body)


def config_section(run: RunFolder) -> str:
    """The resolved ``config.toml``, escaped, in a ``<pre>``."""
    if run.config_text is None:
        return _section("config", "Resolved config", _note("No config.toml in the run folder."))
    return _section("config", "Resolved config", f"<pre>{escape(run.config_text)}</pre>")
