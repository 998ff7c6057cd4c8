"""LatentMixture (DeLiGAN's learned mixture latent) against float64 references."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest
import torch

from gankit.models import LatentMixture, MLPGenerator


def test_component_of_hand_placed_selectors() -> None:
    k = 5
    mix = LatentMixture(2, components=k)
    # z1 at the normal quantile of the middle of each of the K equal-probability bins.
    quantiles = [NormalDist().inv_cdf((i + 0.5) / k) for i in range(k)]
    z = torch.tensor([[q, 0.0] for q in quantiles] + [[-40.0, 0.0], [40.0, 0.0]])
    assert mix.component(z).tolist() == [0, 1, 2, 3, 4, 0, 4]


def test_components_are_equally_likely_under_normal_noise() -> None:
    k, n = 8, 80_000
    mix = LatentMixture(3, components=k)
    z = torch.randn(n, 3, generator=torch.Generator().manual_seed(0))
    counts = np.bincount(mix.component(z).numpy(), minlength=k)
    # Each count is Binomial(n, 1/K): sd = sqrt(n (1/K)(1 - 1/K)) ~ 94; allow 5 sd.
    assert np.abs(counts - n / k).max() < 5 * np.sqrt(n / k * (1 - 1 / k))


def test_forward_matches_a_float64_numpy_reference() -> None:
    torch.manual_seed(0)
    mix = LatentMixture(4, components=6, init_scale=0.3).double()
    with torch.no_grad():
        mix.log_scale.normal_(0.0, 0.5)
    z = torch.randn(50, 4, dtype=torch.float64)
    zn = z.numpy()
    u = np.array([NormalDist().cdf(v) for v in zn[:, 0]])
    k = np.minimum((u * 6).astype(np.int64), 5)
    mean, log_scale = mix.mean.detach().numpy(), mix.log_scale.detach().numpy()
    expected = mean[k] + np.exp(log_scale[k]) * zn[:, 1:]
    np.testing.assert_allclose(mix(z).detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(LatentMixture(2, 3, init_scale=0.3).log_scale.exp().detach().numpy(),
                               0.3, rtol=1e-6)


def test_only_the_chosen_components_get_gradients() -> None:
    mix = LatentMixture(2, components=4)
    z = torch.tensor([[-9.0, 1.0], [-9.0, 2.0], [9.0, -1.0]])  # components 0, 0 and 3
    mix(z).sum().backward()
    # d/d mean = 1 per sample; d/d log_scale = exp(s) * z2 per sample.
    torch.testing.assert_close(mix.mean.grad, torch.tensor([[2.0], [0.0], [0.0], [1.0]]))
    scale = mix.log_scale.detach().exp()
    torch.testing.assert_close(
        mix.log_scale.grad, torch.tensor([[3.0], [0.0], [0.0], [-1.0]]) * scale
    )


def test_generator_with_a_mixture_latent() -> None:
    g = MLPGenerator(3, (2,), hidden=(8,), latent_components=4, output_activation=None)
    assert g.latent_mixture is not None and g.latent_mixture.components == 4
    assert g.net[0].in_features == 2  # the selector coordinate is consumed
    assert g(torch.randn(5, 3)).shape == (5, 2)
    assert g.get_config()["latent_components"] == 4
    # Two latents in the same component differ only through the component's noise.
    z = torch.tensor([[-9.0, 0.0, 0.0], [-9.0, 0.0, 0.0], [9.0, 0.0, 0.0]])
    out = g(z)
    torch.testing.assert_close(out[0], out[1])
    with pytest.raises(ValueError, match="latent_dim must be at least 2"):
        MLPGenerator(1, (2,), latent_components=3)
    with pytest.raises(ValueError, match="latent_components must be a positive int"):
        MLPGenerator(3, (2,), latent_components=0)
    # The scale is checked even without a mixture, so a typo in a config is not kept silently.
    with pytest.raises(ValueError, match="latent_init_scale must be a finite number > 0"):
        MLPGenerator(3, (2,), latent_init_scale=-0.1)
    with pytest.raises(TypeError, match="latent_init_scale must be a finite number > 0, got str"):
        MLPGenerator(3, (2,), latent_components=2, latent_init_scale="0.1")  # type: ignore[arg-type]


def test_bad_arguments_and_inputs() -> None:
    with pytest.raises(ValueError, match="latent_dim must be at least 2"):
        LatentMixture(1, 3)
    with pytest.raises(TypeError, match="components must be a positive int"):
        LatentMixture(2, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="components must be a positive int"):
        LatentMixture(2, 0)
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="init_scale must be a finite number > 0"):
            LatentMixture(2, 3, init_scale=bad)
    with pytest.raises(ValueError, match=r"z"):
        LatentMixture(3, 2)(torch.randn(4, 2))
