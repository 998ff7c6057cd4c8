"""Save checkpoints every N steps, keep the last K, and keep ``last.pt`` current."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gankit._atomic import atomic_write
from gankit._validation import check_path, check_positive_int
from gankit._writer import BackgroundWriter
from gankit.callbacks.base import Callback, Metrics

if TYPE_CHECKING:
    from gankit.callbacks._trainer_view import TrainerView

__all__ = ["ModelCheckpoint"]


def _copy_atomic(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` through a temporary file and ``os.replace``."""
    with atomic_write(dst) as out, src.open("rb") as f:
        shutil.copyfileobj(f, out)


def _publish(path: Path, last: Path | None, stale: list[Path]) -> None:
    """Copy a written checkpoint to ``last`` (if any), then delete the ``stale`` step files.

    Does nothing if ``path`` is not there (its background write failed): the
    older files stay.
    """
    if not path.is_file():
        return
    if last is not None:
        _copy_atomic(path, last)
    for old in stale:
        old.unlink(missing_ok=True)


def _step_of(name: str) -> int:
    """The step of a ``step_{step:08d}.pt`` name, or -1 for other names."""
    digits = name[len("step_") : -len(".pt")]
    return int(digits) if digits.isdigit() else -1


class ModelCheckpoint(Callback):
    """Write ``step_{step:08d}.pt`` every ``every`` steps with ``trainer.save_checkpoint``.

    Only the newest ``keep_last`` step files are kept; older ones are deleted
    after the new one is safely in place. With ``save_last``, ``last.pt`` is
    overwritten (atomically) with a copy of each new checkpoint, so it always
    names the latest good state. Nothing is saved when training fails
    (``on_exception``): the last checkpoint written before a diverged step stays
    as it was. The list of kept files is part of this callback's state, so a run
    resumed from a checkpoint goes on pruning the files of its predecessor; step
    files that the interrupted run wrote after the resumed step (an abandoned
    future) are pruned first.

    Args:
        dirpath: The folder of the checkpoints (created when first needed).
        every: Save every ``every`` steps.
        keep_last: How many step files to keep; ``None`` keeps them all.
        save_last: Also keep ``last.pt`` up to date.
        save_on_fit_end: Also save when :meth:`~gankit.Trainer.fit` returns, if
            that step was not saved already.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every`` or ``keep_last`` is below 1.

    Example:
        >>> import tempfile, pathlib, torch
        >>> from types import SimpleNamespace
        >>> def save(path):
        ...     torch.save({"step": trainer.step}, path)
        ...     return pathlib.Path(path)
        >>> trainer = SimpleNamespace(step=0, save_checkpoint=save)
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> ckpt = ModelCheckpoint(folder, every=2, keep_last=2)
        >>> for trainer.step in range(1, 8):
        ...     ckpt.on_step_end(trainer, {})
        >>> sorted(p.name for p in folder.iterdir())
        ['last.pt', 'step_00000004.pt', 'step_00000006.pt']
    """

    rank_zero_only = True  # writes files: rank 0 alone in distributed runs

    config_keys = ("every", "keep_last")  # what a config file may set

    def __init__(
        self,
        dirpath: str | os.PathLike[str],
        every: int = 1000,
        keep_last: int | None = 3,
        save_last: bool = True,
        save_on_fit_end: bool = True,
    ) -> None:
        self.dirpath = check_path(dirpath, "dirpath")
        self.every = check_positive_int(every, "every")
        self.keep_last = None if keep_last is None else check_positive_int(keep_last, "keep_last")
        self.save_last = bool(save_last)
        self.save_on_fit_end = bool(save_on_fit_end)
        self.kept: list[str] = []
        self.last_saved_step: int | None = None

    def on_fit_start(self, trainer: TrainerView) -> None:
        """After a resume, queue step files newer than ``trainer.step`` for pruning first."""
        if trainer.step == 0 or not self.dirpath.is_dir():
            return
        abandoned = sorted(
            p.name
            for p in self.dirpath.glob("step_*.pt")
            if p.name not in self.kept and _step_of(p.name) > trainer.step
        )
        self.kept = abandoned + self.kept

    def reads_diagnostics(self, step: int) -> bool:
        """Never: this callback reads no metric."""
        return False

    def on_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Save every ``every`` steps."""
        if trainer.step % self.every == 0:
            self.save(trainer)

    def on_fit_end(self, trainer: TrainerView) -> None:
        """Save the final step, unless it was just saved or ``save_on_fit_end`` is off."""
        if self.save_on_fit_end and self.last_saved_step != trainer.step:
            self.save(trainer)

    def save(self, trainer: TrainerView) -> Path:
        """Save ``step_{step:08d}.pt`` (and ``last.pt``), then prune old step files.

        With a :class:`~gankit.Trainer` the state is checked and copied now and
        written on its background writer (``trainer.writer``), in order: the
        step file, then ``last.pt``, then the pruning.

        Args:
            trainer: The trainer to save.

        Returns:
            The path of the step file.
        """
        self.dirpath.mkdir(parents=True, exist_ok=True)
        name = f"step_{trainer.step:08d}.pt"
        previous = (list(self.kept), self.last_saved_step)
        kept = [k for k in self.kept if k != name] + [name]
        cut = 0 if self.keep_last is None else max(len(kept) - self.keep_last, 0)
        stale, self.kept = kept[:cut], kept[cut:]
        self.last_saved_step = trainer.step  # before saving: the checkpoint holds this state
        writer = getattr(trainer, "writer", None)
        background = isinstance(writer, BackgroundWriter)
        try:
            if background:  # the state is copied now, written on the writer thread
                path = Path(trainer.save_checkpoint(self.dirpath / name, background=True))
            else:
                path = Path(trainer.save_checkpoint(self.dirpath / name))
        except BaseException:
            self.kept, self.last_saved_step = previous
            raise
        last = self.dirpath / "last.pt" if self.save_last else None
        stale_paths = [self.dirpath / old for old in stale]
        if background:
            assert isinstance(writer, BackgroundWriter)
            writer.submit(name, _publish, path, last, stale_paths)  # after the file, in order
        else:
            _publish(path, last, stale_paths)
        return path

    def state_dict(self) -> dict[str, Any]:
        """The kept step files (names in ``dirpath``) and the last saved step."""
        return {"kept": list(self.kept), "last_saved_step": self.last_saved_step}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the list of kept step files, so pruning continues after a resume."""
        self.kept = [str(k) for k in state.get("kept", [])]
        step = state.get("last_saved_step")
        self.last_saved_step = None if step is None else int(step)
