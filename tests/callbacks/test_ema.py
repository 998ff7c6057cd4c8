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


def running_mean(model: nn.Module) -> np.ndarray:
    return model[1].running_mean.detach().double().numpy().copy()


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
        seen.append([*float_params(trainer.generator), running_mean(trainer.generator)])
        ema.on_generator_step_end(trainer, {"g/loss": 0.0})
        trainer.step += 1
    return seen


@pytest.mark.parametrize(("decay", "start_step", "every"), [(0.9, 0, 1), (0.5, 3, 2), (0.99, 0, 3)])
@pytest.mark.parametrize("buffers", ["average", "copy"])
def test_matches_hand_computed_average(make_trainer, decay, start_step, every, buffers) -> None:
    trainer = make_trainer(generator())
    ema = EMA(decay=decay, start_step=start_step, every=every, buffers=buffers)
    ema.setup(trainer)
    assert trainer.ema_generator is ema.module
    # The copy made in setup: parameters, then BatchNorm's running mean.
    reference = [*float_params(trainer.generator), running_mean(trainer.generator)]
    seen = run_script(ema, trainer, steps=8)
    updates = 0
    for step, theta in enumerate(seen, start=1):
        if step <= start_step:
            reference = [t.copy() for t in theta]
        elif step % every == 0:
            averaged = [decay * r + (1 - decay) * t for r, t in zip(reference, theta, strict=True)]
            # "copy" takes the latest statistics; "average" averages them like the weights.
            reference = averaged if buffers == "average" else [*averaged[:-1], theta[-1]]
            updates += 1
    got = [*float_params(ema.module), running_mean(ema.module)]
    for g, want in zip(got, reference, strict=True):
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)
    assert ema.num_updates == updates
    last_update = max(s for s in range(1, 9) if s <= start_step or s % every == 0)
    # The integer counter is copied at each update, whichever way the statistics go.
    assert int(ema.module[1].num_batches_tracked) == last_update


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
    # What a checkpoint holds: the callback's state, and the weights once, as the trainer's.
    torch.save({"state": ema.state_dict(), "weights": trainer.ema_generator.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    assert saved["state"] == {"decay": 0.8, "num_updates": 3}  # no second copy of the weights

    # A fresh process: new trainer, new generator, new EMA; state loaded after setup.
    resumed_trainer = make_trainer(generator())
    resumed_trainer.generator.load_state_dict(trainer.generator.state_dict())
    resumed_trainer.step = trainer.step
    resumed = EMA(decay=0.8)
    resumed.setup(resumed_trainer)
    resumed_trainer.ema_generator.load_state_dict(saved["weights"])
    resumed.load_state_dict(saved["state"])
    assert_same(resumed.module, ema.module)
    run_script(ema, trainer, steps=2, seed=5)
    run_script(resumed, resumed_trainer, steps=2, seed=5)
    assert_same(resumed.module, ema.module)
    assert resumed.num_updates == ema.num_updates == 5


def test_a_0_1_0_state_with_the_weights_still_loads(make_trainer) -> None:
    trainer = make_trainer(generator())
    old = EMA(decay=0.8)
    old.setup(trainer)
    run_script(old, trainer, steps=3, seed=1)
    state = {"decay": 0.8, "num_updates": 3, "module": old.module.state_dict()}
    resumed = EMA(decay=0.8)
    resumed.load_state_dict(state)  # before setup, as a 0.1.0 checkpoint was read
    resumed.setup(make_trainer(generator()))
    assert_same(resumed.module, old.module)
    assert resumed.num_updates == 3


def test_errors(make_trainer) -> None:
    with pytest.raises(ValueError, match=r"decay must lie in \[0, 1\], got 1.5"):
        EMA(decay=1.5)
    with pytest.raises(TypeError, match="decay must be a number, got str"):
        EMA(decay="0.9")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start_step must be >= 0, got -1"):
        EMA(start_step=-1)
    with pytest.raises(ValueError, match="every must be a positive int"):
        EMA(every=0)
    with pytest.raises(ValueError, match="buffers must be 'average' or 'copy', got 'mean'"):
        EMA(buffers="mean")
    trainer = make_trainer(generator())
    with pytest.raises(RuntimeError, match=r"EMA.setup\(trainer\) must run before training"):
        EMA().on_generator_step_end(trainer, {})
    ema = EMA()
    ema.setup(trainer)
    trainer.generator = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="no longer match the EMA copy"):
        ema.on_generator_step_end(trainer, {})


def test_a_checkpoint_holds_the_average_once_and_load_generator_reads_it(tmp_path) -> None:
    from gankit import Trainer, load_generator
    from gankit.losses import NSGAN
    from gankit.models import MLPDiscriminator, MLPGenerator
    from gankit.training import load_checkpoint_file

    torch.manual_seed(0)
    g = MLPGenerator(2, (2,), hidden=(8,), norm_layer=nn.BatchNorm1d)
    trainer = Trainer(g, MLPDiscriminator((2,), hidden=(8,)), NSGAN(), seed=0,
                      progress_bar=False, callbacks=[EMA(decay=0.5)])
    trainer.fit(torch.randn(64, 2), steps=3, batch_size=16)
    path = trainer.save_checkpoint(tmp_path / "ckpt.pt")
    ckpt = load_checkpoint_file(path)
    assert ckpt["callbacks"]["EMA"] == {"decay": 0.5, "num_updates": 3}
    for key, value in trainer.ema_generator.state_dict().items():
        assert torch.equal(ckpt["ema_generator"][key], value), key
    loaded = load_generator(path)
    z = torch.randn(5, 2)
    with torch.no_grad():
        assert torch.equal(loaded.eval()(z), trainer.sample(5, noise=z))
