"""``gankit train``: build a run from a config, fit, evaluate, and report the files.

The run folder ``DIR`` gets ``config.toml`` (the resolved config, which
``gankit train`` accepts back), ``log.csv``, ``losses.png``, ``samples/``,
``checkpoints/{step_*.pt,last.pt}``, and at the end ``metrics.json`` and
``samples.png``. Whatever way the run ends (finished, interrupted, diverged),
``warnings.json`` records the Python warnings it raised and the error that
stopped it, and ``report.html`` (:mod:`gankit.report`) shows it all.

- ``--steps N`` is the total number of generator steps; it replaces the
  config's ``trainer.steps`` and ``trainer.epochs`` (``--epochs N`` likewise).
- A folder that already holds a run is never written into silently:
  ``--resume DIR`` continues it, ``--overwrite`` deletes it first, and
  anything else stops with an error that says so.
- Ctrl-C (SIGINT) or SIGTERM lets the step in progress finish, saves
  ``checkpoints/interrupted.pt`` and exits with 130 or 143; the printed
  command resumes it exactly. A second signal aborts at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from gankit._console import SafeStream
from gankit.cli._run_folder import clear_run, find_checkpoint, held_run_files, run_folder_of
from gankit.cli._run_warnings import recording_warnings, write_warnings
from gankit.cli.evaluate import evaluate_run
from gankit.cli.report import write_run_report
from gankit.cli.sample import UsageError
from gankit.config import ConfigError, apply_overrides, build_experiment, dumps_toml, load_config
from gankit.config.models import describe_models
from gankit.training._resume_checks import RESUME_SETTINGS
from gankit.training._signals import TrainingInterrupted, exit_status

__all__ = ["add_train_arguments", "apply_length", "run_config", "train_command"]

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
                        help="train N generator steps in total; replaces the config's "
                             "trainer.steps and trainer.epochs")
    parser.add_argument("--epochs", type=int, metavar="N",
                        help="train N passes over the data in total; replaces the config's "
                             "trainer.epochs and trainer.steps")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="override a config key, e.g. --set trainer.seed=3 "
                             "--set loss.terms.1.weight=0.5 (repeatable; values are TOML)")
    parser.add_argument("--resume", metavar="CHECKPOINT|DIR",
                        help="continue a run to its total number of steps, from a checkpoint "
                             "or from a run folder (its newer of checkpoints/interrupted.pt "
                             "and checkpoints/last.pt); the run goes on in its own folder "
                             "unless --out is given")
    parser.add_argument("--overwrite", action="store_true",
                        help="delete the run already in the output folder and start afresh")
    parser.add_argument("--allow-mismatch", dest="allow_mismatch", action="append", default=[],
                        choices=RESUME_SETTINGS, metavar="SETTING",
                        help="resume although SETTING differs from the checkpoint's "
                             f"(one of {', '.join(RESUME_SETTINGS)}; repeatable)")


def apply_length(config: dict[str, Any], steps: int | None, epochs: int | None) -> dict[str, Any]:
    """Set the run's total length from ``--steps`` / ``--epochs``; the flags win over the config.

    ``--steps N`` alone trains exactly N steps: the config's ``epochs`` is
    dropped, and likewise ``--epochs N`` alone drops the config's ``steps``.

    Args:
        config: The raw config (changed in place and returned).
        steps: ``--steps``, or ``None``.
        epochs: ``--epochs``, or ``None``.

    Example:
        >>> apply_length({"trainer": {"epochs": 5}}, 55, None)
        {'trainer': {'steps': 55}}
    """
    if steps is None and epochs is None:
        return config
    trainer = config.setdefault("trainer", {})
    if not isinstance(trainer, dict):
        raise ConfigError("trainer", f"expected a table, got {type(trainer).__name__}")
    for key, value, other in (("steps", steps, epochs), ("epochs", epochs, steps)):
        if value is not None:
            trainer[key] = value
            if other is None:
                trainer.pop("epochs" if key == "steps" else "steps", None)
    return config


def warn_seed_on_resume(overrides: Iterable[str], resume: str | None) -> None:
    """On ``--resume``, warn that ``--set trainer.seed=...`` does not reseed the run."""
    if resume is None:
        return
    for text in overrides:
        if text.split("=", 1)[0].strip() == "trainer.seed":
            print("gankit: warning: --set trainer.seed on a resumed run: the checkpoint's saved "
                  "RNG states win, so training continues with the original run's random "
                  "numbers (the seed still picks the initial weights before they are "
                  "overwritten, and a data.fixed_size data set)", file=sys.stderr)
            return


def _files(out: Path) -> list[Path]:
    names = ["config.toml", "log.csv", "losses.png", "samples.png", "metrics.json",
             "checkpoints/last.pt", "samples", "tensorboard", "wandb"]
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
    resume: str | os.PathLike[str] | None = None,
    stream: TextIO | None = None,
    resume_hint: str | None = None,
    overwrite: bool = False,
    allow_mismatch: Sequence[str] = (),
) -> int:
    """Train, evaluate and report one run described by a raw config.

    Args:
        config: The raw config, overrides applied.
        out_dir: The run folder.
        resume: A checkpoint, or a run folder, to continue from.
        stream: Where the report goes (default ``sys.stdout``; a closed pipe
            is ignored and training goes on).
        resume_hint: The start of the command shown for resuming after an
            interrupt; default ``gankit train DIR/config.toml``.
        overwrite: Delete a run already in ``out_dir`` first (after the config
            and the checkpoint to resume were checked).
        allow_mismatch: Settings allowed to differ from the checkpoint's
            (see :meth:`gankit.Trainer.load_checkpoint`).

    Returns:
        The exit status: 0 (also when a resumed run is already at its target:
        nothing is written then), or 130 / 143 after SIGINT / SIGTERM (a
        checkpoint is saved after the step in progress).

    Raises:
        ConfigError: If the config is invalid.
        UsageError: If ``out_dir`` holds another run and neither ``resume``
            nor ``overwrite`` says what to do with it.
        CheckpointError: If ``resume`` cannot be loaded or does not match.

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
        >>> sorted(p.name for p in out.iterdir())  # doctest: +NORMALIZE_WHITESPACE
        ['checkpoints', 'config.toml', 'log.csv', 'losses.png', 'metrics.json', 'report.html',
         'samples', 'warnings.json']
        >>> run_config(config, out, stream=io.StringIO())  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        gankit.cli.sample.UsageError: ... already holds a run ...
    """
    out: Any = SafeStream(stream)
    _join_torchrun_group()
    checkpoint = None if resume is None else find_checkpoint(Path(resume))
    continuing = checkpoint is not None and (
        run_folder_of(checkpoint).resolve() == out_dir.resolve()
    )
    held = held_run_files(out_dir)
    if held and not continuing and not overwrite:
        names = ", ".join(p.name for p in held)
        raise UsageError(
            f"{str(out_dir)!r} already holds a run ({names}); nothing was changed. To continue "
            f"it: gankit train --resume {out_dir}; to replace it: add --overwrite; or choose "
            "another --out"
        )
    exp = build_experiment(config, out_dir)
    trainer = exp.trainer
    if not trainer.is_global_zero:  # in a torchrun job, rank 0 alone writes and reports
        out = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    if checkpoint is not None:
        trainer.load_checkpoint(checkpoint, allow_mismatch=allow_mismatch)
    fit = exp.fit_kwargs
    length = f"{fit['steps']} steps" if fit["steps"] is not None else f"{fit['epochs']} epochs"
    if checkpoint is not None and _reached(trainer, fit):
        print(f"gankit: {checkpoint} is at step {trainer.step} (epoch {trainer.epoch}), which "
              f"is already the run's target of {length}; nothing to do (give a larger "
              "--steps to train on)", file=out)
        return 0
    if trainer.is_global_zero:
        if held and not continuing:
            clear_run(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "config.toml").write_text(dumps_toml(exp.config), encoding="utf-8")
    print(f"gankit: training {length} on {exp.config['data']['name']} into {out_dir}"
          + (f", resuming at step {trainer.step}" if checkpoint else ""), file=out)
    print(describe_models({"generator": trainer.generator,
                           "discriminator": trainer.discriminator}), file=out)
    if not trainer.is_global_zero:
        return _train_and_evaluate(exp, out_dir, out, resume_hint)
    error: BaseException | None = None
    with recording_warnings() as seen:
        try:
            return _train_and_evaluate(exp, out_dir, out, resume_hint)
        except BaseException as exc:
            error = exc
            raise
        finally:  # whatever the run left: warnings.json, then report.html
            write_warnings(out_dir, seen, error)
            report = write_run_report(out_dir)
            if report is not None:
                print(f"report: {report}", file=out)


def _train_and_evaluate(exp: Any, out_dir: Path, out: Any, resume_hint: str | None) -> int:
    """Fit, evaluate and list the files; the exit status (130 / 143 after a signal)."""
    trainer, fit = exp.trainer, exp.fit_kwargs
    first_step = trainer.step
    start = time.perf_counter()
    try:
        trainer.fit(exp.data.data, **fit)
    except TrainingInterrupted as stop:
        status = exit_status(stop.signum)
        if not trainer.is_global_zero:
            return status
        try:
            path = trainer.save_checkpoint(out_dir / "checkpoints" / "interrupted.pt")
        except KeyboardInterrupt:  # a second Ctrl-C while saving: the file is not written
            return _aborted(out_dir, out)
        prefix = resume_hint or f"gankit train {out_dir / 'config.toml'}"
        steps = "" if fit["steps"] is None else f" --steps {fit['steps']}"
        print(f"\ngankit: {signal.Signals(stop.signum).name}: interrupted at step "
              f"{trainer.step} after the step finished; saved {path}\n"
              f"resume with: {prefix} --out {out_dir} --resume {path}{steps}", file=out)
        return status
    except KeyboardInterrupt:
        return _aborted(out_dir, out)
    seconds = time.perf_counter() - start
    print(f"trained to step {trainer.step} in {seconds:.1f} s", file=out)
    if exp.config["eval"]["enabled"] and trainer.is_global_zero:
        metrics = evaluate_run(trainer, exp.data, exp.config["eval"], out_dir,
                               extra={"train_seconds": round(seconds, 3),
                                      "timing": _timing(trainer, first_step, seconds)},
                               evaluation=exp.evaluation)
        _summary(metrics, out)
    print("files:", file=out)
    for path in _files(out_dir):
        print(f"  {path}", file=out)
    return 0


def _aborted(out_dir: Path, out: Any) -> int:
    """Say what a second interrupt (mid-step or mid-save) left, and return 130."""
    last = out_dir / "checkpoints" / "last.pt"
    kept = f"the last checkpoint written, {last}, is intact" if last.is_file() else (
        "no checkpoint had been written yet")
    print(f"\ngankit: aborted mid-step (a second interrupt); nothing was saved now; {kept}",
          file=out)
    return INTERRUPTED


def _timing(trainer: Any, first_step: int, seconds: float) -> dict[str, Any]:
    """``metrics.json``'s ``timing``: steps/s of this fit, time in callbacks and the writer."""
    spent = trainer.timing()
    return {
        "steps_per_s": round((trainer.step - first_step) / seconds, 3) if seconds > 0 else None,
        "train_seconds": round(seconds, 3),
        "callback_seconds": {k: round(v, 4) for k, v in spent["callback_seconds"].items()},
        "writer_seconds": round(spent["writer_seconds"], 4),
    }


def _reached(trainer: Any, fit: dict[str, Any]) -> bool:
    """Whether a resumed trainer is already at the fit's target."""
    steps, epochs = fit["steps"], fit["epochs"]
    return (steps is not None and trainer.step >= steps) or (
        epochs is not None and trainer.epoch >= epochs
    )


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
    """Run ``gankit train [CONFIG]`` with the parsed arguments.

    Args:
        args: ``config`` (may be ``None`` with ``--resume``: the run folder's
            ``config.toml``), ``out``, ``steps``, ``epochs``, ``overrides``,
            ``resume``, ``overwrite``, ``allow_mismatch``.

    Returns:
        The exit status.

    Raises:
        ConfigError: If the config file or an override is invalid.
        UsageError: If neither CONFIG nor ``--resume`` is given.

    Example:
        >>> args = argparse.Namespace(config="missing.toml", out=None, steps=None,
        ...                           overrides=[], resume=None)
        >>> train_command(args)
        Traceback (most recent call last):
        ...
        gankit.config.errors.ConfigError: config file 'missing.toml' does not exist
    """
    resume = getattr(args, "resume", None)
    checkpoint = None if resume is None else find_checkpoint(Path(resume))
    config_path = args.config
    if config_path is None:
        if checkpoint is None:
            raise UsageError("gankit train needs a CONFIG file, or --resume DIR of a run folder "
                             "(whose config.toml is used)")
        config_path = str(run_folder_of(checkpoint) / "config.toml")
    overrides = list(args.overrides)
    config = apply_overrides(load_config(config_path), overrides)
    apply_length(config, args.steps, getattr(args, "epochs", None))
    warn_seed_on_resume(overrides, resume)
    if args.out:
        out_dir = Path(args.out)
    elif checkpoint is not None:
        out_dir = run_folder_of(checkpoint)
    else:
        out_dir = Path("runs") / Path(config_path).stem
    return run_config(config, out_dir, resume=checkpoint,
                      overwrite=getattr(args, "overwrite", False),
                      allow_mismatch=getattr(args, "allow_mismatch", ()))
