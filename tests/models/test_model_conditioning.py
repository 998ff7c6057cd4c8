"""Class conditioning: label codes for generators, projection discriminators."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator


@pytest.mark.parametrize("make", [
    lambda: MLPDiscriminator((2, 4), hidden=(8, 6), num_classes=5, init="xavier"),
    lambda: DCGANDiscriminator((2, 8, 8), base_channels=3, num_classes=5),
], ids=["mlp", "dcgan"])
def test_projection_discriminator_formula(make) -> None:  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    d = make().double().eval()
    with torch.no_grad():
        nn.init.normal_(d.head.embedding.weight)  # make the projection term visible
    x = torch.randn(10, *d.in_shape, dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 3, 4, 4, 3, 2, 1, 0])
    phi = d.features(x.reshape(10, -1) if isinstance(d, MLPDiscriminator) else x)
    phi = phi.detach().numpy()
    w = d.head.linear.weight.detach().numpy()[0]
    b = d.head.linear.bias.item()
    e = d.head.embedding.weight.detach().numpy()
    # Miyato & Koyama: D(x, y) = w . phi(x) + b + <e_y, phi(x)>.
    expected = phi @ w + b + np.einsum("nf,nf->n", e[labels.numpy()], phi)
    np.testing.assert_allclose(d(x, labels).detach().numpy(), expected, rtol=1e-10)
    # Changing only the label changes the logit by <e_y' - e_y, phi(x)>.
    shifted = (labels + 1) % 5
    diff = (d(x, shifted) - d(x, labels)).detach().numpy()
    np.testing.assert_allclose(
        diff, np.einsum("nf,nf->n", e[shifted.numpy()] - e[labels.numpy()], phi), atol=1e-10
    )


def test_generator_concatenates_the_one_hot_label_by_default() -> None:
    torch.manual_seed(0)
    g = MLPGenerator(3, (4,), hidden=(6,), norm_layer=None, num_classes=5).eval()
    assert g.net[0].in_features == 3 + 5
    z = torch.randn(4, 3)
    labels = torch.tensor([4, 0, 2, 2])
    expected = g.net(torch.cat([z, F.one_hot(labels, 5).float()], dim=1))
    torch.testing.assert_close(g(z, labels), expected)


@pytest.mark.parametrize("cls", [MLPGenerator, DCGANGenerator])
def test_generator_with_a_learned_embedding(cls: type[nn.Module]) -> None:
    torch.manual_seed(0)
    g = cls(3, (1, 8, 8), num_classes=5, embed_dim=7).eval()
    assert g.label_code.embedding.weight.shape == (5, 7)
    z = torch.randn(4, 3)
    labels = torch.tensor([4, 0, 2, 2])
    code = g.label_code.embedding.weight[labels]
    joint = torch.cat([z, code], dim=1)
    expected = g.net(joint if cls is MLPGenerator else joint[:, :, None, None])
    torch.testing.assert_close(g(z, labels), expected.reshape(4, 1, 8, 8))


def test_unconditional_models_have_no_label_parameters() -> None:
    g = MLPGenerator(3, (4,), hidden=(6,))
    d = DCGANDiscriminator((1, 8, 8), base_channels=4)
    assert g.label_code is None and d.head.embedding is None
    assert g.net[0].in_features == 3


def test_projection_term_starts_on_the_scale_of_the_linear_head() -> None:
    torch.manual_seed(0)
    d = MLPDiscriminator((2,), hidden=(256,), num_classes=10)  # PyTorch's default init
    bound = 1 / 256**0.5
    embedding = d.head.embedding.weight.detach()
    assert embedding.abs().max() <= bound
    assert embedding.std().item() == pytest.approx(d.head.linear.weight.std().item(), rel=0.1)
