"""The background writer: order, a bounded queue, errors in the training thread, flushes."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import torch

from gankit import Trainer, TrainingInterrupted
from gankit._atomic import atomic_write
from gankit._writer import BackgroundWriter, WriterError, cpu_copy, write_job
from gankit.callbacks import Callback, CSVLogger, LossPlot, ModelCheckpoint, SampleGrid
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import load_checkpoint_file


def make_trainer(callbacks: list[Callback], seed: int = 0) -> Trainer:
    torch.manual_seed(seed)
    G = MLPGenerator(4, (2,), hidden=(16,), output_activation=None)
    D = MLPDiscriminator((2,), hidden=(16,))
    return Trainer(G, D, NSGAN(), callbacks=callbacks, seed=seed, progress_bar=False)


DATA = torch.randn(512, 2, generator=torch.Generator().manual_seed(1))


def slow_write(path: Path, seconds: float) -> None:
    time.sleep(seconds)
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write("done")


class QueueAt(Callback):
    """Hands a slow write to the trainer's writer at one step (as a file-writing callback would)."""

    def __init__(self, step: int, path: Path, seconds: float = 0.5,
                 then: Any = None) -> None:
        self.step, self.path, self.seconds, self.then = step, path, seconds, then

    def on_step_end(self, trainer: Any, metrics: Any) -> None:
        if trainer.step == self.step:
            write_job(trainer, self.path.name, slow_write, self.path, self.seconds)
            if self.then is not None:
                self.then()


# --------------------------------------------------------------------------- the writer alone
def test_jobs_run_in_order_on_another_thread() -> None:
    writer, seen = BackgroundWriter(), []
    for i in range(20):
        writer.submit(f"job {i}", lambda i=i: seen.append((i, threading.current_thread().name)))
    writer.flush()
    assert [i for i, _ in seen] == list(range(20))
    assert {name for _, name in seen} == {"gankit-writer"}
    writer.close()


def test_the_queue_is_bounded_submit_blocks_until_a_job_is_done() -> None:
    writer, gate = BackgroundWriter(max_pending=2), threading.Event()
    writer.submit("blocker", gate.wait)  # running
    writer.submit("a", lambda: None)
    writer.submit("b", lambda: None)  # queue full: 2 waiting
    done = threading.Event()
    t = threading.Thread(target=lambda: (writer.submit("c", lambda: None), done.set()))
    t.start()
    assert not done.wait(0.3), "submit returned although max_pending jobs were waiting"
    gate.set()
    assert done.wait(5.0)
    writer.close()
    assert writer.jobs_done == 4


def test_an_error_is_raised_by_the_next_call_and_later_jobs_still_run(tmp_path: Path) -> None:
    writer, after = BackgroundWriter(), []

    def fail() -> None:
        raise OSError("No space left on device")

    writer.submit("samples_00000010.png", fail)
    writer.submit("log.csv", after.append, "row")
    with pytest.raises(WriterError, match=r"samples_00000010\.png failed: OSError: No space"):
        writer.flush()
    assert after == ["row"]
    writer.flush()  # raised once
    with pytest.raises(ValueError, match="max_pending"):
        BackgroundWriter(0)


def test_cpu_copy_does_not_follow_in_place_changes() -> None:
    w = torch.nn.Linear(2, 2)
    state = cpu_copy({"model": w.state_dict(), "steps": [1, (2, torch.ones(1))]})
    with torch.no_grad():
        w.weight.add_(1.0)
    assert not torch.equal(state["model"]["weight"], w.weight)
    assert isinstance(state["model"], type(w.state_dict())) and state["steps"][0] == 1


# --------------------------------------------------------------------------- in the trainer
def test_a_write_error_surfaces_in_the_training_thread_and_no_file_is_half_written(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "samples"
    blocked.write_text("a file where the samples folder should be")
    csv = tmp_path / "log.csv"
    trainer = make_trainer([SampleGrid(blocked, every=5, n=16), CSVLogger(csv, every=1)])
    with pytest.raises(WriterError, match=r"samples_00000005\.png") as info:
        trainer.fit(DATA, steps=50, batch_size=64)
    assert 5 <= trainer.step < 50  # stopped soon after the failed write, not at the end
    assert isinstance(info.value.__cause__, OSError)
    assert blocked.read_text() == "a file where the samples folder should be"
    # The rows handed over before the error are all written, whole; no temporary files.
    # (The error may surface when the next row is handed over: that row never was.)
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("step,epoch,")
    assert [int(r.split(",")[0]) for r in rows[1:]] == list(range(1, len(rows)))
    assert trainer.step - 1 <= len(rows) - 1 <= trainer.step
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failing_job_writes_nothing_and_the_old_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "losses.png"
    target.write_bytes(b"old picture")

    def torn_write(path: Path) -> None:
        with atomic_write(path) as f:
            f.write(b"half a pic")
            raise OSError("disk full")

    class Torn(Callback):
        def on_step_end(self, trainer: Any, metrics: Any) -> None:
            if trainer.step == 2:
                write_job(trainer, target.name, torn_write, target)

    with pytest.raises(WriterError, match="disk full"):
        make_trainer([Torn()]).fit(DATA, steps=20, batch_size=64)
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["losses.png"]


def test_fit_waits_for_the_writer_before_returning(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    trainer = make_trainer([QueueAt(3, path, seconds=0.5)])
    trainer.fit(DATA, steps=3, batch_size=64)
    assert path.read_text() == "done"
    assert trainer.writer.pending == 0


def test_ctrl_c_flushes_what_was_queued_before_fit_raises(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    interrupt = QueueAt(4, path, seconds=0.5, then=lambda: os.kill(os.getpid(), signal.SIGINT))
    trainer = make_trainer([interrupt])
    with pytest.raises(TrainingInterrupted):
        trainer.fit(DATA, steps=50, batch_size=64)
    assert trainer.step == 4
    assert path.read_text() == "done"  # written before TrainingInterrupted reached us


def test_an_error_in_training_still_flushes_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"

    def boom() -> None:
        raise RuntimeError("user callback failed")

    with pytest.raises(RuntimeError, match="user callback failed"):
        make_trainer([QueueAt(2, path, then=boom)]).fit(DATA, steps=10, batch_size=64)
    assert path.read_text() == "done"


def test_background_checkpoints_hold_the_state_of_their_step(tmp_path: Path) -> None:
    """Training goes on while the writer writes: the file must hold the step's state."""
    background = make_trainer([ModelCheckpoint(tmp_path / "ckpt", every=2, keep_last=None)])
    background.fit(DATA, steps=8, batch_size=64)
    reference = make_trainer([])
    reference.fit(DATA, steps=2, batch_size=64)
    saved = load_checkpoint_file(tmp_path / "ckpt" / "step_00000002.pt")
    want = reference.state_dict()
    for key, value in want["generator"]["state_dict"].items():
        assert torch.equal(saved["generator"]["state_dict"][key], value), key
    for key in ("g_optimizer", "d_optimizer"):
        for (k, a), (_, b) in zip(saved[key]["state"].items(), want[key]["state"].items()):
            assert torch.equal(a["exp_avg"], b["exp_avg"]), (key, k)
    last = load_checkpoint_file(tmp_path / "ckpt" / "last.pt")
    assert last["step"] == 8


def test_loss_plot_and_csv_rows_are_written_by_the_end_of_fit(tmp_path: Path) -> None:
    trainer = make_trainer([CSVLogger(tmp_path / "log.csv", every=2),
                            LossPlot(tmp_path / "losses.png", every=2, plot_every=4)])
    trainer.fit(DATA, steps=10, batch_size=64)
    rows = (tmp_path / "log.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows] == ["step", "2", "4", "6", "8", "10"]
    assert (tmp_path / "losses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_timing_sums_the_time_in_each_callback_and_in_the_writer(tmp_path: Path) -> None:
    class Slow(Callback):
        def on_step_end(self, trainer: Any, metrics: Any) -> None:
            time.sleep(0.05)

    trainer = make_trainer([Slow(), QueueAt(2, tmp_path / "late.txt", seconds=0.2)])
    trainer.fit(DATA, steps=4, batch_size=64)
    spent = trainer.timing()
    assert 0.2 <= spent["callback_seconds"]["Slow"] < 2.0
    assert spent["callback_seconds"]["QueueAt"] < 0.15  # the write itself ran elsewhere
    assert spent["writer_seconds"] >= 0.2
    assert set(spent["callback_seconds"]) == {"DivergenceGuard", "Slow", "QueueAt"}
