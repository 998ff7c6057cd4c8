"""The evaluation of a generator: ``metrics.json`` and ``samples.png``, at a run's end or later.

``gankit train`` calls :func:`evaluate_run` when training ends; ``gankit evaluate
CHECKPOINT`` (:func:`evaluate_command`) runs the same code on a saved checkpoint.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import torch

from gankit._atomic import atomic_write
from gankit.callbacks import Evaluation, FixedNoise
from gankit.config.data import DataSpec
from gankit.config.evaluation import build_evaluation
from gankit.visualize.samples import save_samples_picture

__all__ = ["evaluate_command", "evaluate_run"]



def evaluate_run(trainer: Any, data: DataSpec, config: dict[str, Any], out_dir: Path,
                 extra: dict[str, Any] | None = None,
                 evaluation: Evaluation | None = None) -> dict[str, Any]:
    """Evaluate the trained generator and write ``metrics.json`` and ``samples.png``.

    The metrics are those of the ``[eval]`` section's
    :class:`~gankit.callbacks.Evaluation` (:func:`gankit.config.evaluation.build_evaluation`):
    the callback's own results when it has just evaluated this step (at the
    fit's end), else a fresh evaluation with the same code. The samples come
    from the same fixed noise (``num_samples`` latent vectors seeded with
    ``seed``; the EMA weights when EMA is on).

    Args:
        trainer: The trained :class:`~gankit.Trainer`.
        data: The run's data.
        config: The resolved ``[eval]`` section.
        out_dir: The folder to write ``metrics.json`` and ``samples.png`` into.
        extra: More entries for ``metrics.json`` (e.g. the wall time).
        evaluation: The run's evaluation callback, if it has one.

    Returns:
        The metrics written: ``step``, ``num_samples``, ``ema``, the metrics'
        results and ``extra``.

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
        >>> config = {"enabled": True, "every": None, "num_samples": 100, "seed": 0,
        ...           "mode_coverage": True, "threshold": 3.0, "plot": False}
        >>> metrics = evaluate_run(exp.trainer, exp.data, config, Path(tempfile.mkdtemp()))
        >>> metrics["num_modes"], metrics["num_samples"]
        (8, 100)
    """
    n = config["num_samples"]
    samples = FixedNoise(n, config["seed"]).samples(trainer).float().cpu()
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
    fresh = evaluation is None or not evaluation.history or (
        evaluation.history[-1]["step"] != trainer.step)
    if evaluation is None:
        evaluation = build_evaluation(config, data)
    if evaluation is not None:
        results = evaluation.evaluate(trainer) if fresh else evaluation.latest
        metrics.update({k.removeprefix(evaluation.prefix): v for k, v in results.items()})
    if "modes_covered" in metrics:
        metrics["threshold"] = config["threshold"]
    if extra:
        metrics.update(extra)
    out_dir.mkdir(parents=True, exist_ok=True)
    safe = _json_safe(metrics)
    with atomic_write(out_dir / "metrics.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(safe, indent=2) + "\n")
    if config["plot"]:
        real = data.real_points(min(n, 2000), seed=config["seed"])
        title = None
        if "modes_covered" in metrics:
            title = (f"step {trainer.step}: {metrics['modes_covered']}/{metrics['num_modes']} "
                     f"modes, {100 * metrics['high_quality_fraction']:.1f}% high quality")
        shown = samples if samples.dim() == 2 else samples[:64]
        save_samples_picture(shown, out_dir / "samples.png", real=real, title=title)
    return metrics


def _json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (at any depth) as ``None``: valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def evaluate_command(args: argparse.Namespace) -> int:
    """Run ``gankit evaluate CHECKPOINT``: the ``[eval]`` metrics of a saved generator.

    Rebuilds the run from its folder's ``config.toml`` (the folder above
    ``checkpoints/``, or ``--config``), loads the checkpoint, and evaluates it
    with the same :class:`~gankit.callbacks.Evaluation` that ``gankit train``
    runs at the end of training. Writes ``metrics.json`` (and ``samples.png``)
    into ``--out`` (default ``<run>/eval/<checkpoint name>``) and prints the
    metrics as JSON.

    Args:
        args: ``checkpoint`` (a file, or a run folder: its newest checkpoint),
            ``config``, ``out``, ``num_samples``, ``seed``, ``plot``.

    Returns:
        The exit status, 0.

    Raises:
        UsageError: If no config can be found for the checkpoint.
        CheckpointError: If the checkpoint does not fit the run's models.
    """
    from gankit.cli._run_folder import find_checkpoint, run_folder_of
    from gankit.cli.sample import UsageError
    from gankit.config import apply_overrides, build_experiment, load_config

    checkpoint = find_checkpoint(Path(args.checkpoint))
    if not checkpoint.is_file():
        raise UsageError(f"checkpoint {str(checkpoint)!r} does not exist")
    run = run_folder_of(checkpoint)
    config_path = Path(args.config) if args.config else run / "config.toml"
    if not config_path.is_file():
        raise UsageError(
            f"no config for {str(checkpoint)!r}: {str(config_path)!r} does not exist; give "
            "--config CONFIG (the config the run was trained with)"
        )
    overrides = ["trainer.progress_bar=false", "eval.enabled=true"]
    for key, value in (("num_samples", args.num_samples), ("seed", args.seed)):
        if value is not None:
            overrides.append(f"eval.{key}={value}")
    if args.no_plot:
        overrides.append("eval.plot=false")
    exp = build_experiment(apply_overrides(load_config(str(config_path)), overrides), run)
    exp.trainer.load_checkpoint(checkpoint)
    out = Path(args.out) if args.out else run / "eval" / checkpoint.stem
    metrics = evaluate_run(exp.trainer, exp.data, exp.config["eval"], out)
    print(json.dumps({k: v for k, v in metrics.items() if not isinstance(v, list)}, indent=2))
    print(f"wrote {out / 'metrics.json'}", file=sys.stderr)
    return 0
