"""The model card (``README.md``) of a pretrained folder: what the model is and how it was made.

:class:`ModelCard` holds the facts of a training run (loss, data, steps, seed,
which weights, the last evaluation's figures); :func:`render_model_card`
turns them and the model's class and config into Markdown, with the YAML
header the Hugging Face Hub reads. ``gankit export`` (``gankit.cli._export_run.run_model_card``)
fills a card from a checkpoint and its run folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ModelCard", "render_model_card"]


@dataclass(frozen=True)
class ModelCard:
    """The facts of a training run that a model card reports; ``None`` when not recorded.

    Args:
        loss: The loss, e.g. ``"NSGAN() + R1Penalty(weight=0.1)"``.
        data: The data, e.g. ``"ring (num_modes=8, radius=1.0, std=0.01)"``.
        steps: Generator steps trained.
        seed: The run's random seed.
        weights: Which weights the folder holds, e.g. ``"EMA (decay 0.995)"``.
        metrics: The last evaluation's figures by name (numbers, strings, lists).
        metrics_source: Where the figures come from, e.g. ``"metrics.json"`` of the run.

    Example:
        >>> ModelCard(loss="NSGAN()", steps=300).steps
        300
    """

    loss: str | None = None  # the loss's description
    data: str | None = None  # the data set and its settings
    steps: int | None = None  # generator steps trained
    seed: int | None = None  # the run's seed
    weights: str | None = None  # "EMA (decay 0.995)" or "raw"
    metrics: Mapping[str, Any] = field(default_factory=dict)  # the last evaluation
    metrics_source: str | None = None  # the file the metrics were read from


def _value(value: Any) -> str:
    if isinstance(value, float):
        return str(float(f"{value:.6g}"))  # 6 significant digits, 0.0 stays 0.0
    if isinstance(value, (list, tuple, dict)):
        return f"`{json.dumps(value)}`"
    return str(value)


def render_model_card(
    class_name: str, config: Mapping[str, Any], version: str, card: ModelCard | None = None
) -> str:
    """The Markdown text of a model card.

    Args:
        class_name: The registered model class, e.g. ``"MLPGenerator"``.
        config: Its ``get_config()``.
        version: The gankit version that wrote the folder.
        card: The run's facts, or ``None`` (then the card says they were not recorded).

    Returns:
        Markdown with a YAML header (``library_name: gankit``, tags), a summary
        table, the config, the evaluation figures and how to load the model.

    Example:
        >>> text = render_model_card("MLPGenerator", {"latent_dim": 2}, "0.1.0",
        ...                          ModelCard(loss="NSGAN()", steps=300, metrics={"fd": 1.5}))
        >>> "| Loss | NSGAN() |" in text and "| fd | 1.5 |" in text
        True
    """
    card = card or ModelCard()
    unknown = "not recorded"
    rows = [
        ("Model", f"`{class_name}`"),
        ("Loss", card.loss or unknown),
        ("Data", card.data or unknown),
        ("Steps", unknown if card.steps is None else str(card.steps)),
        ("Seed", unknown if card.seed is None else str(card.seed)),
        ("Weights", card.weights or unknown),
        ("gankit version", version),
    ]
    lines = [
        "---",
        "library_name: gankit",
        "tags:",
        "- gan",
        "- gankit",
        "- pytorch",
        "---",
        "",
        f"# {class_name}",
        "",
        f"A gankit `{class_name}` saved with `save_pretrained`: `config.json` rebuilds the "
        "architecture and `model.safetensors` holds the weights.",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows),
        "",
        "## Config",
        "",
        "```json",
        json.dumps(dict(config), indent=2, sort_keys=True),
        "```",
        "",
        "## Last evaluation",
        "",
    ]
    if card.metrics:
        if card.metrics_source:
            lines += [f"From the run's `{card.metrics_source}`.", ""]
        lines += ["| Metric | Value |", "|---|---|"]
        lines += [f"| {k} | {_value(v)} |" for k, v in card.metrics.items()]
    else:
        lines.append("No evaluation recorded.")
    lines += [
        "",
        "## Use",
        "",
        "```python",
        "import gankit",
        "",
        'model = gankit.from_pretrained("path/to/this/folder")  # or "user/repo" on the Hub',
        "```",
        "",
    ]
    return "\n".join(lines)
