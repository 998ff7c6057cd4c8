"""What users hand the Trainer by mistake or habit: bad data, bad terms, Datasets, one callback."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset

from gankit import Trainer, seed_everything
from gankit.callbacks import EMA, DivergenceGuard
from gankit.losses import NSGAN, LossTerm
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training._batch_checks import DataError


def make(d_steps: int = 1, loss: object = None, **kwargs: object) -> Trainer:
    seed_everything(0)
    G = MLPGenerator(2, (2,), hidden=(8,))
    D = MLPDiscriminator((2,), hidden=(8,))
    return Trainer(G, D, loss or NSGAN(), d_steps=d_steps, progress_bar=False, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- item 9: bad data
def test_nan_in_a_tensor_is_blamed_on_the_data_before_any_step() -> None:
    x = torch.randn(64, 2)
    x[41, 1] = float("nan")
    trainer = make()
    with pytest.raises(DataError, match=r"the training data has NaN at sample index 41 \(of 64\)"):
        trainer.fit(x, steps=3, batch_size=16)
    assert trainer.step == 0


def test_inf_in_a_loader_names_the_step_the_update_and_the_index() -> None:
    x = torch.randn(60, 2)
    x[47, 0] = float("inf")  # batch 4 (0-based) of 10 samples: step 2, D update 2 of 3
    loader = DataLoader(TensorDataset(x), batch_size=10)
    trainer = make(d_steps=3)
    with pytest.raises(DataError) as info:
        trainer.fit(loader, steps=5)
    message = str(info.value)
    assert "step 2 (discriminator update 2 of 3)" in message
    assert "inf at index 7 of the batch" in message
    assert "learning rate" not in message
    assert trainer.step == 1


def test_nan_from_a_sampler_is_caught_per_batch() -> None:
    class Broken:
        def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
            out = torch.randn(n, 2, generator=generator)
            out[3] = float("nan")
            return out

    with pytest.raises(DataError, match="step 1 has NaN at index 3 of the batch"):
        make().fit(Broken(), steps=2, batch_size=8)


@pytest.mark.parametrize("wrap", ["tensor", "loader", "dataset"])
def test_integer_data_gets_a_dtype_error_not_a_matmul_error(wrap: str) -> None:
    x = torch.randint(0, 255, (32, 2), dtype=torch.uint8)
    data: object = {"tensor": x, "loader": DataLoader(TensorDataset(x), batch_size=8),
                    "dataset": TensorDataset(x)}[wrap]
    with pytest.raises(DataError, match=r"dtype torch.uint8.*floating point.*x.float\(\)"):
        make().fit(data, steps=2, batch_size=8)


# ---------------------------------------------------------------- item 10: bad loss terms
class VectorTerm(LossTerm):
    name = "vector"

    def discriminator(self, batch):  # type: ignore[no-untyped-def]
        return batch.fake_logits  # (N,), forgot .mean()


class FloatTerm(LossTerm):
    name = "number"

    def generator(self, batch):  # type: ignore[no-untyped-def]
        return 0.5


@pytest.mark.parametrize(("term", "half", "got"), [
    (VectorTerm(), "discriminator", "a tensor of shape (16,) and dtype torch.float32"),
    (FloatTerm(), "generator", "a float (0.5)"),
])
def test_a_term_that_returns_a_non_scalar_is_named(term: LossTerm, half: str, got: str) -> None:
    trainer = make(loss=NSGAN() + 0.1 * term)
    with pytest.raises(TypeError) as info:
        trainer.fit(torch.randn(64, 2), steps=2, batch_size=16)
    message = str(info.value)
    assert f"loss term {term!r} (name {term.name!r}) returned {got} from {half}()" in message
    assert "scalar" in message


# ---------------------------------------------------------------- item 13: Datasets
class Pairs(Dataset):  # type: ignore[type-arg]
    """A user's map-style data set of (x, int label) pairs."""

    def __init__(self, n: int) -> None:
        g = torch.Generator().manual_seed(5)
        self.x = torch.randn(n, 2, generator=g)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.x[i], i % 3


def test_fit_takes_a_tensor_dataset_and_batches_it_like_the_tensor() -> None:
    x = torch.randn(100, 2)
    a = make().fit(x, steps=9, batch_size=16)  # 6 batches an epoch: 9 steps cross one
    b = make().fit(TensorDataset(x), steps=9, batch_size=16)
    assert a.epoch == b.epoch == 1
    for p, q in zip(a.generator.parameters(), b.generator.parameters()):
        assert torch.equal(p, q)


def test_a_dataset_of_pairs_gives_labels(tmp_path: Path) -> None:
    trainer = make()
    trainer.fit(Pairs(50), steps=2, batch_size=10)
    assert trainer._feed.source is not None and trainer._feed.source.has_labels


def test_a_dataset_resumes_mid_epoch_bit_for_bit(tmp_path: Path) -> None:
    data = Pairs(70)  # 7 batches of 10 an epoch; split at step 10, mid second epoch
    full = make().fit(data, steps=16, batch_size=10)
    part = make().fit(data, steps=10, batch_size=10)
    path = part.save_checkpoint(tmp_path / "ck.pt")
    resumed = make()
    resumed.load_checkpoint(path)
    resumed.fit(data, steps=16, batch_size=10)
    for p, q in zip(full.discriminator.parameters(), resumed.discriminator.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize(("data", "match"), [
    ([{"x": 1}] * 4, "got list"),
])
def test_fit_rejects_other_things_by_name(data: object, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        make().fit(data, steps=1, batch_size=2)


def test_a_dataset_of_dicts_and_an_iterable_dataset_are_refused_clearly() -> None:
    class Dicts(Dataset):  # type: ignore[type-arg]
        def __len__(self) -> int:
            return 8

        def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
            return {"x": torch.zeros(2)}

    class Stream(IterableDataset):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield torch.zeros(2)

    with pytest.raises(TypeError, match=r"Dicts\[0\] is a dict"):
        make().fit(Dicts(), steps=1, batch_size=2)
    with pytest.raises(TypeError, match="IterableDataset in a DataLoader"):
        make().fit(Stream(), steps=1, batch_size=2)


# ---------------------------------------------------------------- item 11: small things
def test_one_callback_without_a_list_is_accepted() -> None:
    trainer = make(callbacks=EMA(0.9))
    trainer.fit(torch.randn(32, 2), steps=2, batch_size=8)
    assert trainer.ema_generator is not None
    assert [type(cb) for cb in trainer.callbacks] == [DivergenceGuard, EMA]


@pytest.mark.parametrize("bad", [EMA, "EMA", 3, [EMA(0.9), "x"]])
def test_callbacks_of_another_type_name_it(bad: object) -> None:
    with pytest.raises(TypeError, match="callbacks must be"):
        make(callbacks=bad)


@pytest.mark.parametrize("n", [-1, 0, 2.5, True, "4"])
def test_sample_rejects_a_bad_n(n: object) -> None:
    with pytest.raises(ValueError, match=rf"positive int n, got {n!r}"):
        make().sample(n)  # type: ignore[arg-type]


def test_sample_checks_the_noise_and_label_shapes() -> None:
    trainer = make()
    with pytest.raises(ValueError, match=r"noise must have shape \(4, 2\), got \(3, 2\)"):
        trainer.sample(4, noise=torch.zeros(3, 2))
    assert trainer.sample(4, noise=torch.zeros(4, 2)).shape == (4, 2)


def _script(prior: int, early: bool) -> list[torch.Tensor]:
    """A training script run in a process whose RNG happens to be at ``prior``."""
    torch.manual_seed(prior)  # whatever imports and earlier code left behind
    if early:
        seed_everything(11)
    G = MLPGenerator(2, (2,), hidden=(8,))
    D = MLPDiscriminator((2,), hidden=(8,))
    t = Trainer(G, D, NSGAN(), progress_bar=False, seed=None if early else 11)
    t.fit(torch.ones(40, 2), steps=3, batch_size=8)
    return [p.detach().clone() for p in G.parameters()]


def test_seed_everything_before_building_makes_runs_equal_and_trainer_seed_alone_does_not() -> None:
    a, b = _script(1, early=True), _script(2, early=True)
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    # Trainer(seed=...) runs after the models exist: their initial weights differ.
    c, d = _script(1, early=False), _script(2, early=False)
    assert not all(torch.equal(p, q) for p, q in zip(c, d))


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), ("0", TypeError)])
def test_seed_everything_rejects_bad_seeds(seed: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="seed must be"):
        seed_everything(seed)  # type: ignore[arg-type]
