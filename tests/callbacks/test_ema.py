from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from torch import nn

from gankit.callbacks import EMA


def generator() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def float_params(model: nn.Module) -> list[np.ndarray]:
    return [p.detach().double().numpy().copy() for p in model.parameters()]


def assert_same(a: nn.Module, b: nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


def run_script(ema: EMA, trainer, steps: int, seed: int = 1) -> list[list[np.ndarray]]:
    """Scripted generator updates: new random weights and BN statistics each step."""
    gen = torch.Generator().manual_seed(seed)
    seen = []
    for _ in range(steps):
        with torch.no_grad():
            for p in trainer.generator.parameters():
                p.copy_(torch.randn(p.shape, generator=gen))
            bn = trainer.generator[1]
            bn.running_mean.copy_(torch.randn(4, generator=gen))
            bn.num_batches_tracked += 1
        seen.append(float_params(trainer.generator))
        ema.on_generator_step_end(trainer, {"g_loss": 0.0})
        trainer.step += 1
    return seen


@pytest.mark.parametrize(("decay", "start_step", "every"), [(0.9, 0, 1), (0.5, 3, 2), (0.99, 0, 3)])
def test_matches_hand_computed_average(make_trainer, decay, start_step, every) -> None:
    trainer = make_trainer(generator())
    ema = EMA(decay=decay, start_step=start_step, every=every)
    ema.setup(trainer)
    assert trainer.ema_generator is ema.module
    reference = float_params(trainer.generator)  # the copy made in setup
    seen = run_script(ema, trainer, steps=8)
    updates = 0
    for step, theta in enumerate(seen, start=1):
        if step <= start_step:
            reference = [t.copy() for t in theta]
        elif step % every == 0:
            reference = [decay * r + (1 - decay) * t for r, t in zip(reference, theta, strict=True)]
            updates += 1
    for got, want in zip(float_params(ema.module), reference, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert ema.num_updates == updates
    bn, ema_bn = trainer.generator[1], ema.module[1]
    last_update = max(s for s in range(1, 9) if s <= start_step or s % every == 0)
    assert int(ema_bn.num_batches_tracked) == last_update  # buffers copied at each update
    if last_update == 8:
        assert torch.equal(ema_bn.running_mean, bn.running_mean)


def test_copy_is_frozen_and_separate(make_trainer) -> None:
    trainer = make_trainer(generator())
    EMA().setup(trainer)
    module = trainer.ema_generator
    assert not module.training
    assert all(not p.requires_grad for p in module.parameters())
    with torch.no_grad():
        trainer.generator[0].weight.add_(1.0)
    assert not torch.equal(module[0].weight, trainer.generator[0].weight)


def test_state_round_trip_continues_identically(make_trainer) -> None:
    trainer = make_trainer(generator())
    ema = EMA(decay=0.8)
    ema.setup(trainer)
    run_script(ema, trainer, steps=3, seed=1)
    buffer = io.BytesIO()
    torch.save(ema.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    assert state["num_updates"] == 3 and state["decay"] == 0.8

    # A fresh process: new trainer, new generator, new EMA; state loaded before setup.
    resumed_trainer = make_trainer(generator())
    resumed_trainer.generator.load_state_dict(trainer.generator.state_dict())
    resumed_trainer.step = trainer.step
    resumed = EMA(decay=0.8)
    resumed.load_state_dict(state)
    resumed.setup(resumed_trainer)
    assert_same(resumed.module, ema.module)
    run_script(ema, trainer, steps=2, seed=5)
    run_script(resumed, resumed_trainer, steps=2, seed=5)
    assert_same(resumed.module, ema.module)
    assert resumed.num_updates == ema.num_updates == 5


def test_errors(make_trainer) -> None:
    with pytest.raises(ValueError, match=r"decay must lie in \[0, 1\], got 1.5"):
        EMA(decay=1.5)
    with pytest.raises(TypeError, match="decay must be a number, got str"):
        EMA(decay="0.9")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start_step must be >= 0, got -1"):
        EMA(start_step=-1)
    with pytest.raises(ValueError, match="every must be a positive int"):
        EMA(every=0)
    trainer = make_trainer(generator())
    with pytest.raises(RuntimeError, match=r"EMA.setup\(trainer\) must run before training"):
        EMA().on_generator_step_end(trainer, {})
    ema = EMA()
    ema.setup(trainer)
    trainer.generator = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="no longer match the EMA copy"):
        ema.on_generator_step_end(trainer, {})
