"""``Trainer(augment=...)``: what the discriminator sees, what it does not, and its state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from gankit import Trainer
from gankit.losses import NSGAN, R1Penalty
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import CheckpointError


class Shift(nn.Module):
    """x + u with u ~ U[0, 1) per sample: random, differentiable, and it counts its calls."""

    def __init__(self, scale: float = 1.0) -> None:
        super().__init__()
        self.scale = scale
        self.register_buffer("calls", torch.zeros((), dtype=torch.int64))
        self.seen: list[int] = []
        self.observed: list[Tensor] = []

    def forward(self, x: Tensor) -> Tensor:
        self.calls += 1
        self.seen.append(id(x))
        return x + self.scale * torch.rand(x.shape[0], 1, device=x.device)

    def observe(self, real_logits: Tensor) -> None:
        self.observed.append(real_logits)

    def log_metrics(self) -> dict[str, float]:
        return {"augment/calls": float(self.calls)}

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale}


class Recorder(nn.Module):
    """A discriminator that records the batches it judges."""

    def __init__(self) -> None:
        super().__init__()
        self.inner = MLPDiscriminator((2,), hidden=(8,))
        self.inputs: list[Tensor] = []

    def forward(self, x: Tensor) -> Tensor:
        self.inputs.append(x.detach().clone())
        return self.inner(x)


def _trainer(augment: nn.Module | None, d: nn.Module | None = None, **kw: Any) -> Trainer:
    torch.manual_seed(0)
    g = MLPGenerator(2, (2,), hidden=(8,))
    return Trainer(g, d or MLPDiscriminator((2,), hidden=(8,)), NSGAN(), augment=augment,
                   seed=1, progress_bar=False, device="cpu", **kw)


def test_every_batch_the_discriminator_judges_is_augmented() -> None:
    shift, d = Shift(scale=100.0), Recorder()
    trainer = _trainer(shift, d, d_steps=2)
    data = torch.zeros(32, 2)  # real data is exactly 0: an augmented real batch is not
    trainer.fit(data, steps=3, batch_size=8)
    # Per step: real and fake in each of 2 D updates, and fake in the G update.
    assert int(shift.calls) == 3 * (2 * 2 + 1) == len(d.inputs)
    assert all(x.abs().min() > 0 for x in d.inputs)  # even the all-zero real batches
    assert all(x.max() > 10 for x in d.inputs)  # shifted by U[0, 100)
    assert len(shift.observed) == 3 * 2 and all(t.shape == (8,) for t in shift.observed)
    assert trainer.callback_metrics["augment/calls"] == 15.0


def test_the_generator_gets_gradients_through_the_augmentation() -> None:
    class Negate(nn.Module):
        def forward(self, x: Tensor) -> Tensor:
            return -x

    # D ∘ (-1) on G's output: G's gradient must be that of D evaluated at -G(z).
    a = _trainer(Negate())
    a.fit(torch.randn(16, 2), steps=1, batch_size=8)
    torch.manual_seed(0)
    b = Trainer(MLPGenerator(2, (2,), hidden=(8,)),
                nn.Sequential(_Neg(), MLPDiscriminator((2,), hidden=(8,))), NSGAN(),
                seed=1, progress_bar=False, device="cpu")
    b.fit(torch.randn(16, 2), steps=1, batch_size=8)
    for (ka, va), (_, vb) in zip(a.generator.state_dict().items(),
                                  b.generator.state_dict().items(), strict=True):
        torch.testing.assert_close(va, vb, rtol=0, atol=1e-7, msg=ka)


class _Neg(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return -x


def test_samples_and_the_checkpoint_generator_never_see_the_augmentation(tmp_path: Path) -> None:
    shift = Shift(scale=100.0)
    trainer = _trainer(shift)
    trainer.fit(torch.randn(32, 2), steps=2, batch_size=8)
    calls = int(shift.calls)
    z = trainer.sample_noise(5, generator=torch.Generator().manual_seed(0))
    trainer.generator.eval()
    with torch.no_grad():
        expected = trainer.generator(z)
    assert torch.equal(trainer.sample(5, noise=z), expected)
    path = trainer.save_checkpoint(tmp_path / "a.pt")
    from gankit import load_generator

    g = load_generator(path)
    with torch.no_grad():
        assert torch.equal(g(z), expected)
    assert int(shift.calls) == calls  # sampling, saving and loading called it never


def test_the_augmentation_state_is_checkpointed_and_restored(tmp_path: Path) -> None:
    shift = Shift()
    trainer = _trainer(shift)
    trainer.fit(torch.randn(32, 2), steps=2, batch_size=8)
    path = trainer.save_checkpoint(tmp_path / "a.pt")
    fresh = Shift()
    _trainer(fresh).load_checkpoint(path)
    assert int(fresh.calls) == int(shift.calls) == 2 * 3


def test_resuming_with_another_augmentation_is_refused(tmp_path: Path) -> None:
    trainer = _trainer(Shift(scale=1.0))
    trainer.fit(torch.randn(32, 2), steps=1, batch_size=8)
    path = trainer.save_checkpoint(tmp_path / "a.pt")
    with pytest.raises(CheckpointError, match=r"augment was 'Shift\(scale=1.0\)' in the run"):
        _trainer(Shift(scale=2.0)).load_checkpoint(path)
    with pytest.raises(CheckpointError, match="augment was 'Shift"):
        _trainer(None).load_checkpoint(path)
    _trainer(Shift(scale=2.0)).load_checkpoint(path, allow_mismatch=["augment"])


def test_r1_differentiates_through_the_augmentation() -> None:
    class Double(nn.Module):
        def forward(self, x: Tensor) -> Tensor:
            return 2 * x

    w = torch.tensor([3.0, 4.0])

    class Linear(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(w.clone())

        def forward(self, x: Tensor) -> Tensor:
            return x @ self.w

    trainer = _trainer(Double(), Linear())
    judge = trainer._algorithm.judge(trainer.discriminator)
    from gankit.losses import GANBatch

    batch = GANBatch(judge, torch.randn(4, 2), torch.randn(4, 2))
    # ∇_x D(2x) = 2w: R1 = (γ/2)·||2w||² = 0.5 · 100
    assert R1Penalty(1.0).discriminator_terms(batch)["r1"].item() == pytest.approx(50.0)


def test_augment_must_be_a_module() -> None:
    with pytest.raises(TypeError, match=r"augment must be None or an nn.Module .* got function"):
        _trainer(lambda x: x)  # type: ignore[arg-type]
