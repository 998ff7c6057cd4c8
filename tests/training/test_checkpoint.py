"""Checkpoint files: atomic writes under SIGKILL, safe loading, clear errors."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from gankit import Trainer
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import (
    CheckpointError,
    load_checkpoint_file,
    load_generator,
    save_checkpoint_file,
)


def small_trainer(**kwargs: object) -> Trainer:
    torch.manual_seed(0)
    G = MLPGenerator(3, (2,), hidden=(8,))
    D = MLPDiscriminator((2,), hidden=(8,))
    return Trainer(G, D, NSGAN(), progress_bar=False, **kwargs)  # type: ignore[arg-type]


def test_checkpoint_round_trip_restores_everything(tmp_path: Path) -> None:
    trainer = small_trainer(seed=3)
    trainer.fit(torch.randn(64, 2), steps=4, batch_size=16)
    path = trainer.save_checkpoint(tmp_path / "a.pt")
    ckpt = load_checkpoint_file(path)
    assert ckpt["step"] == 4
    assert ckpt["generator"]["class"] == "MLPGenerator"
    other = small_trainer()
    other.load_checkpoint(path)
    assert other.step == 4
    for a, b in zip(trainer.generator.parameters(), other.generator.parameters()):
        assert torch.equal(a, b)
    assert other.g_optimizer.state_dict()["state"].keys() == (
        trainer.g_optimizer.state_dict()["state"].keys()
    )
    assert torch.equal(torch.get_rng_state(), ckpt["rng"]["torch"])


def test_load_generator_needs_only_the_file(tmp_path: Path) -> None:
    trainer = small_trainer(seed=3)
    trainer.fit(torch.randn(64, 2), steps=2, batch_size=16)
    path = trainer.save_checkpoint(tmp_path / "g.pt")
    G = load_generator(path)
    z = torch.randn(5, 3)
    trainer.generator.eval()
    assert torch.equal(G(z), trainer.generator(z))


def test_malicious_pickle_is_refused_and_runs_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pt"
    torch.save({"format": "gankit-checkpoint-v1", "payload": Evil()}, path)
    with pytest.raises(CheckpointError, match="refusing to load"):
        load_checkpoint_file(path)
    with pytest.raises(CheckpointError, match="refusing to load"):
        small_trainer().load_checkpoint(path)
    assert not marker.exists()
    # A raw pickle (not a torch zip file) is refused too.
    raw = tmp_path / "raw.pt"
    raw.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(CheckpointError):
        load_checkpoint_file(raw)
    assert not marker.exists()


def test_truncated_and_corrupt_files_name_the_file(tmp_path: Path) -> None:
    trainer = small_trainer()
    good = trainer.save_checkpoint(tmp_path / "good.pt")
    data = good.read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"truncated\.pt"):
        load_checkpoint_file(truncated)
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00not a checkpoint at all" * 10)
    with pytest.raises(CheckpointError, match=r"garbage\.pt"):
        load_checkpoint_file(garbage)
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint_file(tmp_path / "missing.pt")
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(CheckpointError, match="not a gankit checkpoint"):
        load_checkpoint_file(foreign)


def test_checkpoint_that_does_not_fit_the_models(tmp_path: Path) -> None:
    path = small_trainer().save_checkpoint(tmp_path / "a.pt")
    G = MLPGenerator(3, (2,), hidden=(9,))
    D = MLPDiscriminator((2,), hidden=(8,))
    other = Trainer(G, D, NSGAN(), progress_bar=False)
    with pytest.raises(CheckpointError, match="does not fit"):
        other.load_checkpoint(path)


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.pt"
    save_checkpoint_file({"format": "gankit-checkpoint-v1", "x": torch.ones(3)}, path)

    class Unsaveable:
        pass

    with pytest.raises(Exception):  # noqa: B017 - any pickling error will do
        save_checkpoint_file({"format": "gankit-checkpoint-v1", "x": Unsaveable()}, path)
    assert torch.equal(load_checkpoint_file(path)["x"], torch.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]  # no temp file left


WRITER = textwrap.dedent(
    """
    import sys, torch
    from gankit.training import save_checkpoint_file
    path = sys.argv[1]
    big = torch.randn(2_000_000)
    i = 0
    print("ready", flush=True)
    while True:
        i += 1
        big[0] = i
        save_checkpoint_file({"format": "gankit-checkpoint-v1", "i": i, "big": big}, path)
    """
)


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.29, 0.47, 0.71])
def test_sigkill_while_writing_leaves_a_loadable_checkpoint(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "ckpt.pt"
    save_checkpoint_file({"format": "gankit-checkpoint-v1", "i": 0, "big": torch.zeros(1)}, path)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ckpt = load_checkpoint_file(path)  # never torn: the old or a complete new file
    assert ckpt["i"] == 0 or float(ckpt["big"][0]) == ckpt["i"]
