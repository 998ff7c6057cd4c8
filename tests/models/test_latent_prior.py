"""The latent prior: one object that the trainer draws from and the generator can require."""

from __future__ import annotations

import math

import pytest
import torch

from gankit import Trainer
from gankit.losses import NSGAN
from gankit.models import (
    LatentPrior,
    MLPDiscriminator,
    MLPGenerator,
    NormalPrior,
    UniformPrior,
    latent_prior,
)


def test_moments_match_the_closed_forms() -> None:
    gen = torch.Generator().manual_seed(0)
    n = 200_000
    normal = NormalPrior().sample(n, 3, generator=gen).double()
    uniform = UniformPrior().sample(n, 3, generator=gen).double()
    # N(0, 1): mean 0, variance 1. U[-1, 1]: mean 0, variance (b - a)^2 / 12 = 1/3.
    se = 5 / math.sqrt(n)
    assert normal.mean(0).abs().max() < se and (normal.var(0) - 1).abs().max() < 5 * se
    assert uniform.mean(0).abs().max() < se and (uniform.var(0) - 1 / 3).abs().max() < 5 * se
    assert uniform.min() >= -1 and uniform.max() <= 1


def test_names_resolve_and_junk_is_refused() -> None:
    assert latent_prior("normal") == NormalPrior() and latent_prior("uniform") == UniformPrior()
    custom = UniformPrior()
    assert latent_prior(custom) is custom
    with pytest.raises(ValueError, match=r"noise must be one of \['normal', 'uniform'\] or a "
                       r"gankit.models.LatentPrior, got 'gaussian'"):
        latent_prior("gaussian")
    with pytest.raises(NotImplementedError):
        LatentPrior().sample(2, 2)


def _models(components: int | None = None) -> tuple[MLPGenerator, MLPDiscriminator]:
    torch.manual_seed(0)
    return (MLPGenerator(3, (2,), hidden=(8,), latent_components=components),
            MLPDiscriminator((2,), hidden=(8,)))


def test_a_learned_mixture_refuses_uniform_noise() -> None:
    g, d = _models(components=4)
    assert g.latent_prior == NormalPrior()
    with pytest.raises(ValueError, match="the generator expects normal latent noise"):
        Trainer(g, d, NSGAN(), noise="uniform", progress_bar=False)
    assert Trainer(g, d, NSGAN(), progress_bar=False).noise == "normal"


def test_a_prior_object_trains_as_its_name_does() -> None:
    data = torch.randn(64, 2, generator=torch.Generator().manual_seed(1))
    weights = []
    for noise in ("uniform", UniformPrior()):
        g, d = _models()
        trainer = Trainer(g, d, NSGAN(), noise=noise, seed=0, progress_bar=False)
        assert trainer.noise == "uniform"
        trainer.fit(data, steps=3, batch_size=16)
        weights.append([p.detach().clone() for p in trainer.generator.parameters()])
    for a, b in zip(*weights, strict=True):
        assert torch.equal(a, b)
    z = Trainer(*_models(), NSGAN(), noise="uniform", progress_bar=False).sample_noise(500)
    assert z.shape == (500, 3) and z.min() >= -1 and z.max() <= 1
