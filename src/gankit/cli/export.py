"""``gankit export``: a training checkpoint as a pretrained folder, TorchScript or ONNX.

``--format pretrained`` (the default) writes ``config.json``,
``model.safetensors`` and ``README.md`` (the model card, from the run folder)
into ``--out``; ``torchscript`` and ``onnx`` write a standalone generator
that maps ``z`` (and labels) to samples. The EMA weights are exported when
the checkpoint has them, unless ``--no-ema``.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_export_arguments", "export_command"]


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``gankit export``'s arguments to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_export_arguments(parser)
        >>> parser.parse_args(["last.pt", "--out", "g"]).format
        'pretrained'
    """
    from gankit.cli._export_run import EXPORT_FORMATS

    parser.add_argument("checkpoint", metavar="CHECKPOINT", help="a checkpoint file (.pt)")
    parser.add_argument("--out", required=True, metavar="FILE_OR_DIR",
                        help="the pretrained folder; for torchscript and onnx the file, or a "
                        "folder to write generator.pt / generator.onnx into")
    parser.add_argument("--format", default="pretrained", choices=EXPORT_FORMATS,
                        help="pretrained (a folder for from_pretrained and gankit sample, the "
                        "default), torchscript or onnx (a standalone generator)")
    parser.add_argument("--no-ema", action="store_true",
                        help="export the raw generator weights even if EMA weights exist")
    parser.add_argument("--discriminator", action="store_true",
                        help="export the discriminator instead of the generator "
                        "(--format pretrained only)")


def export_command(args: argparse.Namespace) -> int:
    """Run ``gankit export CHECKPOINT --out FILE_OR_DIR`` with the parsed arguments.

    Args:
        args: ``checkpoint``, ``out``, ``format``, ``no_ema``, ``discriminator``.

    Returns:
        The exit status, 0.

    Raises:
        UsageError: If ``--discriminator`` is given with a serving format.
        CheckpointError: If the checkpoint is missing, corrupt or not rebuildable.
        ImportError: Without safetensors (``gankit[hub]``) or onnx (``gankit[export]``).
    """
    from gankit.cli._export_run import export_checkpoint
    from gankit.cli.sample import UsageError

    role = "discriminator" if args.discriminator else "generator"
    if role == "discriminator" and args.format != "pretrained":
        raise UsageError(f"--discriminator needs --format pretrained, got {args.format!r} "
                         "(serving formats hold a generator)")
    written = export_checkpoint(args.checkpoint, args.out, format=args.format,
                                ema=False if args.no_ema else None, role=role)
    print(f"wrote {written}", file=sys.stdout)
    return 0
