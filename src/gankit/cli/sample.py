"""``gankit sample``: draw samples from a checkpoint, with no config and no training code.

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


def sample_command(args: argparse.Namespace) -> int:
    """Run ``gankit sample CHECKPOINT`` with the parsed arguments.

    Args:
        args: ``checkpoint``, ``n``, ``out``, ``seed``, ``labels``, ``no_ema``.

    Returns:
        The exit status, 0.

    Raises:
        UsageError: On an unknown suffix, ``n < 1``, or bad labels.
        CheckpointError: If the checkpoint is missing, corrupt or not rebuildable.

    Example:
        >>> args = argparse.Namespace(checkpoint="last.pt", n=8, out="samples.gif", seed=0,
        ...                           labels=None, no_ema=False)
        >>> sample_command(args)
        Traceback (most recent call last):
        ...
        gankit.cli.sample.UsageError: --out must end in one of .npy, .png, .pt (the format), \
got 'samples.gif'
    """
    from gankit.training import load_checkpoint_file, load_generator

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"--out must end in one of {', '.join(SUFFIXES)} (the format), got {str(out)!r}"
        )
    if args.n < 1:
        raise UsageError(f"-n must be a positive number of samples, got {args.n}")
    model = load_generator(args.checkpoint, ema=not args.no_ema)
    noise_kind = load_checkpoint_file(args.checkpoint).get("trainer", {}).get("noise", "normal")
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
