"""The ``gankit`` command: ``demo``, ``train``, ``sample``, ``evaluate``, ``export``, ``report``.

Every command has ``--help``. Errors are printed as one line
``gankit: error: ...`` on stderr, without a traceback unless ``--debug`` is
given. Exit status: 0 on success, 1 on a runtime error (missing data files, a
corrupt checkpoint, a diverged run), 2 on a usage or config error, 130 after
Ctrl-C (SIGINT), 143 after SIGTERM.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from gankit._version import __version__

__all__ = ["build_parser", "main"]

_EPILOG = ("Exit status: 0 ok, 1 runtime error, 2 usage or config error, 130 interrupted "
           "(Ctrl-C), 143 terminated (SIGTERM).")


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    return parent


def _demo(args: argparse.Namespace) -> int:
    from gankit.cli.demo import demo_command

    return demo_command(args)


def _train(args: argparse.Namespace) -> int:
    from gankit.cli.train import train_command

    return train_command(args)


def _sample(args: argparse.Namespace) -> int:
    from gankit.cli.sample import sample_command

    return sample_command(args)


def _evaluate(args: argparse.Namespace) -> int:
    from gankit.cli.evaluate import evaluate_command

    return evaluate_command(args)


def _export(args: argparse.Namespace) -> int:
    from gankit.cli.export import export_command

    return export_command(args)


def _report(args: argparse.Namespace) -> int:
    from gankit.cli.report import report_command

    return report_command(args)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``gankit`` command.

    Returns:
        The parser, with the sub-commands ``demo``, ``train``, ``sample``,
        ``evaluate``, ``export`` and ``report``.

    Example:
        >>> build_parser().parse_args(["sample", "last.pt", "-n", "8"]).n
        8
    """
    from gankit.cli.export import add_export_arguments
    from gankit.cli.train import add_train_arguments

    common = _common()
    parser = argparse.ArgumentParser(
        prog="gankit", description="Train and sample generative adversarial networks.",
        epilog=_EPILOG)
    parser.add_argument("--version", action="version", version=f"gankit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo", parents=[common], epilog=_EPILOG,
        help="train on the 8-Gaussian ring (about 30 s on a CPU) and report mode coverage",
        description="Train a GAN on PacGAN's 2D-ring (8 Gaussians, radius 1, std 0.01) and "
        "write samples.png, losses.png, log.csv, metrics.json, config.toml and "
        "checkpoints/last.pt into DIR. The same as 'gankit train examples/configs/ring.toml'.")
    demo.add_argument("--out", default="runs/demo", metavar="DIR",
                      help="output folder (default: runs/demo)")
    demo.add_argument("--seed", type=int, help="random seed (sets trainer.seed)")
    add_train_arguments(demo)
    demo.set_defaults(func=_demo)

    train = sub.add_parser(
        "train", parents=[common], epilog=_EPILOG, help="train from a TOML (or YAML) config",
        description="Train a GAN described by a config file (TOML; YAML with "
        "'pip install \"gankit[yaml]\"') and write logs, checkpoints, pictures and "
        "metrics into DIR.")
    train.add_argument("config", metavar="CONFIG", nargs="?",
                       help="a .toml, .yaml or .yml file (optional with --resume DIR: the "
                       "run folder's config.toml)")
    train.add_argument("--out", metavar="DIR",
                       help="output folder (default: the resumed run's folder, else "
                       "runs/<config name>); a folder holding a run is refused unless "
                       "--resume or --overwrite")
    add_train_arguments(train)
    train.set_defaults(func=_train)

    sample = sub.add_parser(
        "sample", parents=[common], epilog=_EPILOG,
        help="draw samples from a checkpoint or a pretrained folder",
        description="Draw samples from the generator in a checkpoint (EMA weights when "
        "present) or in a pretrained folder (config.json + model.safetensors, as "
        "'gankit export' writes it). The suffix of --out picks the format: .png (scatter "
        "or image grid), .pt (torch tensor) or .npy (NumPy array).")
    sample.add_argument("checkpoint", metavar="CHECKPOINT",
                        help="a checkpoint file (.pt) or a pretrained folder")
    sample.add_argument("-n", type=int, default=64, metavar="N",
                        help="number of samples (default: 64)")
    sample.add_argument("--out", default="samples.png", metavar="FILE",
                        help="output file: .png, .pt or .npy (default: samples.png)")
    sample.add_argument("--seed", type=int, default=0, help="noise seed (default: 0)")
    sample.add_argument("--labels", type=int, nargs="+", metavar="LABEL",
                        help="class labels for a conditional generator, cycled over the "
                        "samples (default: 0, 1, ..., K-1, 0, ...)")
    sample.add_argument("--no-ema", action="store_true",
                        help="use the raw generator weights even if EMA weights exist")
    sample.set_defaults(func=_sample)

    evaluate = sub.add_parser(
        "evaluate", parents=[common], epilog=_EPILOG,
        help="score a checkpoint with the run's [eval] metrics",
        description="Rebuild the run from its config.toml, load CHECKPOINT and evaluate it with "
        "the same metrics gankit train computes at the end (mode coverage on mixtures, "
        "moments on a Gaussian). Writes metrics.json and samples.png into DIR and prints "
        "the metrics.")
    evaluate.add_argument("checkpoint", metavar="CHECKPOINT",
                          help="a checkpoint file, or a run folder (its newest checkpoint)")
    evaluate.add_argument("--config", metavar="CONFIG",
                          help="the run's config (default: config.toml of the run folder)")
    evaluate.add_argument("--out", metavar="DIR",
                          help="output folder (default: <run>/eval/<checkpoint name>)")
    evaluate.add_argument("--num-samples", type=int, metavar="N",
                          help="generated samples to score (default: the config's eval value)")
    evaluate.add_argument("--seed", type=int, help="seed of the evaluation noise")
    evaluate.add_argument("--no-plot", action="store_true", help="do not write samples.png")
    evaluate.set_defaults(func=_evaluate)

    export = sub.add_parser(
        "export", parents=[common], epilog=_EPILOG,
        help="export a checkpoint: a pretrained folder, TorchScript or ONNX",
        description="Export the generator of a training checkpoint (EMA weights when present, "
        "unless --no-ema). --format pretrained (the default) writes config.json, "
        "model.safetensors and README.md (a model card from the run folder) into --out, "
        "which gankit.from_pretrained and 'gankit sample' read; torchscript and onnx write "
        "a standalone generator mapping z (and labels) to samples.")
    add_export_arguments(export)
    export.set_defaults(func=_export)

    report = sub.add_parser(
        "report", parents=[common], epilog=_EPILOG,
        help="write a run folder's self-contained HTML report",
        description="Write RUN_DIR/report.html: loss and gradient-norm curves, the sample "
        "pictures over training, the quality figures, timing, warnings and the resolved "
        "config, in one HTML file that opens offline (pictures embedded). gankit train "
        "writes it at the end of every run; this rewrites it.")
    report.add_argument("run_dir", metavar="RUN_DIR", help="a run folder (gankit train --out)")
    report.add_argument("--no-plots", action="store_true",
                        help="tables only, no curves (they need matplotlib)")
    report.set_defaults(func=_report)
    return parser


def _error(message: str) -> None:
    text = " ".join(str(message).split())
    print(f"gankit: error: {text}", file=sys.stderr)


def _usage_errors() -> tuple[type[BaseException], ...]:
    from gankit.cli.sample import UsageError
    from gankit.config import ConfigError

    return (ConfigError, UsageError)


def main(argv: list[str] | None = None) -> int:
    """Run the ``gankit`` command line.

    Args:
        argv: The arguments after ``gankit``; ``None`` reads ``sys.argv``.

    Returns:
        The exit status: 0 ok, 1 runtime error, 2 usage or config error,
        130 interrupted.

    Example:
        >>> main(["sample", "missing.pt", "--out", "x.gif"])
        2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 2
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        if args.debug:
            raise
        _error("interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, _usage_errors()):
            _error(str(exc))
            return 2
        known = _known_runtime_errors()
        detail = str(exc) if isinstance(exc, known) else f"{type(exc).__name__}: {exc}"
        hint = "" if isinstance(exc, known) else " (rerun with --debug for the traceback)"
        _error(detail + hint)
        return 1


def _known_runtime_errors() -> tuple[type[BaseException], ...]:
    from gankit.callbacks import DivergenceError
    from gankit.training import CheckpointError

    return (CheckpointError, DivergenceError, FileNotFoundError, ImportError, ValueError)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
