"""DCGANGenerator and DCGANDiscriminator: Radford et al.'s rules, sizes, packing."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gankit.models import DCGANDiscriminator, DCGANGenerator

CONVS = (nn.Conv2d, nn.ConvTranspose2d)


def sequence(model: nn.Module) -> list[nn.Module]:
    return list(model.net if isinstance(model, DCGANGenerator) else model.features)


def test_generator_follows_the_dcgan_rules() -> None:
    g = DCGANGenerator(100, (3, 64, 64))
    layers = sequence(g)
    convs = [m for m in layers if isinstance(m, nn.ConvTranspose2d)]
    # The PyTorch DCGAN example's generator: 100 -> 512 -> 256 -> 128 -> 64 -> 3.
    assert [(m.in_channels, m.out_channels) for m in convs] == [
        (100, 512), (512, 256), (256, 128), (128, 64), (64, 3)
    ]
    assert [m.stride for m in convs] == [(1, 1)] + [(2, 2)] * 4
    # Batch norm after every convolution but the output one, then ReLU; tanh at the end.
    for i, conv in enumerate(convs[:-1]):
        at = layers.index(conv)
        assert isinstance(layers[at + 1], nn.BatchNorm2d), i
        assert isinstance(layers[at + 2], nn.ReLU), i
        assert conv.bias is None
    assert isinstance(layers[-1], nn.Tanh)
    assert isinstance(layers[-2], nn.ConvTranspose2d) and layers[-2].bias is not None
    assert not any("Pool" in type(m).__name__ for m in g.modules())


def test_discriminator_follows_the_dcgan_rules() -> None:
    d = DCGANDiscriminator((3, 64, 64))
    layers = sequence(d)
    convs = [m for m in layers if isinstance(m, nn.Conv2d)]
    assert [(m.in_channels, m.out_channels) for m in convs] == [
        (3, 64), (64, 128), (128, 256), (256, 512)
    ]
    assert all(m.stride == (2, 2) for m in convs)
    # No norm on the input layer, batch norm on the others, LeakyReLU(0.2) everywhere.
    assert isinstance(layers[1], nn.LeakyReLU)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in layers) == 3
    assert all(m.negative_slope == 0.2 for m in layers if isinstance(m, nn.LeakyReLU))
    assert d.head.linear.in_features == 512 * 4 * 4
    assert not any("Pool" in type(m).__name__ or isinstance(m, nn.Sigmoid) for m in d.modules())


def test_mnist_size_starts_from_seven_by_seven() -> None:
    g = DCGANGenerator(100, (1, 28, 28))
    convs = [m for m in sequence(g) if isinstance(m, nn.ConvTranspose2d)]
    assert convs[0].kernel_size == (7, 7)
    assert [m.out_channels for m in convs] == [128, 64, 1]  # the Keras tutorial's widths
    d = DCGANDiscriminator((1, 28, 28))
    assert d.head.linear.in_features == 128 * 7 * 7


@pytest.mark.parametrize("size", [0, 4, 7, 12, 20, 30, 48, 100])
def test_unsupported_sizes_are_refused_with_the_supported_list(size: int) -> None:
    message = (rf"spatial size {size}, which the DCGAN models do not support; supported "
               r"square sizes are 4·2\^k or 7·2\^k with k >= 1, i\.e\. 8, 14, 16, 28, 32")
    if size == 0:
        message = r"each size in out_shape must be a positive int \(>= 1\), got 0"
    with pytest.raises(ValueError, match=message):
        DCGANGenerator(8, (3, size, size))
    with pytest.raises(ValueError, match=message.replace("out_shape", "in_shape")):
        DCGANDiscriminator((3, size, size))


def test_non_square_and_non_image_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"out_shape must be a square image shape \(C, H, W\) "
                                         r"with H == W, got \(3, 32, 16\)"):
        DCGANGenerator(8, (3, 32, 16))
    with pytest.raises(ValueError, match=r"in_shape must be a square image .* got \(32, 32\)"):
        DCGANDiscriminator((32, 32))


@pytest.mark.parametrize(("norm", "expected"), [
    (None, None), ("layer_norm", nn.GroupNorm), (nn.LayerNorm, nn.GroupNorm),
    ("instance_norm", nn.InstanceNorm2d),
])
def test_critic_norm_replaces_batch_norm(norm: object, expected: type | None) -> None:
    d = DCGANDiscriminator((1, 32, 32), base_channels=4, norm_layer=norm)  # type: ignore[arg-type]
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())
    norms = [m for m in d.features if isinstance(m, (nn.GroupNorm, nn.InstanceNorm2d))]
    convs = [m for m in d.features if isinstance(m, nn.Conv2d)]
    if expected is None:
        assert norms == [] and all(c.bias is not None for c in convs)
    else:
        assert len(norms) == 2 and all(type(m) is expected for m in norms)
        assert all(m.num_groups == 1 for m in norms if isinstance(m, nn.GroupNorm))


def test_dropout_follows_every_activation() -> None:
    d = DCGANDiscriminator((1, 16, 16), base_channels=4, dropout=0.3)
    names = [type(m).__name__ for m in d.features]
    assert names == ["Conv2d", "LeakyReLU", "Dropout", "Conv2d", "BatchNorm2d", "LeakyReLU",
                     "Dropout", "Flatten"]


def test_pack_stacks_consecutive_images_along_channels() -> None:
    torch.manual_seed(0)
    packed = DCGANDiscriminator((2, 16, 16), base_channels=4, pack=2).eval()
    unpacked = DCGANDiscriminator((4, 16, 16), base_channels=4).eval()
    unpacked.load_state_dict(packed.state_dict())
    x = torch.randn(6, 2, 16, 16)
    manual = torch.stack([torch.cat([x[2 * j], x[2 * j + 1]], dim=0) for j in range(3)])
    out = packed(x)
    assert out.shape == (3,)
    torch.testing.assert_close(out, unpacked(manual))
    with pytest.raises(ValueError, match=r"x has 5 samples, which is not divisible by pack=2"):
        packed(x[:5])


def test_conditional_generator_uses_its_labels() -> None:
    torch.manual_seed(0)
    g = DCGANGenerator(4, (1, 8, 8), base_channels=4, num_classes=5).eval()
    z = torch.randn(1, 4).repeat(5, 1)
    x = g(z, torch.arange(5))
    # The same latent code under different labels gives different images.
    assert torch.pdist(x.flatten(1)).min() > 0
