"""Gradient accumulation: k micro-batches of B equal one update on a batch of k·B."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from gankit import Trainer
from gankit.callbacks import Callback
from gankit.losses import NSGAN, WGANGP, Loss, R1Penalty
from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from gankit.training._accumulation import MicroBatchRandom, add_gradients, micro_batches


def test_micro_batches_split_like_tensor_split() -> None:
    for n, k in [(10, 3), (8, 2), (5, 5), (7, 1)]:
        rows = micro_batches(n, k)
        expected = torch.arange(n).tensor_split(k)
        assert [torch.arange(n)[r].tolist() for r in rows] == [e.tolist() for e in expected]
    with pytest.raises(ValueError, match="accumulate=4 needs at least 4 samples per update, "
                                         "got a batch of 3"):
        micro_batches(3, 4)


def test_add_gradients_treats_none_as_zero() -> None:
    a, b = torch.tensor([1.0]), torch.tensor([2.0])
    total = add_gradients(None, [a, None, None])
    total = add_gradients(total, [b, b, None])
    assert total[0].item() == 3.0 and total[1] is b and total[2] is None


def test_micro_batch_random_serves_one_whole_batch_draw() -> None:
    draws: list[int] = []

    def draw(n: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        draws.append(n)
        return torch.arange(float(n)) + 100 * len(draws)

    rand = MicroBatchRandom(draw)
    cpu = torch.device("cpu")
    rand.begin(5)
    got = []
    for j, rows in enumerate(micro_batches(5, 2)):
        rand.chunk(j, rows)
        n = rows.stop - rows.start
        got.append((rand(n, cpu, torch.float32).tolist(), rand(n, cpu, torch.float32).tolist()))
    assert draws == [5, 5]  # two calls per micro-batch: two whole-batch draws, made once
    assert got == [([100.0, 101.0, 102.0], [200.0, 201.0, 202.0]),
                   ([103.0, 104.0], [203.0, 204.0])]
    assert rand(7, cpu, torch.float32).shape == (3 + 4,)  # another size draws afresh
    rand.end()
    assert rand(2, cpu, torch.float32).tolist() == [400.0, 401.0]  # outside an update


def _mlp_trainer(loss: Loss, accumulate: int, d_steps: int = 1,
                 callbacks: tuple[Callback, ...] = ()) -> Trainer:
    torch.manual_seed(0)
    g = MLPGenerator(3, (2,), hidden=(16, 16), norm_layer=None)
    d = MLPDiscriminator((2,), hidden=(16, 16))
    return Trainer(g, d, loss, d_steps=d_steps, accumulate=accumulate, seed=3,
                   progress_bar=False, device="cpu", callbacks=callbacks)


def _weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    out = {f"G.{k}": v for k, v in trainer.generator.state_dict().items()}
    out.update({f"D.{k}": v for k, v in trainer.discriminator.state_dict().items()})
    return out


def _assert_close(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6, msg=key)


class _Record(Callback):
    def __init__(self) -> None:
        self.metrics: list[dict[str, float]] = []

    def on_log(self, trainer: Trainer, metrics: object) -> None:
        self.metrics.append({k: float(v) for k, v in trainer.callback_metrics.items()})


@pytest.mark.parametrize(
    ("loss", "d_steps", "k"),
    [(NSGAN(), 1, 2), (WGANGP(), 3, 4), (NSGAN() + R1Penalty(1.0, every=2), 2, 3)],
    ids=["nsgan", "wgangp", "nsgan_r1_lazy"],
)
def test_accumulation_equals_one_update_on_the_large_batch(loss: Loss, d_steps: int,
                                                           k: int) -> None:
    data = torch.randn(120, 2, generator=torch.Generator().manual_seed(1))
    logs_big, logs_small = _Record(), _Record()
    big = _mlp_trainer(loss, 1, d_steps, (logs_big,))  # each fits before the next is seeded
    start = {key: v.clone() for key, v in _weights(big).items()}
    big.fit(data, steps=6, batch_size=6 * k)
    small = _mlp_trainer(loss, k, d_steps, (logs_small,)).fit(data, steps=6, batch_size=6)
    _assert_close(_weights(big), _weights(small))
    assert any(not torch.equal(start[key], v) for key, v in _weights(big).items())
    # The logged losses are the whole batch's (weighted means of the micro-batches').
    for a, b in zip(logs_big.metrics, logs_small.metrics, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], abs=1e-5), key


def test_accumulation_over_a_data_loader_concatenates_its_batches() -> None:
    data = TensorDataset(torch.randn(64, 2, generator=torch.Generator().manual_seed(2)))
    big = _mlp_trainer(NSGAN(), 1).fit(DataLoader(data, batch_size=16, shuffle=True), steps=7)
    small = _mlp_trainer(NSGAN(), 2).fit(DataLoader(data, batch_size=8, shuffle=True), steps=7)
    _assert_close(_weights(big), _weights(small))
    assert tuple(small.last_real.shape) == (16, 2)  # the update's whole batch


def test_batch_norm_makes_micro_batches_differ_as_documented() -> None:
    """With BatchNorm the micro-batches' statistics differ from the whole batch's."""
    def make(k: int) -> Trainer:
        torch.manual_seed(0)
        g = DCGANGenerator(4, (1, 8, 8), base_channels=4)
        d = DCGANDiscriminator((1, 8, 8), base_channels=4)
        return Trainer(g, d, NSGAN(), accumulate=k, seed=1, progress_bar=False, device="cpu")

    data = torch.rand(32, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    a, b = make(1).fit(data, steps=2, batch_size=16), make(2).fit(data, steps=2, batch_size=8)
    assert not all(torch.allclose(a.generator.state_dict()[key], v, atol=1e-6)
                   for key, v in b.generator.state_dict().items())


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_accumulate_must_be_a_positive_int(bad: object) -> None:
    g, d = MLPGenerator(2, (2,), hidden=(4,)), MLPDiscriminator((2,), hidden=(4,))
    with pytest.raises(ValueError, match=f"accumulate must be a positive int, got {bad!r}"):
        Trainer(g, d, NSGAN(), accumulate=bad, progress_bar=False)  # type: ignore[arg-type]


def test_an_update_larger_than_the_data_names_both_factors() -> None:
    trainer = _mlp_trainer(NSGAN(), 4)
    with pytest.raises(ValueError, match=r"batch_size=12 is larger than the data set \(10 "
                                         r"samples\): batch_size=3 x accumulate=4"):
        trainer.fit(torch.randn(10, 2), steps=1, batch_size=3)


def test_the_accumulate_setting_is_checked_on_resume(tmp_path: object) -> None:
    from pathlib import Path

    from gankit.training import CheckpointError

    path = Path(str(tmp_path)) / "a.pt"
    _mlp_trainer(NSGAN(), 2).fit(torch.randn(32, 2), steps=1, batch_size=4).save_checkpoint(path)
    with pytest.raises(CheckpointError, match="accumulate was 2 in the run"):
        _mlp_trainer(NSGAN(), 1).load_checkpoint(path)
    _mlp_trainer(NSGAN(), 1).load_checkpoint(path, allow_mismatch=["accumulate"])
