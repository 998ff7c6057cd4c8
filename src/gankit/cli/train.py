"""``gankit train``: build a run from a config, fit, evaluate, and report the files.

The run folder ``DIR`` gets ``config.toml`` (the resolved config, which
``gankit train`` accepts back), ``log.csv``, ``losses.png``, ``samples/``,
``checkpoints/{step_*.pt,last.pt}``, and at the end ``metrics.json`` and
``samples.png``. Ctrl-C saves ``checkpoints/interrupted.pt`` and exits with
status 130; ``--resume`` continues from any checkpoint.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from gankit.cli.evaluate import evaluate_run
from gankit.config import apply_overrides, build_experiment, dumps_toml, load_config
from gankit.config.models import describe_models

__all__ = ["add_train_arguments", "run_config", "train_command"]

#: The exit status after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options shared by ``gankit train`` and ``gankit demo``.

    Args:
        parser: The sub-command's parser.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_train_arguments(parser)
        >>> parser.parse_args(["--steps", "5", "--set", "trainer.seed=1"]).overrides
        ['trainer.seed=1']
    """
    parser.add_argument("--steps", type=int, metavar="N",
                        help="train N generator steps in total (sets trainer.steps)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="override a config key, e.g. --set trainer.seed=3 "
                             "--set loss.terms.1.gamma=0.5 (repeatable; values are TOML)")
    parser.add_argument("--resume", metavar="CHECKPOINT",
                        help="continue from a checkpoint to the same total number of steps")


def _overrides(args: argparse.Namespace) -> list[str]:
    extra = [] if args.steps is None else [f"trainer.steps={args.steps}"]
    return [*args.overrides, *extra]


def _files(out: Path) -> list[Path]:
    names = ["config.toml", "log.csv", "losses.png", "samples.png", "metrics.json",
             "checkpoints/last.pt", "samples", "tensorboard"]
    return [out / n for n in names if (out / n).exists()]


def _summary(metrics: dict[str, Any], stream: TextIO) -> None:
    if "modes_covered" in metrics:
        ok = "ok" if metrics["modes_covered"] == metrics["num_modes"] else "missing modes"
        print(
            f"modes covered: {metrics['modes_covered']}/{metrics['num_modes']} ({ok}); "
            f"high-quality samples: {100 * metrics['high_quality_fraction']:.1f}%; "
            f"reverse KL: {metrics['reverse_kl']:.3f} "
            f"(on {metrics['num_samples']} samples)",
            file=stream,
        )


def run_config(
    config: dict[str, Any],
    out_dir: Path,
    *,
    resume: str | None = None,
    stream: TextIO | None = None,
    resume_hint: str = "gankit train CONFIG",
) -> int:
    """Train, evaluate and report one run described by a raw config.

    Args:
        config: The raw config, overrides applied.
        out_dir: The run folder.
        resume: A checkpoint to continue from.
        stream: Where the report goes (default ``sys.stdout``).
        resume_hint: The command shown for resuming after Ctrl-C.

    Returns:
        The exit status: 0, or 130 after Ctrl-C (a checkpoint is saved).

    Raises:
        ConfigError: If the config is invalid.
        CheckpointError: If ``resume`` cannot be loaded.

    Example:
        >>> import io, tempfile
        >>> from gankit.config import loads_toml
        >>> config = loads_toml('''
        ... [data]
        ... name = "ring"
        ... [generator]
        ... name = "MLPGenerator"
        ... latent_dim = 2
        ... hidden = [8]
        ... [discriminator]
        ... name = "MLPDiscriminator"
        ... hidden = [8]
        ... [loss]
        ... name = "NSGAN"
        ... [trainer]
        ... steps = 10
        ... progress_bar = false
        ... [eval]
        ... plot = false
        ... ''')
        >>> out = Path(tempfile.mkdtemp())
        >>> run_config(config, out, stream=io.StringIO())
        0
        >>> sorted(p.name for p in out.iterdir())
        ['checkpoints', 'config.toml', 'log.csv', 'losses.png', 'metrics.json', 'samples']
    """
    out = stream or sys.stdout
    _join_torchrun_group()
    exp = build_experiment(config, out_dir)
    trainer = exp.trainer
    if not trainer.is_global_zero:  # in a torchrun job, rank 0 alone writes and reports
        out = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    if resume is not None:
        trainer.load_checkpoint(resume)
    if trainer.is_global_zero:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "config.toml").write_text(dumps_toml(exp.config), encoding="utf-8")
    fit = exp.fit_kwargs
    length = f"{fit['steps']} steps" if fit["steps"] is not None else f"{fit['epochs']} epochs"
    print(f"gankit: training {length} on {exp.config['data']['name']} into {out_dir}"
          + (f", resuming at step {trainer.step}" if resume else ""), file=out)
    print(describe_models({"generator": trainer.generator,
                           "discriminator": trainer.discriminator}), file=out)
    start = time.perf_counter()
    try:
        trainer.fit(exp.data.data, **fit)
    except KeyboardInterrupt:
        if not trainer.is_global_zero:
            return INTERRUPTED
        path = trainer.save_checkpoint(out_dir / "checkpoints" / "interrupted.pt")
        print(f"\ngankit: interrupted at step {trainer.step}; saved {path}\n"
              f"resume with: {resume_hint} --out {out_dir} --resume {path}", file=out)
        return INTERRUPTED
    seconds = time.perf_counter() - start
    print(f"trained to step {trainer.step} in {seconds:.1f} s", file=out)
    if exp.config["eval"]["enabled"] and trainer.is_global_zero:
        metrics = evaluate_run(trainer, exp.data, exp.config["eval"], out_dir,
                               extra={"train_seconds": round(seconds, 3)})
        _summary(metrics, out)
    print("files:", file=out)
    for path in _files(out_dir):
        print(f"  {path}", file=out)
    return 0


def _join_torchrun_group() -> None:
    """Under ``torchrun`` (``WORLD_SIZE`` > 1), join the job's process group.

    The trainer then trains data-parallel: gloo on the CPU, NCCL on CUDA.
    """
    import torch
    import torch.distributed as dist

    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or not dist.is_available():
        return
    if not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")


def train_command(args: argparse.Namespace) -> int:
    """Run ``gankit train CONFIG`` with the parsed arguments.

    Args:
        args: ``config``, ``out``, ``steps``, ``overrides``, ``resume``.

    Returns:
        The exit status.

    Raises:
        ConfigError: If the config file or an override is invalid.

    Example:
        >>> args = argparse.Namespace(config="missing.toml", out=None, steps=None,
        ...                           overrides=[], resume=None)
        >>> train_command(args)
        Traceback (most recent call last):
        ...
        gankit.config.errors.ConfigError: config file 'missing.toml' does not exist
    """
    config = apply_overrides(load_config(args.config), _overrides(args))
    out_dir = Path(args.out) if args.out else Path("runs") / Path(args.config).stem
    return run_config(config, out_dir, resume=args.resume,
                      resume_hint=f"gankit train {args.config}")
