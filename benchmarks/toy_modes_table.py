"""Print the README's mode-collapse table from the committed toy_modes JSON files.

The published rows are PacGAN's Table 1 (as stored in ``toy_modes.PACGAN_TABLE1``);
the gankit rows are the means ± standard errors in
``benchmarks/results/toy_modes_{ring,grid}_{best,plain}.json``.
``tests/docs/test_readme.py`` checks that the README shows exactly these numbers.

Run::

    python benchmarks/toy_modes_table.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toy_modes import PACGAN_TABLE1

RESULTS = Path(__file__).resolve().parent / "results"
KEYS = ("modes_covered", "high_quality_fraction", "reverse_kl")


def cell(mean: float, sem: float, key: str, kl_digits: int = 3) -> str:
    """One ``mean ± s.e.`` cell: modes to 0.1, HQ in percent to 0.1, reverse KL to 0.001.

    The published cells pass ``kl_digits=2``, as the paper prints them.
    """
    if key == "modes_covered":
        return f"{mean:.1f} ± {sem:.1f}"
    if key == "high_quality_fraction":
        return f"{100 * mean:.1f} ± {100 * sem:.1f} %"
    return f"{mean:.{kl_digits}f} ± {sem:.{kl_digits}f}"


def gankit_row(recipe: str) -> str:
    """The README row of one gankit recipe over both datasets."""
    runs: dict[str, Any] = {
        d: json.loads((RESULTS / f"toy_modes_{d}_{recipe}.json").read_text())
        for d in ("ring", "grid")
    }
    ring, grid = runs["ring"], runs["grid"]
    label = (f"gankit `{recipe}`, {ring['completed_seeds']} seeds, "
             f"{ring['steps']:,} / {grid['steps']:,} steps")
    cells = [cell(r["mean"][k], r["sem"][k], k) for r in (ring, grid) for k in KEYS]
    return "| " + " | ".join([label, *cells]) + " |"


def table() -> str:
    """The whole markdown table: PacGAN's published rows, then gankit's."""
    lines = [
        "| | ring modes (of 8) | ring HQ | ring reverse KL | grid modes (of 25) | grid HQ "
        "| grid reverse KL |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in PACGAN_TABLE1["ring"]:
        cells = [cell(*PACGAN_TABLE1[d][name][k], k, kl_digits=2) for d in ("ring", "grid")
                 for k in KEYS]
        lines.append("| " + " | ".join([f"PacGAN paper: {name}", *cells]) + " |")
    for recipe in ("best", "plain"):
        lines.append(gankit_row(recipe))
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
