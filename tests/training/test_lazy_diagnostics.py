"""Diagnostics only on the steps a callback reads them; in-memory data served on the device."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from gankit import Trainer
from gankit.callbacks import Callback, CSVLogger
from gankit.losses import NSGAN, WGANGP
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training._sources import TensorSource, fits_on_device

DIAGNOSTICS = ("d/grad_norm", "g/grad_norm", "d/real_logit", "d/fake_logit")
DATA = torch.randn(512, 2, generator=torch.Generator().manual_seed(1))


class Record(Callback):
    """Keeps every step's metrics; reads the diagnostics every ``every`` steps."""

    def __init__(self, every: int | None) -> None:
        self.every, self.seen = every, {}

    def reads_diagnostics(self, step: int) -> bool:
        return self.every is None or step % self.every == 0

    def on_step_end(self, trainer: Any, metrics: Any) -> None:
        self.seen[trainer.step] = {k: float(v) for k, v in metrics.items()}


def run(every: int | None, loss: Any = None, steps: int = 12, **kw: Any) -> tuple[Trainer, Record]:
    torch.manual_seed(0)
    G = MLPGenerator(4, (2,), hidden=(16,), output_activation=None)
    D = MLPDiscriminator((2,), hidden=(16,))
    record = Record(every)
    trainer = Trainer(G, D, loss or NSGAN(), callbacks=[record], seed=0, progress_bar=False,
                      **kw)
    trainer.fit(DATA, steps=steps, batch_size=64)
    return trainer, record


@pytest.mark.parametrize("loss,kw", [(NSGAN(), {}), (WGANGP(), {"d_steps": 3}),
                                     (NSGAN(), {"grad_clip": 0.5}), (NSGAN(), {"accumulate": 2})])
def test_lazy_diagnostics_equal_eager_ones_on_the_steps_they_are_read(loss: Any, kw: Any) -> None:
    eager_trainer, eager = run(None, loss, **kw)
    lazy_trainer, lazy = run(4, loss, **kw)
    for step in range(1, 13):
        if step % 4 == 0 or step == 12:
            assert lazy.seen[step] == eager.seen[step], step  # every key, bit for bit
        else:
            assert not set(DIAGNOSTICS) & set(lazy.seen[step]), step
            losses = {k: v for k, v in eager.seen[step].items() if k not in DIAGNOSTICS}
            assert lazy.seen[step] == losses, step
    # Skipping them changes nothing in training.
    for a, b in zip(eager_trainer.generator.parameters(), lazy_trainer.generator.parameters()):
        assert torch.equal(a, b)


def test_the_last_step_of_a_fit_always_has_the_diagnostics() -> None:
    trainer, record = run(1000, steps=5)
    assert set(DIAGNOSTICS) <= set(trainer.callback_metrics)
    assert not set(DIAGNOSTICS) & set(record.seen[4])


def test_a_user_callback_that_overrides_on_step_end_gets_them_every_step() -> None:
    class Mine(Callback):
        def __init__(self) -> None:
            self.norms: list[float] = []

        def on_step_end(self, trainer: Any, metrics: Any) -> None:
            self.norms.append(float(metrics["d/grad_norm"]))

    mine = Mine()
    torch.manual_seed(0)
    trainer = Trainer(MLPGenerator(4, (2,), hidden=(16,)), MLPDiscriminator((2,), hidden=(16,)),
                      NSGAN(), callbacks=[mine], progress_bar=False, seed=0)
    trainer.fit(DATA, steps=6, batch_size=64)
    assert len(mine.norms) == 6 and all(n > 0 for n in mine.norms)


def test_csv_rows_hold_the_diagnostics_on_their_steps(tmp_path: Any) -> None:
    torch.manual_seed(0)
    trainer = Trainer(MLPGenerator(4, (2,), hidden=(16,)), MLPDiscriminator((2,), hidden=(16,)),
                      NSGAN(), callbacks=[CSVLogger(tmp_path / "log.csv", every=3)],
                      progress_bar=False, seed=0)
    trainer.fit(DATA, steps=9, batch_size=64)
    lines = (tmp_path / "log.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert set(DIAGNOSTICS) <= set(header)
    assert all("" not in line.split(",") for line in lines[1:])  # no empty cell


# --------------------------------------------------------------------------- data on the device
def test_fits_on_device_asks_the_driver_for_free_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    x = torch.zeros(1000, 10)  # 40,000 bytes
    assert fits_on_device(x, None, torch.device("cpu"))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (160_000, 10**9))
    assert fits_on_device(x, None, torch.device("cuda", 0))  # 40 kB <= a quarter of 160 kB
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (159_999, 10**9))
    assert not fits_on_device(x, None, torch.device("cuda", 0))
    assert not fits_on_device(x, None, torch.device("meta"))  # other devices: keep on CPU


def test_tensor_source_order_is_the_same_on_every_device_and_resumes() -> None:
    x, y = torch.arange(40.0).reshape(20, 2), torch.arange(20)
    torch.manual_seed(3)
    plain = TensorSource(x, y, 4)
    torch.manual_seed(3)
    on_device = TensorSource(x, y, 4, device=torch.device("cpu"))
    first = [plain.next() for _ in range(7)]
    state = on_device.state_dict()
    assert all(torch.equal(a[0], b[0]) for a, b in zip(first, [on_device.next()
                                                               for _ in range(7)]))
    state = on_device.state_dict()
    later = [on_device.next() for _ in range(6)]  # crosses an epoch end (5 batches each)
    torch.manual_seed(99)
    resumed = TensorSource(x, y, 4, device=torch.device("cpu"))
    resumed.load_state_dict(state)
    again = [resumed.next() for _ in range(6)]
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(later, again))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_device_sampling_resumes_bit_exactly_on_cuda(tmp_path: Any) -> None:
    def make() -> Trainer:
        torch.manual_seed(0)
        return Trainer(MLPGenerator(4, (2,), hidden=(16,)), MLPDiscriminator((2,), hidden=(16,)),
                       NSGAN(), device="cuda", progress_bar=False, seed=0)

    straight = make().fit(DATA, steps=10, batch_size=64)
    cut = make().fit(DATA, steps=5, batch_size=64)
    assert cut._feed.source.x.device.type == "cuda"  # served from the device
    cut.save_checkpoint(tmp_path / "cut.pt")
    resumed = make().load_checkpoint(tmp_path / "cut.pt").fit(DATA, steps=10, batch_size=64)
    for a, b in zip(straight.generator.parameters(), resumed.generator.parameters()):
        assert torch.equal(a, b)
