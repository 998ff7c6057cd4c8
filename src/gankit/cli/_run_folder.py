"""Run folders: which files make a run, which checkpoint continues it, and clearing one.

A run folder holds what ``gankit train`` wrote: ``config.toml``, ``log.csv``,
``metrics.json``, pictures, ``samples/``, ``tensorboard/``, ``wandb/``,
``warnings.json``, ``report.html`` and ``checkpoints/``. ``gankit train`` never
writes into a folder that holds a run unless it is told to: ``--resume``
continues that run, ``--overwrite`` deletes it first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from gankit.cli.sample import UsageError

__all__ = ["RUN_FILES", "clear_run", "find_checkpoint", "held_run_files", "run_folder_of"]

#: The files and folders of a run, relative to its folder.
RUN_FILES: tuple[str, ...] = (
    "config.toml",
    "log.csv",
    "metrics.json",
    "samples.png",
    "losses.png",
    "samples",
    "tensorboard",
    "wandb",
    "warnings.json",
    "report.html",
    "checkpoints",
)

#: The checkpoints a run folder is resumed from, newest step first among them.
RESUME_NAMES: tuple[str, ...] = ("interrupted.pt", "last.pt")


def held_run_files(folder: Path) -> list[Path]:
    """The run files that exist in ``folder`` (empty: the folder holds no run).

    Example:
        >>> import tempfile
        >>> held_run_files(Path(tempfile.mkdtemp()))
        []
    """
    return [folder / name for name in RUN_FILES if (folder / name).exists()]


def clear_run(folder: Path) -> None:
    """Delete the run files of ``folder`` (only those of :data:`RUN_FILES`; nothing else)."""
    for path in held_run_files(folder):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _step_of(path: Path) -> int:
    from gankit.training.checkpoint import load_checkpoint_file

    return int(load_checkpoint_file(path)["step"])


def find_checkpoint(target: Path) -> Path:
    """The checkpoint that ``--resume TARGET`` means.

    Args:
        target: A checkpoint file, or a run folder: then the newer (by step) of
            ``checkpoints/interrupted.pt`` and ``checkpoints/last.pt``
            (``last.pt`` on a tie).

    Raises:
        UsageError: If ``target`` is a folder with neither checkpoint.
        CheckpointError: If a candidate cannot be read.
    """
    if not target.is_dir():
        return target
    folder = target / "checkpoints"
    found = [folder / n for n in RESUME_NAMES if (folder / n).is_file()]
    if not found:
        raise UsageError(
            f"--resume {str(target)!r}: the folder holds no checkpoints/last.pt or "
            "checkpoints/interrupted.pt to resume from"
        )
    if len(found) == 1:
        return found[0]
    interrupted, last = found
    return interrupted if _step_of(interrupted) > _step_of(last) else last


def run_folder_of(checkpoint: Path) -> Path:
    """The run folder of a checkpoint: the parent of its ``checkpoints/`` folder.

    Example:
        >>> run_folder_of(Path("runs/a/checkpoints/last.pt")).as_posix()
        'runs/a'
        >>> run_folder_of(Path("elsewhere/x.pt")).as_posix()
        'elsewhere'
    """
    parent = checkpoint.parent
    return parent.parent if parent.name == "checkpoints" else parent
