"""The Trainer: Algorithm 1's update discipline, hooks, data kinds, options and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from gankit import Trainer
from gankit.callbacks import Callback, DivergenceError, ModelCheckpoint
from gankit.functional import nsgan_discriminator_loss, nsgan_generator_loss
from gankit.losses import NSGAN, WGAN, GradientPenalty, LossTerm, R1Penalty
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import load_checkpoint_file


def models(latent: int = 3, hidden: tuple[int, ...] = (8,)) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(0)
    return MLPGenerator(latent, (2,), hidden=hidden), MLPDiscriminator((2,), hidden=hidden)


class Recorder(Callback):
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.metrics: list[dict[str, Any]] = []

    def setup(self, trainer: Trainer) -> None:
        self.calls.append("setup")

    def on_fit_start(self, trainer: Trainer) -> None:
        self.calls.append("fit_start")

    def on_discriminator_step_end(self, trainer: Trainer, metrics: Any) -> None:
        self.calls.append("d")

    def on_generator_step_end(self, trainer: Trainer, metrics: Any) -> None:
        self.calls.append("g")

    def on_step_end(self, trainer: Trainer, metrics: Any) -> None:
        self.calls.append(f"step{trainer.step}")
        self.metrics.append(dict(metrics))

    def on_epoch_end(self, trainer: Trainer) -> None:
        self.calls.append(f"epoch{trainer.epoch}")

    def on_fit_end(self, trainer: Trainer) -> None:
        self.calls.append("fit_end")

    def on_exception(self, trainer: Trainer, exception: BaseException) -> None:
        self.calls.append(f"exception:{type(exception).__name__}")


def test_hook_order_with_k_discriminator_steps_and_epochs() -> None:
    G, D = models()
    rec = Recorder()
    trainer = Trainer(G, D, NSGAN(), d_steps=2, callbacks=[rec], progress_bar=False)
    # 8 samples, batch 4: two batches an epoch; a step takes two batches.
    trainer.fit(torch.randn(8, 2), steps=2, batch_size=4)
    assert rec.calls == [
        "setup", "fit_start",
        "d", "d", "g", "step1", "epoch1",
        "d", "d", "g", "step2", "epoch2",
        "fit_end",
    ]


def test_step_metrics_hold_every_term_and_diagnostics() -> None:
    G, D = models()
    rec = Recorder()
    loss = WGAN() + GradientPenalty(10.0)
    Trainer(G, D, loss, callbacks=[rec], progress_bar=False).fit(
        torch.randn(32, 2), steps=1, batch_size=8
    )
    keys = set(rec.metrics[0])
    assert {"d/wgan", "d/gp", "g/wgan", "d/loss", "g/loss", "d/real_logit", "d/fake_logit",
            "g/grad_norm", "d/grad_norm"} <= keys
    m = rec.metrics[0]
    assert torch.allclose(m["d/loss"], m["d/wgan"] + m["d/gp"])
    assert all(not v.requires_grad for v in m.values() if isinstance(v, torch.Tensor))


def test_one_trainer_step_equals_the_handwritten_algorithm() -> None:
    """The trainer's step is bitwise the loop a user writes by hand (same RNG draws)."""
    data = torch.randn(40, 2, generator=torch.Generator().manual_seed(5))
    G, D = models()
    trainer = Trainer(G, D, NSGAN(), seed=11, progress_bar=False)
    trainer.fit(data, steps=3, batch_size=8)

    G2, D2 = models()
    torch.manual_seed(11)
    opt_g = torch.optim.Adam(G2.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D2.parameters(), lr=2e-4, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(int(torch.randint(0, 2**62, (), dtype=torch.int64)))
    perm = torch.randperm(40, generator=gen)
    for i in range(3):
        real = data[perm[i * 8 : (i + 1) * 8]]
        fake = G2(torch.randn(8, 3))
        d_loss = nsgan_discriminator_loss(D2(real), D2(fake.detach()))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = nsgan_generator_loss(D2(fake))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
    for a, b in zip([*G.parameters(), *D.parameters()], [*G2.parameters(), *D2.parameters()]):
        assert torch.equal(a, b)


class GradSpy(Callback):
    """Checks the update discipline from inside the step."""

    def __init__(self) -> None:
        self.d_grads: list[torch.Tensor | None] = []
        self.g_grads: list[torch.Tensor | None] = []
        self.checked = 0

    def on_discriminator_step_end(self, trainer: Trainer, metrics: Any) -> None:
        self.d_grads = [None if p.grad is None else p.grad.clone()
                        for p in trainer.discriminator.parameters()]
        self.g_grads = [None if p.grad is None else p.grad.clone()
                        for p in trainer.generator.parameters()]

    def on_generator_step_end(self, trainer: Trainer, metrics: Any) -> None:
        # The G step left D's gradients exactly as the D step did.
        for before, p in zip(self.d_grads, trainer.discriminator.parameters()):
            assert before is not None and torch.equal(before, p.grad)
        self.checked += 1


def test_d_gets_no_gradient_from_g_step_and_one_step_per_network() -> None:
    G, D = models()
    spy = GradSpy()
    loss = NSGAN() + 10.0 * R1Penalty()
    trainer = Trainer(G, D, loss, callbacks=[spy], progress_bar=False)
    counts = {"g": 0, "d": 0}
    trainer.g_optimizer.register_step_post_hook(lambda *a: counts.__setitem__("g", counts["g"] + 1))
    trainer.d_optimizer.register_step_post_hook(lambda *a: counts.__setitem__("d", counts["d"] + 1))
    trainer.fit(torch.randn(64, 2), steps=3, batch_size=16)
    assert spy.checked == 3
    assert counts == {"g": 3, "d": 3}


def test_fake_batch_is_detached_for_the_d_step() -> None:
    seen: list[bool] = []

    class Probe(LossTerm):
        name = "probe"

        def discriminator(self, batch: Any) -> torch.Tensor:
            seen.append(batch.fake.requires_grad)
            return batch.fake_logits.mean() - batch.real_logits.mean()

        def generator(self, batch: Any) -> torch.Tensor:
            seen.append(batch.fake.requires_grad)
            return -batch.fake_logits.mean()

    G, D = models()
    Trainer(G, D, Probe(), d_steps=2, progress_bar=False).fit(
        torch.randn(32, 2), steps=1, batch_size=8
    )
    assert seen == [False, False, True]


def test_steps_count_from_the_start_and_should_stop() -> None:
    G, D = models()
    trainer = Trainer(G, D, NSGAN(), progress_bar=False)
    data = torch.randn(64, 2)
    trainer.fit(data, steps=3, batch_size=8)
    assert trainer.step == 3
    trainer.fit(data, steps=5, batch_size=8)
    assert trainer.step == 5
    trainer.fit(data, steps=5, batch_size=8)  # already there: no step
    assert trainer.step == 5

    class StopAt(Callback):
        def on_step_end(self, trainer: Trainer, metrics: Any) -> None:
            if trainer.step == 7:
                trainer.should_stop = True

    G, D = models()
    trainer = Trainer(G, D, NSGAN(), callbacks=[StopAt()], progress_bar=False)
    trainer.fit(data, steps=100, batch_size=8)
    assert trainer.step == 7


def test_epochs_count_passes() -> None:
    G, D = models()
    trainer = Trainer(G, D, NSGAN(), progress_bar=False)
    trainer.fit(torch.randn(20, 2), epochs=3, batch_size=5)  # 4 steps an epoch
    assert (trainer.step, trainer.epoch) == (12, 3)


def test_data_kinds() -> None:
    x = torch.randn(32, 2)
    for data in (
        x,
        DataLoader(TensorDataset(x), batch_size=8, shuffle=True),
        DataLoader(x, batch_size=8),
    ):
        G, D = models()
        trainer = Trainer(G, D, NSGAN(), progress_bar=False)
        trainer.fit(data, steps=5, batch_size=8)
        assert trainer.step == 5

    class Sampler:
        def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
            return torch.randn(n, 2, generator=generator)

    G, D = models()
    trainer = Trainer(G, D, NSGAN(), progress_bar=False)
    trainer.fit(Sampler(), steps=4, batch_size=16)
    assert trainer.step == 4 and trainer.last_real is not None
    assert trainer.last_real.shape == (16, 2)
    with pytest.raises(ValueError, match="infinite"):
        trainer.fit(Sampler(), epochs=2)


class LabelledD(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = MLPDiscriminator((2,), hidden=(8,), num_classes=3)
        self.seen: list[tuple[torch.Tensor, torch.Tensor]] = []

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self.seen.append((x.detach(), labels))
        return self.net(x, labels)


def test_conditional_labels_reach_d_and_g() -> None:
    torch.manual_seed(0)
    G = MLPGenerator(3, (2,), hidden=(8,), num_classes=3)
    D = LabelledD()
    x = torch.randn(30, 2)
    labels = torch.arange(30) % 3
    trainer = Trainer(G, D, NSGAN(), progress_bar=False)
    trainer.fit((x, labels), steps=2, batch_size=6)
    real_x, real_labels = D.seen[0]
    # the labels given with a real batch are that batch's own labels
    for row, lab in zip(real_x, real_labels):
        idx = int((x - row).abs().sum(1).argmin())
        assert int(labels[idx]) == int(lab)
    assert trainer.sample(6).shape == (6, 2)
    with pytest.raises(ValueError, match="no labels"):
        Trainer(G, D, NSGAN(), progress_bar=False).fit(x, steps=1, batch_size=6)


def test_sample_is_eval_mode_no_grad_and_restores_mode() -> None:
    torch.manual_seed(0)
    G = MLPGenerator(3, (2,), hidden=(8, 8))  # has BatchNorm
    D = MLPDiscriminator((2,), hidden=(8,))
    trainer = Trainer(G, D, NSGAN(), progress_bar=False)
    z = torch.randn(4, 3)
    out = trainer.sample(4, noise=z)
    assert not out.requires_grad and G.training
    G.eval()
    assert torch.equal(out, G(z))


def test_divergence_guard_names_step_and_term_and_keeps_checkpoint(tmp_path: Path) -> None:
    class NaNAt(LossTerm):
        name = "bomb"

        def __init__(self, at: int) -> None:
            self.at, self.calls = at, 0

        def discriminator(self, batch: Any) -> torch.Tensor:
            self.calls += 1
            value = batch.fake_logits.mean() * 0
            return value + float("nan") if self.calls == self.at else value

    G, D = models()
    rec = Recorder()
    ckpt = ModelCheckpoint(tmp_path, every=2, keep_last=10)
    trainer = Trainer(G, D, NSGAN() + NaNAt(5), callbacks=[rec, ckpt], progress_bar=False)
    with pytest.raises(DivergenceError, match=r"step 5.*d/bomb"):
        trainer.fit(torch.randn(64, 2), steps=10, batch_size=8)
    assert rec.calls[-1] == "exception:DivergenceError"
    last = load_checkpoint_file(tmp_path / "last.pt")
    assert last["step"] == 4
    for v in last["generator"]["state_dict"].values():
        assert torch.isfinite(v.float()).all()


def test_bf16_precision_and_grad_clip() -> None:
    G, D = models()
    trainer = Trainer(G, D, NSGAN(), precision="bf16", progress_bar=False)
    trainer.fit(torch.randn(32, 2), steps=2, batch_size=8)
    assert all(torch.isfinite(p).all() for p in G.parameters())

    G, D = models()
    before = [p.detach().clone() for p in G.parameters()]
    trainer = Trainer(
        G, D, NSGAN(), grad_clip=1e-3, progress_bar=False,
        g_optimizer=lambda p: torch.optim.SGD(p, lr=1.0),
        d_optimizer=lambda p: torch.optim.SGD(p, lr=1.0),
    )
    trainer.fit(torch.randn(32, 2), steps=1, batch_size=8)
    steps = [torch.linalg.vector_norm(p.detach() - b) for p, b in zip(G.parameters(), before)]
    moved = torch.linalg.vector_norm(torch.stack(steps))
    assert 0 < float(moved) <= 1e-3 + 1e-7


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"d_steps": 0}, "d_steps must be a positive int"),
        ({"precision": "fp8"}, "precision must be"),
        ({"precision": "fp16"}, "needs a CUDA device"),
        ({"noise": "cauchy"}, "noise must be"),
        ({"grad_clip": -1.0}, "grad_clip"),
        ({"callbacks": [object()]}, "Callback"),
        ({"device": "nonsense"}, "device must be"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    G, D = models()
    with pytest.raises((ValueError, TypeError), match=match):
        Trainer(G, D, NSGAN(), progress_bar=False, **kwargs)


def test_bad_fit_arguments() -> None:
    G, D = models()
    trainer = Trainer(G, D, NSGAN(), progress_bar=False)
    with pytest.raises(ValueError, match="needs steps=N or epochs=N"):
        trainer.fit(torch.randn(8, 2))
    with pytest.raises(ValueError, match="larger than the data set"):
        trainer.fit(torch.randn(8, 2), steps=1, batch_size=16)
    with pytest.raises(TypeError, match="DataLoader, a tensor"):
        trainer.fit([1, 2, 3], steps=1)
    with pytest.raises(TypeError, match=r"must be a gankit\.losses\.Loss"):
        Trainer(G, D, nn.BCELoss())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="latent_dim"):
        Trainer(nn.Linear(2, 2), D, NSGAN())
