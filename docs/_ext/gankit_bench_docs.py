"""Sphinx directive that renders benchmark results from ``benchmarks/results/*.json`` at build time.

``.. gankit-bench:: digits_quality`` reads ``benchmarks/results/digits_quality.json``
and renders it as tables, under the command that reproduces it (taken from the
``Run::`` block of ``benchmarks/digits_quality.py``'s docstring). The page is
rebuilt whenever the JSON or the script changes, so the tables never drift
from the files. A result that has not been produced yet renders as a note with
the command; a file whose layout this module does not know renders as a plain
table of its numbers.
"""

from __future__ import annotations

import ast
import json
import math
import statistics
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def num(value: Any, digits: int = 3) -> str:
    """A number with ``digits`` significant digits (integers stay whole)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    if value != 0 and abs(value) >= 10 ** digits:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def pm(stat: dict[str, Any] | None, spread: str = "std", digits: int = 3) -> str:
    """``mean ± spread`` from ``{"mean": ..., "std": ...}`` (or ``stderr``)."""
    if not stat:
        return "–"
    if spread not in stat:
        spread = "stderr" if "stderr" in stat else "std"
    if spread not in stat:
        return num(stat["mean"], digits)
    return f"{num(stat['mean'], digits)} ± {num(stat[spread], 2)}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """An RST ``list-table``."""
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    lines.append("")
    return lines


def run_command(script: Path) -> str | None:
    """The command in the ``Run...::`` block of a benchmark script's docstring."""
    if not script.is_file():
        return None
    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Run") and line.rstrip().endswith("::"):
            # A backslash continuation in the docstring leaves a run of spaces.
            block = [" ".join(ln.split()) for ln in lines[i + 1 :] if ln.startswith("    ")]
            return "\n".join(block) or None
    return None


# ---------------------------------------------------------------- renderers
def render_digits_quality(data: dict[str, Any]) -> list[str]:
    """Quality of the image models against the real-data floor, on held-out digits."""
    s = data["settings"]
    header = ["samples", "FD ↓", "FD / floor ↓", "precision", "recall", "density",
              "coverage", "Parzen (nats) ↑", "class KL ↓", "train s"]
    rows = [["real (training split)", pm(data["floor"]["fd"]), "1",
             pm(data["floor"]["precision"]), pm(data["floor"]["recall"]),
             pm(data["floor"]["density"]), pm(data["floor"]["coverage"]),
             pm(data["floor"]["parzen"], "stderr"), num(data["floor"]["predicted_class_kl"]), "–"]]
    for name, model in data["models"].items():
        m = model["metrics"]
        rows.append([
            f"``{name}`` ({model.get('loss', '?')}, d_steps {model.get('d_steps', '?')})",
            pm(m["fd"]), num(m.get("fd_ratio")), pm(m["precision"]), pm(m["recall"]),
            pm(m["density"]), pm(m["coverage"]), pm(m["parzen"], "stderr"),
            num(m.get("predicted_class_kl")), num(model.get("train_seconds"), 3),
        ])
    lines = table(header, rows)
    lines += [
        f"{s['steps']:,} steps, batch {s['batch_size']}, seed {s['seed']}, "
        f"{s['threads']} torch thread(s); features from the digits classifier "
        f"({num(data['classifier']['held_out_accuracy'])} held-out accuracy); "
        f"{s['feature_sets']} sets of {s['feature_set_size']} samples (mean ± std); "
        f"precision/recall k = {s['precision_recall_k']}, density/coverage "
        f"k = {s['density_coverage_k']}; Parzen on {s['parzen_samples']:,} samples in "
        f"{s['parzen_space']} (mean ± standard error). torch {data.get('torch', '?')}.",
        "",
    ]
    return lines


def _speed_table(cases: dict[str, Any], steps_key: str | None) -> list[str]:
    variants = ["default", "all_callbacks", "fast"]
    header = ["case", "batch", "d_steps", *(["steps"] if steps_key else []),
              "handwritten steps/s", *[f"``{v}`` / hand" for v in variants], "``fast`` options"]
    rows = []
    for name, case in cases.items():
        ratios = case.get("median_ratio_vs_hand", {})
        opts = case.get("fast_options", {})
        shown = ", ".join(k if v is True else f"{k}={v}" for k, v in opts.items() if v)
        rows.append([f"``{name}``", num(case.get("batch_size")), num(case.get("d_steps")),
                     *([num(case.get(steps_key))] if steps_key else []),
                     num(case["median_steps_per_s"]["hand"]),
                     *[num(ratios.get(v)) for v in variants], shown or "–"])
    return table(header, rows)


def render_speed(data: dict[str, Any]) -> list[str]:
    """Steps per second of the Trainer against a handwritten loop: whole fits and windows."""
    m, s = data.get("machine", {}), data.get("settings", {})
    lines: list[str] = []
    if "fit" in data:
        lines += ["**Whole fit() calls, as users time them**", ""]
        lines += _speed_table(data["fit"], "steps")
        lines += [
            f"Median over {s.get('fit_repeats', '?')} interleaved repeats of the ratio of "
            "steps/s, each timing ``Trainer(...)`` plus ``fit(...)`` from the call to its "
            "return (setup, compilation and the flush of the writer included) against the "
            "handwritten loop from its first line; torch's default "
            f"{m.get('default_threads', '?')} thread(s), torch {m.get('torch', '?')}, "
            f"CUDA {m.get('cuda', '?')}. A ratio above 1 means the Trainer is faster.",
            "",
        ]
    if "cases" in data:
        shown = data.get("previous_settings") or s
        lines += ["**Windows of steps inside one fit() call**", ""]
        lines += _speed_table(data["cases"], None)
        lines += [
            f"Median over {shown.get('repeats', '?')} interleaved repeats of "
            f"{shown.get('steps', '?')} steps each (after {shown.get('warmup', '?')} warm-up "
            "steps), setup excluded; the all-callbacks window holds one of each picture and "
            "checkpoint event. A ratio above 1 means the Trainer is faster.",
            "",
        ]
    return lines


def render_d2l_gaussian(data: dict[str, Any]) -> list[str]:
    """Errors of the learned mean and covariance of d2l's Gaussian."""
    header = ["configuration", "‖μ̂ − b‖", "‖Σ̂ − AᵀA‖ (Frobenius)", "relative mean error",
              "relative covariance error"]
    names = {"data": "the 1,000 training points (floor)"}
    rows = []
    keys = ("mean_error", "cov_error", "mean_rel_error", "cov_rel_error")
    for name, summary in data["summary"].items():
        rows.append([names.get(name, f"``{name}``"),
                     *[pm(summary[f"empirical/{key}"]) for key in keys]])
    s = data["settings"]
    lines = table(header, rows)
    lines += [
        f"Mean ± std over {s['seeds']} seeds; {s['epochs']} epochs at batch "
        f"{s['batch_size']} on {s['points']:,} points; errors of the mean and covariance of "
        f"{s['eval_samples']:,} generated points. torch {data.get('torch', '?')}.",
        "",
    ]
    return lines


def render_memory(data: dict[str, Any]) -> list[str]:
    """Peak memory and the flatness of memory over a long run."""
    rows = []
    for name, entry in data.items():
        if isinstance(entry, dict) and "peak_rss_mib" in entry:
            rows.append([f"``{name}``", f"{num(entry['peak_rss_mib'])} MiB"])
    lines = table(["run", "peak resident set"], rows)
    flat = data.get("flat_over_steps")
    if flat:
        lines += [
            f"Over {flat['steps']:,} steps with every callback on, the resident set grew "
            f"{num(flat['growth_mib_second_half'])} MiB in the second half "
            f"({num(flat['slope_kib_per_1000_steps_second_half'])} KiB per 1,000 steps; "
            f"threshold {num(flat['flat_threshold_kib_per_1000_steps'])}): "
            f"{'flat' if flat['flat'] else 'NOT flat'}.",
            "",
        ]
    return lines


def render_scaling(data: dict[str, Any]) -> list[str]:
    """Time per step against batch size and image size."""
    lines = table(
        ["batch", "image size", "ms / step", "µs / sample"],
        [[num(r["batch_size"]), num(r["image_size"]), num(r["ms_per_step"]),
          num(r["us_per_sample"])] for r in data["by_batch"]],
    )
    lines += table(
        ["batch", "image size", "ms / step", "µs / pixel·sample"],
        [[num(r["batch_size"]), num(r["image_size"]), num(r["ms_per_step"]),
          num(r["us_per_pixel_sample"])] for r in data["by_image_size"]],
    )
    lines += [f"DCGAN with {data.get('base_channels', '?')} base channels, "
              f"{data.get('threads', '?')} thread(s), torch {data.get('torch', '?')}.", ""]
    return lines


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(key path, shown value)`` for every scalar; lists of numbers are summarised."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        shown = ", ".join(num(v) for v in value[:10])
        if len(value) > 10:  # summarise the rest
            shown += f", … ({len(value)} values, median {num(statistics.median(value))})"
        yield prefix, f"[{shown}]"
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{i}]")
    elif isinstance(value, str):
        yield prefix, f"``{value}``" if "\n" not in value else "(text)"
    else:
        yield prefix, num(value)


def render_generic(data: Any, limit: int = 80) -> list[str]:
    """Every number of an unknown result file, by key path."""
    rows = [[f"``{k}``", v] for k, v in flatten(data)]
    note = [f"(first {limit} of {len(rows)} values)", ""] if len(rows) > limit else []
    return table(["key", "value"], rows[:limit]) + note


#: PacGAN (Lin et al. 2018), Table 1, as quoted in REFERENCES.md: mean ± s.e. over 10
#: runs of 400 epochs; columns modes covered, high-quality %, reverse KL.
PACGAN_TABLE1: dict[str, list[tuple[str, str, str, str]]] = {
    "ring": [
        ("GAN", "6.3 ± 0.5", "98.2 ± 0.2", "0.45 ± 0.09"),
        ("ALI", "6.6 ± 0.3", "97.6 ± 0.4", "0.36 ± 0.04"),
        ("PacGAN2", "7.9 ± 0.1", "95.6 ± 2.0", "0.07 ± 0.03"),
        ("PacGAN3", "7.8 ± 0.1", "97.7 ± 0.3", "0.10 ± 0.02"),
        ("PacGAN4", "7.8 ± 0.1", "95.9 ± 1.4", "0.07 ± 0.02"),
    ],
    "grid": [
        ("GAN", "17.3 ± 0.8", "94.8 ± 0.7", "0.70 ± 0.07"),
        ("ALI", "24.1 ± 0.4", "95.7 ± 0.6", "0.14 ± 0.03"),
        ("PacGAN2", "23.8 ± 0.7", "91.3 ± 0.8", "0.13 ± 0.04"),
        ("PacGAN3", "24.6 ± 0.4", "94.2 ± 0.4", "0.06 ± 0.02"),
        ("PacGAN4", "24.8 ± 0.2", "93.6 ± 0.6", "0.04 ± 0.01"),
    ],
}


def seed_mean(mean: dict[str, float], sem: dict[str, float], seeds: int, key: str,
              scale: float, fmt: str) -> str:
    """``mean ± s.e.`` over seeds; the mean alone for a single seed, which has no spread."""
    shown = format(scale * mean[key], fmt)
    return shown if seeds < 2 else f"{shown} ± {format(scale * sem[key], fmt)}"


def render_toy_modes(root: Path, dataset: str) -> tuple[list[str], list[Path]]:
    """gankit's runs on one 2-D mixture beside PacGAN's published Table 1 rows."""
    files = sorted((root / "benchmarks" / "results").glob(f"toy_modes_{dataset}_*.json"))
    header = ["source", "modes covered", "high quality (%)", "reverse KL", "training"]
    rows = [[f"PacGAN paper: {name}", modes, hq, kl, "400 epochs, 10 runs"]
            for name, modes, hq, kl in PACGAN_TABLE1[dataset]]
    notes: list[str] = []
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        try:
            mean, sem = data["mean"], data["sem"]
            done, planned = data["completed_seeds"], len(data["seeds"])
            seeds = f"{done} seeds" if done == planned else f"{done} of {planned} seeds so far"
            if data["seeds"]:
                seeds += f" ({data['seeds'][0]}-{data['seeds'][-1]})"
            rows.append([
                f"**gankit** ``{data['recipe']}``",
                seed_mean(mean, sem, done, "modes_covered", 1.0, ".1f"),
                seed_mean(mean, sem, done, "high_quality_fraction", 100.0, ".1f"),
                seed_mean(mean, sem, done, "reverse_kl", 1.0, ".3f"),
                f"{data['steps']:,} steps ({num(data['epochs'])} epochs), {seeds}, "
                f"{num(mean['wall_time_s'])} s per seed",
            ])
            departures = " ".join(f"Departure from the protocol: {d}."
                                  for d in data.get("protocol_departures", []))
            targets = ""
            if data["recipe"] == "best" and "targets_met" in data:
                targets = " Targets of the best recipe: " + "; ".join(
                    f"{key.replace('_', ' ')} {t['target']}: "
                    f"{'met' if t['met'] else 'missed'} ({t['mean']:.3g})"
                    for key, t in data["targets_met"].items()) + "."
            remark = f" Note: {data['note']}." if data.get("note") else ""
            notes.append(f"``{data['recipe']}`` (``{file.relative_to(root)}``): "
                         f"{data['recipe_settings'].get('description', '')}. {departures}"
                         f"{targets}{remark}")
        except (KeyError, TypeError, ValueError):
            notes.append(f"``{file.relative_to(root)}`` has a layout this page does not "
                         "know; see the file.")
    lines = table(header, rows)
    if not files:
        lines += [".. note::", "", f"   No gankit results for the {dataset} yet "
                  f"(``benchmarks/results/toy_modes_{dataset}_*.json``).", ""]
    for note in notes:
        lines += [f"- {note}"]
    lines.append("")
    return lines, files


RENDERERS: dict[str, Callable[[Any], list[str]]] = {
    "d2l_gaussian": render_d2l_gaussian,
    "digits_quality": render_digits_quality,
    "memory": render_memory,
    "scaling": render_scaling,
    "speed": render_speed,
}


#: Benchmarks whose rows come from ``benchmarks/image_quality_table.py`` (the README's too).
IMAGE_TABLES = ("image_quality_mnist", "image_quality_digits", "stacked_mnist",
                "image_quality_augment")


def render_image_tables(name: str, root: Path) -> tuple[list[str], list[Path]]:
    """The rows of ``image_quality_table.py`` for one table, as RST, under its command."""
    import importlib
    import sys

    folder = str(root / "benchmarks")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module = importlib.import_module("image_quality_table")
    module.RESULTS = root / "benchmarks" / "results"
    if name == "stacked_mnist":
        header, rows = module.stacked_table()
        script, pattern = root / "benchmarks" / "stacked_mnist.py", "stacked_mnist_*.json"
    elif name == "image_quality_augment":
        header, rows = module.augment_table()
        script, pattern = root / "benchmarks" / "image_quality.py", "image_quality_mnist_*.json"
    else:
        header, rows = module.image_table(name.removeprefix("image_quality_"))
        script, pattern = root / "benchmarks" / "image_quality.py", f"{name}_*.json"
    files = sorted((root / "benchmarks" / "results").glob(pattern))
    command = run_command(script) or ""
    if name == "image_quality_digits":
        command = command.replace("--dataset mnist", "--dataset digits").replace(
            "image_quality_mnist_", "image_quality_digits_")
    if name == "image_quality_augment":  # one augmented row and its plain twin
        command = "\n".join(
            f"python benchmarks/image_quality.py --dataset mnist --recipe {r} --fraction 0.1 "
            f"--seeds 3 --out benchmarks/results/image_quality_mnist_{r}_f0.1.json"
            for r in ("best", "best_diffaugment"))
    lines = ["Reproduce with:", "", ".. code-block:: bash", ""]
    lines += [f"   {ln}" for ln in command.splitlines()] + [""]
    if not rows:
        lines += [".. note::", "", f"   No results yet (``benchmarks/results/{pattern}``).", ""]
    else:
        lines += [f"Results from ``benchmarks/results/{pattern}``:", ""]
        lines += table(header, [[cell.replace("`", "``") for cell in row] for row in rows])
    for file in [] if name == "image_quality_augment" else files:  # listed under MNIST
        data = json.loads(file.read_text(encoding="utf-8"))
        met = data.get("targets_met", {})
        targets = "; ".join(f"{k.replace('_', ' ')} {t['target']}: "
                            f"{'met' if t['met'] else 'missed'} ({t['mean']:.3g})"
                            for k, t in met.items())
        note = f" Note: {data['note']}." if data.get("note") else ""
        lines.append(f"- ``{data['recipe']}`` (``{file.relative_to(root)}``): "
                     f"{data['recipe_settings'].get('description', '')}."
                     + (f" Targets: {targets}." if targets else "") + note)
    lines.append("")
    return lines, [script, root / "benchmarks" / "image_quality_table.py", *files]


def render(name: str, root: Path) -> tuple[list[str], list[Path]]:
    """The RST for one benchmark and the files it was made from."""
    if name in IMAGE_TABLES:
        return render_image_tables(name, root)
    script = root / "benchmarks" / f"{name.split('_modes_')[0]}_modes.py"
    if not name.startswith("toy_modes_"):
        script = root / "benchmarks" / f"{name}.py"
    result = root / "benchmarks" / "results" / f"{name}.json"
    lines: list[str] = []
    command = run_command(script)
    if command and name.startswith("toy_modes_"):  # the docstring's command is the ring's
        dataset = name.removeprefix("toy_modes_")
        command = command.replace("--dataset ring", f"--dataset {dataset}").replace(
            "toy_modes_ring_", f"toy_modes_{dataset}_")
    if command:
        lines += ["Reproduce with:", "", ".. code-block:: bash", ""]
        lines += [f"   {ln}" for ln in command.splitlines()] + [""]
    if name.startswith("toy_modes_"):
        body, files = render_toy_modes(root, name.removeprefix("toy_modes_"))
        script = root / "benchmarks" / "toy_modes.py"
        return lines + body, [script, *files]
    if not result.is_file():
        lines += [".. note::", "", f"   No results yet: ``{result.relative_to(root)}`` "
                  "has not been produced.", ""]
        return lines, [script]
    data = json.loads(result.read_text(encoding="utf-8"))
    renderer = RENDERERS.get(name, render_generic)
    try:
        body = renderer(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        body = [".. note::", "", f"   The layout of ``{result.relative_to(root)}`` is newer "
                "than this page knows; its values are listed as they are.", ""]
        body += render_generic(data)
    lines += [f"Results from ``{result.relative_to(root)}``:", "", *body]
    return lines, [script, result]


class BenchDirective(SphinxDirective):
    """``.. gankit-bench:: speed``: the command and the tables of one benchmark's results."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Render the benchmark and record its files as dependencies of this page."""
        root = Path(self.config.gankit_root)
        lines, sources = render(self.arguments[0], root)
        for path in sources:
            if path.is_file():
                self.env.note_dependency(str(path))
        return self.parse_text_to_nodes("\n".join(lines))


class OtherBenchDirective(SphinxDirective):
    """``.. gankit-bench-others::``: every result file that no dedicated table covers."""

    def run(self) -> list[nodes.Node]:
        """Render each unknown ``benchmarks/results/*.json`` under its own rubric."""
        root = Path(self.config.gankit_root)
        folder = root / "benchmarks" / "results"
        self.env.note_dependency(str(folder))
        lines: list[str] = []
        for file in sorted(folder.glob("*.json")):
            name = file.stem
            if name in RENDERERS or name.startswith(("toy_modes_", "image_quality_",
                                                     "stacked_mnist")):
                continue
            body, sources = render(name, root)
            for path in sources:
                if path.is_file():
                    self.env.note_dependency(str(path))
            lines += [f".. rubric:: ``{file.relative_to(root)}``", "", *body]
        if not lines:
            lines = ["Every result file has its table above.", ""]
        return self.parse_text_to_nodes("\n".join(lines))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and the ``gankit_root`` setting (the repository root)."""
    app.add_config_value("gankit_root", "..", "env", types=frozenset({str}))
    app.add_directive("gankit-bench", BenchDirective)
    app.add_directive("gankit-bench-others", OtherBenchDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
