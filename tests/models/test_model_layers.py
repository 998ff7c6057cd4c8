"""Layer registries: names and types accepted, what they build, and the errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gankit.models import DCGANDiscriminator, MLPDiscriminator, MLPGenerator
from gankit.models._layers import (
    ACTIVATIONS,
    make_activation,
    make_norm,
    resolve_activation,
    resolve_norm,
)


@pytest.mark.parametrize(("layer", "name"), [
    (nn.ReLU, "relu"), (nn.LeakyReLU, "leaky_relu"), (nn.Tanh, "tanh"), ("elu", "elu"),
    (nn.GELU, "gelu"), (nn.SiLU, "silu"), (nn.Sigmoid, "sigmoid"),
])
def test_activation_types_and_names_resolve_to_the_same_layer(layer: object, name: str) -> None:
    assert resolve_activation(layer) == name  # type: ignore[arg-type]
    built = make_activation(name)
    x = torch.linspace(-3, 3, 13)
    reference = (nn.LeakyReLU(0.2) if name == "leaky_relu" else ACTIVATIONS[name]())(x)
    torch.testing.assert_close(built(x), reference)


def test_leaky_relu_uses_the_gan_slope() -> None:
    assert make_activation("leaky_relu")(torch.tensor([-1.0])).item() == pytest.approx(-0.2)
    g = MLPGenerator(2, (2,), hidden=(3,), act_layer=nn.LeakyReLU)
    assert g.net[1].negative_slope == 0.2


def test_unknown_or_unregistered_layers_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown act_layer 'swish'; registered names: "
                                         r"\['elu', 'gelu', 'leaky_relu', 'relu'"):
        MLPDiscriminator((2,), act_layer="swish")
    with pytest.raises(TypeError, match=r"act_layer must be one of the names .* or one of the "
                                        r"types .*'ReLU'.*got <class .*Softplus'>"):
        MLPDiscriminator((2,), act_layer=nn.Softplus)
    with pytest.raises(TypeError, match=r"output_activation must be one of the names.*got "
                                        r"ReLU\(\)"):
        MLPGenerator(2, (2,), output_activation=nn.ReLU())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"types \['BatchNorm2d', 'InstanceNorm2d', 'LayerNorm'\]"
                                        r", got <class .*GroupNorm'>"):
        DCGANDiscriminator((1, 8, 8), norm_layer=nn.GroupNorm)


def test_norms_resolve_per_kind() -> None:
    assert resolve_norm(nn.BatchNorm1d, "1d") == resolve_norm(nn.BatchNorm2d, "2d") == "batch_norm"
    assert resolve_norm(nn.LayerNorm, "2d") == "layer_norm"
    assert resolve_norm(None, "2d") is None
    assert isinstance(make_norm("batch_norm", 4, "1d"), nn.BatchNorm1d)
    assert isinstance(make_norm("batch_norm", 4, "2d"), nn.BatchNorm2d)
    assert isinstance(make_norm("layer_norm", 4, "1d"), nn.LayerNorm)
    instance = make_norm("instance_norm", 4, "2d")
    assert isinstance(instance, nn.InstanceNorm2d) and instance.affine


def test_image_layer_norm_normalises_over_channels_and_space() -> None:
    torch.manual_seed(0)
    x = torch.randn(3, 4, 5, 5) * 3 + 2
    norm = make_norm("layer_norm", 4, "2d")
    # With its initial scale 1 and shift 0 it equals layer norm over (C, H, W).
    torch.testing.assert_close(norm(x), F.layer_norm(x, (4, 5, 5)), rtol=1e-5, atol=1e-5)
