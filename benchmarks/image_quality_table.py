"""Print the README's image-quality and Stacked MNIST tables from the committed JSON files.

Rows come from ``benchmarks/results/image_quality_<dataset>_*.json`` (written by
``benchmarks/image_quality.py``) and ``benchmarks/results/stacked_mnist_*.json``
(``benchmarks/stacked_mnist.py``); the published rows are Goodfellow et al.
2014's Table 1 and PacGAN's Table 2, as those scripts store them
(``GOODFELLOW_TABLE1``, ``PACGAN_TABLE2``).
``tests/docs/test_readme.py`` checks that the README shows exactly these tables,
and the documentation's benchmarks page renders the same rows.

Run::

    python benchmarks/image_quality_table.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from image_quality import GOODFELLOW_TABLE1
from stacked_mnist import PACGAN_TABLE2

RESULTS = Path(__file__).resolve().parent / "results"
RECIPE_ORDER = ("best", "best_diffaugment", "best_translation", "best_ada", "best_r1",
                "best_r1_lazy", "sngan", "sngan_diffaugment", "sngan_ada", "dcgan", "wgangp",
                "vanilla")
#: Each augmented recipe and the recipe it differs from only by the augmentation.
AUGMENTED = {"best_diffaugment": "best", "best_translation": "best", "best_ada": "best",
             "sngan_diffaugment": "sngan", "sngan_ada": "sngan"}

Table = tuple[list[str], list[list[str]]]


def _files(pattern: str) -> list[dict[str, Any]]:
    runs = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(RESULTS.glob(pattern))]
    order = {name: i for i, name in enumerate(RECIPE_ORDER)}
    return sorted(runs, key=lambda r: (order.get(r["recipe"], 99), -r.get("fraction", 1.0)))


def _pm(mean: float, sem: float, seeds: int, fmt: str) -> str:
    """``mean ± s.e.`` over seeds; the mean alone for one seed."""
    return format(mean, fmt) if seeds < 2 else f"{format(mean, fmt)} ± {format(sem, fmt)}"


def image_table(dataset: str) -> Table:
    """The floor, then each recipe: FD, KID, IS, precision, recall, density, coverage, Parzen."""
    header = ["source", "FD ↓ (× floor)", "KID ↓", "IS (× floor)", "precision (× floor)",
              "recall (× floor)", "density", "coverage", "Parzen (nats)", "per run"]
    runs = _files(f"image_quality_{dataset}_*.json")
    if not runs:
        return header, []
    floors = _distinct_floors(runs)  # one per cached classifier the runs were scored with

    def floor_row(floor: dict[str, Any], label: str) -> list[str]:
        return [label, f"{floor['fd']:.2f}", f"{floor['kid']:.4f}",
                f"{floor['inception_score']:.2f}", f"{floor['precision']:.3f}",
                f"{floor['recall']:.3f}", f"{floor['density']:.3f}", f"{floor['coverage']:.3f}",
                f"{floor['parzen']:.0f} ± {floor['parzen_stderr']:.0f}", "-"]

    rows = [floor_row(floor, "real data (floor)" + "†" * i) for i, floor in enumerate(floors)]
    if dataset == "mnist":
        published = GOODFELLOW_TABLE1["adversarial nets"]
        rows.append(["Goodfellow et al. 2014: adversarial nets", "-", "-", "-", "-", "-", "-",
                     "-", f"{published} (10,000 test digits)", "-"])
    for run in runs:
        mean, sem, n = run["mean"], run["sem"], run["completed_seeds"]
        fraction = run.get("fraction", 1.0)
        label = f"gankit `{run['recipe']}`" + ("" if fraction == 1.0 else f", {fraction:g} of "
                                                 "the data")
        label += f", {n} seed{'s' if n > 1 else ''}, {run['steps']:,} steps"
        label += "†" * floors.index(run["floor"])

        def cell(key: str, fmt: str, ratio: str | None = None) -> str:
            shown = _pm(mean[key], sem[key], n, fmt)  # noqa: B023 - used at once
            return shown if ratio is None else f"{shown} (× {mean[ratio]:.2f})"  # noqa: B023

        rows.append([label, cell("fd", ".2f", "fd_ratio"), cell("kid", ".4f"),
                     cell("inception_score", ".2f", "is_ratio"),
                     cell("precision", ".3f", "precision_ratio"),
                     cell("recall", ".3f", "recall_ratio"), cell("density", ".3f"),
                     cell("coverage", ".3f"), cell("parzen", ".0f"),
                     f"{mean['seconds'] / 60:.1f} min"])
    return header, rows


def _distinct_floors(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs' floors in order of first use: more than one when the classifier was retrained.

    The offline classifier is reproducible on one machine; a run on another
    machine may train (and cache) a slightly different one, and its floor and
    ratios are then its own. The table marks such rows (and their floor) with †.
    """
    floors: list[dict[str, Any]] = []
    for run in runs:
        if run["floor"] not in floors:
            floors.append(run["floor"])
    return floors


def stacked_table() -> Table:
    """PacGAN's Table 2 rows, the real-data floor, then gankit's runs."""
    header = ["source", "modes (of 1,000)", "KL to uniform", "per run"]
    runs = _files("stacked_mnist_*.json")
    if not runs:
        return header, []
    rows = [[f"PacGAN paper: {name}", row["modes"], row["kl"], "-"]
            for name, row in PACGAN_TABLE2.items()]
    floor = runs[0]["floor"]
    rows.append(["real held-out digits (floor)", str(floor["modes_covered"]),
                 f"{floor['kl']:.3f}", "-"])
    for run in runs:
        mean, sem, n = run["mean"], run["sem"], run["completed_seeds"]
        rows.append([f"gankit `{run['recipe']}`, {n} seed{'s' if n > 1 else ''}, "
                     f"{run['steps']:,} steps", _pm(mean["modes_covered"], sem["modes_covered"],
                                                    n, ".1f"),
                     _pm(mean["kl"], sem["kl"], n, ".3f"), f"{mean['seconds'] / 60:.1f} min"])
    return header, rows


def augment_table() -> Table:
    """Each augmented recipe beside its plain twin, per fraction: FD and its change (issue 17).

    The change is that of FD's ratio to the floor, ``fd_ratio``, which equals the
    change of FD when both runs were scored with the same classifier and stays
    comparable when the cached classifier was retrained in between.
    """
    header = ["recipe", "training digits", "FD without (× floor)", "FD with (× floor)",
              "FD change", "target", "seeds"]
    runs = {(r["recipe"], r.get("fraction", 1.0)): r for r in _files("image_quality_mnist_*.json")}
    rows = []
    for (recipe, fraction), run in runs.items():
        plain = runs.get((AUGMENTED.get(recipe, ""), fraction))
        if plain is None:
            continue
        change = run["mean"]["fd_ratio"] / plain["mean"]["fd_ratio"] - 1.0
        target = "≤ −30 %" if fraction < 1.0 else "≤ +5 %"
        met = change <= -0.30 if fraction < 1.0 else change <= 0.05
        rows.append([f"`{recipe}`", f"{run['runs'][0]['train_images']:,}",
                     f"{plain['mean']['fd']:.2f} (× {plain['mean']['fd_ratio']:.2f})",
                     f"{run['mean']['fd']:.2f} (× {run['mean']['fd_ratio']:.2f})",
                     f"{100 * change:+.0f} %", f"{target} ({'met' if met else 'missed'})",
                     f"{run['completed_seeds']} / {plain['completed_seeds']}"])
    return header, rows


def markdown(table: Table) -> str:
    """A GitHub markdown table."""
    header, rows = table
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def tables() -> str:
    """Every table, in the README's order."""
    return "\n\n".join(markdown(t) for t in (image_table("mnist"), augment_table(),
                                             image_table("digits"), stacked_table()))


if __name__ == "__main__":
    print(tables())
