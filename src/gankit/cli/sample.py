"""``gankit sample``: draw samples from a checkpoint or a pretrained folder, with no training code.

A folder written by ``gankit export`` or ``save_pretrained`` (``config.json``
and ``model.safetensors``) gives the same samples as the checkpoint it was
exported from: the folder records the latent ``noise`` the trainer drew.

The output format follows the file's suffix: ``.png`` draws a scatter (2-D
points) or an image grid (``(C, H, W)`` images), ``.pt`` saves the tensor with
``torch.save``, ``.npy`` saves it with NumPy. The same ``--seed`` gives the
same samples.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch import Tensor

from gankit.models.latent_prior import latent_prior
from gankit.models.sampling import generate
from gankit.visualize import save_samples_picture

__all__ = ["SUFFIXES", "UsageError", "sample_command"]

#: The output formats, by file suffix.
SUFFIXES: tuple[str, ...] = (".npy", ".png", ".pt")


class UsageError(ValueError):
    """A command-line argument is invalid (exit status 2).

    Example:
        >>> isinstance(UsageError("bad -n"), ValueError)
        True
    """


def _labels(given: list[int] | None, n: int, num_classes: int | None) -> Tensor | None:
    if num_classes is None:
        if given:
            raise UsageError("--labels was given but the generator is unconditional")
        return None
    values = given or list(range(num_classes))
    bad = [v for v in values if not 0 <= v < num_classes]
    if bad:
        raise UsageError(f"--labels must lie in [0, {num_classes}), got {bad}")
    pattern = torch.tensor(values, dtype=torch.int64)
    return pattern[torch.arange(n) % len(values)]  # (n,), cycling through the given labels


def _load(source: str, no_ema: bool) -> tuple[torch.nn.Module, str]:
    """The generator and its latent noise, from a checkpoint file or a pretrained folder."""
    if Path(source).is_dir():
        from gankit.models import from_pretrained, load_pretrained_config

        doc = load_pretrained_config(source)
        model = from_pretrained(source, role="generator")
        if no_ema and doc.get("ema", False):
            raise UsageError(
                f"--no-ema: the pretrained folder {source!r} holds only the EMA weights; "
                "export the raw ones with 'gankit export CHECKPOINT --no-ema'"
            )
        return model, str(doc.get("noise", "normal"))
    from gankit.training import load_checkpoint_file, load_generator

    model = load_generator(source, ema=not no_ema)
    return model, load_checkpoint_file(source).get("trainer", {}).get("noise", "normal")


def sample_command(args: argparse.Namespace) -> int:
    """Run ``gankit sample CHECKPOINT`` (a file or a pretrained folder) with the parsed arguments.

    Args:
        args: ``checkpoint``, ``n``, ``out``, ``seed``, ``labels``, ``no_ema``.

    Returns:
        The exit status, 0.

    Raises:
        UsageError: On an unknown suffix, ``n < 1``, or bad labels.
        CheckpointError: If the checkpoint is missing, corrupt or not rebuildable;
            :class:`~gankit.models.PretrainedError` (a subclass) for a bad folder.

    Example:
        >>> args = argparse.Namespace(checkpoint="last.pt", n=8, out="samples.gif", seed=0,
        ...                           labels=None, no_ema=False)
        >>> sample_command(args)
        Traceback (most recent call last):
        ...
        gankit.cli.sample.UsageError: --out must end in one of .npy, .png, .pt (the format), \
got 'samples.gif'
    """
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"--out must end in one of {', '.join(SUFFIXES)} (the format), got {str(out)!r}"
        )
    if args.n < 1:
        raise UsageError(f"-n must be a positive number of samples, got {args.n}")
    model, noise_kind = _load(args.checkpoint, args.no_ema)
    num_classes = getattr(model, "num_classes", None)
    labels = _labels(args.labels, args.n, num_classes)
    gen = torch.Generator().manual_seed(args.seed)
    latent_dim: int = model.latent_dim  # type: ignore[assignment]
    z = latent_prior(noise_kind).sample(args.n, latent_dim, generator=gen)  # as the trainer drew
    samples = generate(model, z, labels).cpu()  # (n, *out_shape)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pt":
        torch.save(samples, out)
    elif suffix == ".npy":
        import numpy as np

        np.save(out, samples.numpy())
    elif save_samples_picture(samples, out) is None:
        raise UsageError(
            f"cannot draw samples of shape {tuple(samples.shape[1:])} as a picture "
            "(2-D points or 1- or 3-channel images only); use .pt or .npy"
        )
    print(f"wrote {args.n} samples of shape {tuple(samples.shape[1:])} to {out}", file=sys.stdout)
    return 0
