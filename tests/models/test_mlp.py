"""MLPGenerator and MLPDiscriminator: the seed material's recipes, maxout, packing."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from gankit.models import Maxout, MLPDiscriminator, MLPGenerator


def kinds(model: nn.Module) -> list[str]:
    return [type(m).__name__ for m in model.net] if hasattr(model, "net") else [
        type(m).__name__ for m in model.features
    ]


def test_default_generator_is_the_seed_vanilla_generator() -> None:
    g = MLPGenerator(128, (3, 32, 32))
    assert kinds(g) == [
        "Linear", "ReLU",
        "Linear", "BatchNorm1d", "ReLU",
        "Linear", "BatchNorm1d", "ReLU",
        "Linear", "BatchNorm1d", "ReLU",
        "Linear", "Tanh",
    ]
    linears = [m for m in g.net if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (128, 256), (256, 512), (512, 1024), (1024, 2048), (2048, 3 * 32 * 32)
    ]
    # Layers followed by batch norm carry no (redundant) bias.
    assert [m.bias is not None for m in linears] == [True, False, False, False, True]


def test_pacgan_generator_normalises_every_hidden_layer() -> None:
    g = MLPGenerator(2, (2,), hidden=(400,) * 4, first_layer_norm=True, output_activation=None)
    assert kinds(g) == ["Linear", "BatchNorm1d", "ReLU"] * 4 + ["Linear"]
    assert g(torch.randn(4, 2)).shape == (4, 2)


def test_linear_generator_is_exactly_affine() -> None:
    torch.manual_seed(0)
    g = MLPGenerator(2, (2,), hidden=(), output_activation=None, init="dcgan")
    (layer,) = g.net
    z = torch.randn(50, 2, dtype=torch.float64)
    w = layer.weight.detach().double().numpy()
    b = layer.bias.detach().double().numpy()
    expected = z.numpy() @ w.T + b
    np.testing.assert_allclose(g.double()(z).detach().numpy(), expected, rtol=1e-12)
    assert g(torch.full((1, 2), 1e3, dtype=torch.float64)).abs().max() > 1  # no tanh


def test_generator_reshapes_to_out_shape_in_row_major_order() -> None:
    torch.manual_seed(0)
    g = MLPGenerator(3, (2, 3, 4), hidden=(5,), norm_layer=None).eval()
    z = torch.randn(4, 3)
    flat = g.net(z)
    torch.testing.assert_close(g(z), flat.reshape(4, 2, 3, 4))


def test_generator_output_activation_is_configurable() -> None:
    torch.manual_seed(0)
    g = MLPGenerator(4, (5,), hidden=(8,), output_activation="sigmoid")
    x = g(torch.randn(16, 4))
    assert isinstance(g.net[-1], nn.Sigmoid)
    assert x.min() > 0 and x.max() < 1


def test_d2l_discriminator_is_expressible() -> None:
    d = MLPDiscriminator((2,), hidden=(5, 3), act_layer=nn.Tanh)
    assert kinds(d) == ["Linear", "Tanh", "Linear", "Tanh"]
    assert (d.head.linear.in_features, d.head.linear.out_features) == (3, 1)
    assert d(torch.randn(8, 2)).shape == (8,)


def test_seed_vanilla_discriminator_layers() -> None:
    d = MLPDiscriminator((3, 32, 32), act_layer=nn.ReLU)
    linears = [m for m in d.features if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (3072, 1024), (1024, 512), (512, 256)
    ]
    assert kinds(d).count("ReLU") == 3
    assert not any(isinstance(m, nn.Sigmoid) for m in d.modules())


def test_goodfellow_maxout_discriminator_with_dropout() -> None:
    d = MLPDiscriminator((784,), hidden=(240, 240), maxout_pieces=5, input_dropout=0.2,
                         dropout=0.5)
    assert kinds(d) == ["Dropout", "Maxout", "Dropout", "Maxout", "Dropout"]
    maxouts = [m for m in d.features if isinstance(m, Maxout)]
    assert [(m.in_features, m.out_features, m.pieces) for m in maxouts] == [
        (784, 240, 5), (240, 240, 5)
    ]
    assert [m.p for m in d.features if isinstance(m, nn.Dropout)] == [0.2, 0.5, 0.5]
    d.eval()
    x = torch.randn(3, 784)
    torch.testing.assert_close(d(x), d(x))  # dropout is off in eval mode


def test_layer_norm_critic_has_no_batch_norm() -> None:
    d = MLPDiscriminator((2,), hidden=(8, 8, 8), norm_layer=nn.LayerNorm)
    assert kinds(d) == ["Linear", "LeakyReLU", "Linear", "LayerNorm", "LeakyReLU",
                        "Linear", "LayerNorm", "LeakyReLU"]
    assert not any(isinstance(m, nn.BatchNorm1d) for m in d.modules())
    assert d.features[1].negative_slope == 0.2


@pytest.mark.parametrize("pack", [2, 3])
def test_pack_concatenates_consecutive_samples(pack: int) -> None:
    torch.manual_seed(0)
    packed = MLPDiscriminator((2, 3), hidden=(7, 5), pack=pack).eval()
    unpacked = MLPDiscriminator((pack * 6,), hidden=(7, 5)).eval()
    unpacked.load_state_dict(packed.state_dict())
    x = torch.randn(4 * pack, 2, 3)
    # Pack j holds samples pack*j, ..., pack*j + pack - 1, flattened and concatenated.
    manual = torch.stack([
        torch.cat([x[pack * j + i].flatten() for i in range(pack)]) for j in range(4)
    ])
    assert packed.pack == pack
    out = packed(x)
    assert out.shape == (4,)
    torch.testing.assert_close(out, unpacked(manual))


def test_pack_needs_a_divisible_batch_and_no_labels() -> None:
    d = MLPDiscriminator((2,), hidden=(4,), pack=3)
    with pytest.raises(ValueError, match=r"x has 7 samples, which is not divisible by pack=3"):
        d(torch.randn(7, 2))
    with pytest.raises(ValueError, match=r"pack=2 cannot be combined with num_classes=4"):
        MLPDiscriminator((2,), pack=2, num_classes=4)


def test_constructor_arguments_are_validated() -> None:
    with pytest.raises(ValueError, match=r"maxout_pieces must be None or at least 2, got 1"):
        MLPDiscriminator((2,), maxout_pieces=1)
    with pytest.raises(ValueError, match=r"dropout must lie in \[0, 1\), got 1.0"):
        MLPDiscriminator((2,), dropout=1.0)
    with pytest.raises(TypeError, match=r"pack must be a positive int, got float 2.0"):
        MLPDiscriminator((2,), pack=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"in_shape must have at least one dimension"):
        MLPDiscriminator(())
    with pytest.raises(ValueError, match=r"each size in hidden must be a positive int"):
        MLPGenerator(2, (2,), hidden=(4, 0))
    with pytest.raises(TypeError, match=r"latent_dim must be a positive int, got bool"):
        MLPGenerator(True, (2,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"embed_dim=4 needs num_classes"):
        MLPGenerator(2, (2,), embed_dim=4)
    with pytest.raises(ValueError, match=r"unknown norm_layer 'instance_norm'; registered names: "
                                         r"\['batch_norm', 'layer_norm'\]"):
        MLPGenerator(2, (2,), norm_layer="instance_norm")
    with pytest.raises(TypeError, match=r"norm_layer must be one of the names .* or one of the "
                                        r"types \['BatchNorm1d', 'LayerNorm'\], got .*BatchNorm2d"):
        MLPDiscriminator((2,), norm_layer=nn.BatchNorm2d)
