"""``compile=True`` trains to the same weights as eager mode (slow: compiling takes long)."""

from __future__ import annotations

import pytest
import torch

from gankit import NSGAN, MLPDiscriminator, MLPGenerator, Trainer


@pytest.mark.slow
def test_compiled_steps_match_eager_steps() -> None:
    results = []
    for compile_ in (False, True):
        torch.manual_seed(0)
        G = MLPGenerator(2, (2,), hidden=(16,), norm_layer=None)
        D = MLPDiscriminator((2,), hidden=(16,))
        trainer = Trainer(G, D, NSGAN(), seed=1, compile=compile_, progress_bar=False)
        trainer.fit(torch.randn(64, 2, generator=torch.Generator().manual_seed(2)), steps=4,
                    batch_size=16)
        results.append([p.detach().clone() for p in G.parameters()])
    for eager, compiled in zip(*results):
        torch.testing.assert_close(compiled, eager, rtol=1e-4, atol=1e-5)
