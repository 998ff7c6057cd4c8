from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from gankit.callbacks import CollapseMonitor, ModeCollapseWarning


def mean_pairwise(x: np.ndarray) -> float:
    """Brute-force float64 mean distance over ordered pairs of distinct rows."""
    x = x.reshape(len(x), -1).astype(np.float64)
    n = len(x)
    total = sum(np.sqrt(((x[i] - x[j]) ** 2).sum()) for i in range(n) for j in range(n) if i != j)
    return total / (n * (n - 1))


class Constant(nn.Module):
    def __init__(self, value: Tensor) -> None:
        super().__init__()
        self.value = value

    def forward(self, z: Tensor) -> Tensor:
        return self.value.expand(z.shape[0], *self.value.shape)


def test_constant_generator_warns(make_trainer) -> None:
    torch.manual_seed(0)
    trainer = make_trainer(Constant(torch.tensor([0.3, -1.0])), last_real=torch.randn(64, 2))
    trainer.step = 500
    cb = CollapseMonitor(every=500, n=16)
    with pytest.warns(ModeCollapseWarning, match=r"mode collapse at step 500.*distance 0,"):
        cb.on_step_end(trainer, {})
    assert cb.last_diversity == 0.0 and cb.last_ratio == 0.0
    assert issubclass(ModeCollapseWarning, UserWarning)


def test_diverse_generator_does_not_warn_and_ratio_matches_reference(make_trainer) -> None:
    torch.manual_seed(0)
    real = torch.randn(40, 2)
    G = nn.Linear(4, 2)
    trainer = make_trainer(G, last_real=real)
    trainer.step = 10
    cb = CollapseMonitor(every=10, n=30, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ratio = cb.check(trainer)
    noise = torch.randn(30, 4, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        fake = G(noise).numpy()
    expected = mean_pairwise(fake) / mean_pairwise(real.numpy())
    assert ratio == pytest.approx(expected, rel=1e-9)
    assert cb.last_ratio == ratio and cb.last_diversity == pytest.approx(mean_pairwise(fake))
    assert ratio > 0.1


def test_first_check_is_the_reference_without_real_data(make_trainer) -> None:
    torch.manual_seed(0)
    G = nn.Linear(4, 3)
    trainer = make_trainer(G)
    cb = CollapseMonitor(every=5, n=20, threshold=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.step = 5
        cb.on_step_end(trainer, {})
        trainer.step = 7  # not a check step
        cb.on_step_end(trainer, {})
    assert cb.last_ratio == 1.0
    state = io.BytesIO()
    torch.save(cb.state_dict(), state)
    state.seek(0)

    resumed = CollapseMonitor(every=5, n=20, threshold=0.1)
    resumed.load_state_dict(torch.load(state, weights_only=True))
    assert resumed.reference == cb.reference
    with torch.no_grad():
        G.weight.mul_(0.05)  # the spread shrinks 20-fold
    trainer.step = 10
    with pytest.warns(ModeCollapseWarning, match="the samples at the first check"):
        resumed.on_step_end(trainer, {})
    assert resumed.last_ratio == pytest.approx(0.05, rel=1e-6)


def test_conditional_generator_gets_cycled_labels(make_trainer) -> None:
    seen = []

    class Conditional(nn.Module):
        def forward(self, z: Tensor, labels: Tensor) -> Tensor:
            seen.append(labels)
            return z + labels[:, None].float()

    trainer = make_trainer(Conditional(), num_classes=3, last_real=torch.randn(8, 4))
    trainer.step = 1
    CollapseMonitor(every=1, n=7).on_step_end(trainer, {})
    assert seen[0].tolist() == [0, 1, 2, 0, 1, 2, 0]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n must be >= 2"):
        CollapseMonitor(n=1)
    with pytest.raises(ValueError, match=r"threshold must lie in \(0, 1\], got 0"):
        CollapseMonitor(threshold=0)


def test_the_0_1_0_name_warns_and_is_the_monitor() -> None:
    import gankit.callbacks

    with pytest.warns(DeprecationWarning, match="CollapseWarning is now called CollapseMonitor"):
        old = gankit.callbacks.CollapseWarning
    assert old is CollapseMonitor


def test_the_0_1_0_module_paths_still_import() -> None:
    import importlib
    import sys

    sys.modules.pop("gankit.callbacks.collapse", None)
    with pytest.warns(DeprecationWarning, match="collapse is now .*collapse_monitor"):
        old = importlib.import_module("gankit.callbacks.collapse")
    with pytest.warns(DeprecationWarning, match="CollapseWarning is now called CollapseMonitor"):
        assert old.CollapseWarning is CollapseMonitor
    import gankit.callbacks.evaluation as evaluation
    import gankit.callbacks.metric_eval as metric_eval

    assert evaluation.ModeCoverageEval is metric_eval.ModeCoverageEval  # moved to metric_eval
