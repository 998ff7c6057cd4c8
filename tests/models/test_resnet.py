"""ResNetGenerator and ResNetDiscriminator: SNGAN's layout, blocks, projection, spectral norm."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from gankit.models import ConditionalBatchNorm2d, ResNetDiscriminator, ResNetGenerator
from gankit.models._resnet_blocks import DiscriminatorBlock, GeneratorBlock, OptimizedBlock

SIZES = (28, 32, 64)
K = 4


def side_after_each_block(model: nn.Module, x: torch.Tensor, labels: torch.Tensor | None
                          ) -> list[int]:
    sides: list[int] = []
    hooks = [b.register_forward_hook(lambda m, a, out: sides.append(out.shape[-1]))
             for b in model.blocks]
    model(x, labels)
    for hook in hooks:
        hook.remove()
    return sides


@pytest.mark.parametrize(("size", "sides"), [(28, [14, 28]), (32, [8, 16, 32]),
                                             (64, [8, 16, 32, 64]), (8, [8])])
def test_generator_doubles_from_the_start_size(size: int, sides: list[int]) -> None:
    g = ResNetGenerator(6, (3, size, size), base_channels=8)
    start = 7 if size == 28 else 4
    assert g.linear.out_features == 8 * start * start and g.linear.bias is None
    assert side_after_each_block(g, torch.randn(2, 6), None) == sides
    assert all(isinstance(b, GeneratorBlock) for b in g.blocks)
    assert [type(m).__name__ for m in g.output] == ["BatchNorm2d", "ReLU", "Conv2d", "Tanh"]
    assert g.output[2].kernel_size == (3, 3) and g.output[2].bias is not None


@pytest.mark.parametrize(("size", "sides", "downs"), [
    (32, [16, 8, 8, 8], [True, False, False]),  # SNGAN's CIFAR-10 D (Miyato et al. 2018)
    (28, [14, 14, 14], [False, False]),
    (64, [32, 16, 8, 8, 8], [True, True, False, False]),
    (8, [4, 4, 4], [False, False]),
])
def test_discriminator_halves_down_to_eight_then_keeps_the_size(
        size: int, sides: list[int], downs: list[bool]) -> None:
    d = ResNetDiscriminator((3, size, size), base_channels=8)
    assert isinstance(d.blocks[0], OptimizedBlock)
    assert [b.downsample for b in d.blocks[1:]] == downs
    assert side_after_each_block(d, torch.randn(2, 3, size, size), None) == sides
    assert d.head.linear.in_features == 8
    # Identity shortcuts where a block neither down-samples nor widens.
    assert [type(b.shortcut).__name__ for b in d.blocks[1:]] == [
        "ParametrizedConv2d" if down else "Identity" for down in downs]


def test_the_cifar_models_have_sngans_widths() -> None:
    g = ResNetGenerator(128, (3, 32, 32))
    d = ResNetDiscriminator((3, 32, 32))
    assert {m.out_channels for m in g.modules() if isinstance(m, nn.Conv2d)} == {256, 3}
    assert {m.out_channels for m in d.modules() if isinstance(m, nn.Conv2d)} == {128}
    # Mimicry's ResNetGenerator32 / ResNetDiscriminator32 have 4.3M / 1.1M parameters.
    assert sum(p.numel() for p in g.parameters()) == pytest.approx(4.3e6, rel=0.02)
    assert sum(p.numel() for p in d.parameters()) == pytest.approx(1.05e6, rel=0.02)


def test_generator_block_is_the_residual_formula() -> None:
    torch.manual_seed(0)
    block = GeneratorBlock(3, 5, num_classes=None).double().train()
    x = torch.randn(4, 3, 6, 6, dtype=torch.float64)

    def up(h: torch.Tensor) -> torch.Tensor:  # nearest neighbour: each pixel becomes 2x2
        return h.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)

    def bn(h: torch.Tensor) -> torch.Tensor:  # batch statistics, biased variance
        mean = h.mean(dim=(0, 2, 3), keepdim=True)
        var = h.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
        return (h - mean) / torch.sqrt(var + 1e-5)

    h = F.conv2d(up(torch.relu(bn(x))), block.conv1.weight, padding=1)
    h = F.conv2d(torch.relu(bn(h)), block.conv2.weight, padding=1)
    expected = h + F.conv2d(up(x), block.shortcut.weight)
    torch.testing.assert_close(block(x, None), expected)
    assert all(m.bias is None for m in block.modules() if isinstance(m, nn.Conv2d))


def test_discriminator_blocks_are_the_residual_formulas() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    first = OptimizedBlock(3, 5).double()
    h = F.avg_pool2d(first.conv2(torch.relu(first.conv1(x))), 2)
    torch.testing.assert_close(first(x), h + first.shortcut(F.avg_pool2d(x, 2)))
    y = torch.randn(2, 5, 8, 8, dtype=torch.float64)
    for down in (True, False):
        block = DiscriminatorBlock(5, 5, downsample=down).double()
        h = block.conv2(torch.relu(block.conv1(torch.relu(y))))
        s = block.shortcut(y)
        expected = F.avg_pool2d(h + s, 2) if down else h + y
        torch.testing.assert_close(block(y), expected)


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("size", SIZES)
def test_shapes_ranges_and_gradients(size: int, conditional: bool) -> None:
    torch.manual_seed(0)
    classes = K if conditional else None
    g = ResNetGenerator(6, (2, size, size), base_channels=8, num_classes=classes)
    d = ResNetDiscriminator((2, size, size), base_channels=8, num_classes=classes)
    labels = torch.arange(8) % K if conditional else None
    x = g(torch.randn(8, 6), labels)
    assert x.shape == (8, 2, size, size) and x.min() >= -1 and x.max() <= 1 and x.std() > 0
    logits = d(x, labels)
    assert logits.shape == (8,) and torch.isfinite(logits).all()
    (logits * torch.randn(8)).sum().backward()
    for model in (g, d):
        for name, p in model.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), name
            assert p.grad.abs().max() > 0, name


def test_conditional_generator_uses_conditional_batch_norm_in_its_blocks() -> None:
    torch.manual_seed(0)
    g = ResNetGenerator(6, (1, 16, 16), base_channels=8, num_classes=K).eval()
    assert all(isinstance(b.norm1, ConditionalBatchNorm2d) for b in g.blocks)
    z = torch.randn(1, 6).repeat(K, 1)
    # Gains 1 and biases 0 for every class: at initialisation the labels do not matter ...
    x = g(z, torch.arange(K))
    assert torch.allclose(x, x[:1].expand_as(x))
    with torch.no_grad():
        for m in g.modules():
            if isinstance(m, ConditionalBatchNorm2d):
                m.gain.normal_(1.0, 0.5)
                m.bias.normal_(0.0, 0.5)
    # ... once they differ, the same latent code gives a different image per class.
    assert torch.pdist(g(z, torch.arange(K)).flatten(1)).min() > 1e-3


def test_projection_logit_from_the_modules_parts() -> None:
    torch.manual_seed(0)
    d = ResNetDiscriminator((3, 16, 16), base_channels=8, num_classes=5).double().train()
    x = torch.randn(10, 3, 16, 16, dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 3, 4, 4, 3, 2, 1, 0])
    for _ in range(3):
        d(x, labels)  # a few power iterations
    d.eval()
    h = x
    for block in d.blocks:
        h = block(h)
    phi = torch.relu(h).sum(dim=(2, 3)).detach().numpy()  # global sum pooling, (N, 8)
    w = d.head.linear.weight.detach().numpy()[0]  # the effective (normalised) weights
    b = d.head.linear.bias.item()
    e = d.head.embedding.weight.detach().numpy()
    assert parametrize.is_parametrized(d.head.embedding, "weight")
    expected = phi @ w + b + np.einsum("nf,nf->n", e[labels.numpy()], phi)
    np.testing.assert_allclose(d(x, labels).detach().numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(d.features(x).detach().numpy(), phi, rtol=1e-12)


def top_singular_value(weight: torch.Tensor) -> float:
    return torch.linalg.matrix_norm(weight.detach().reshape(weight.shape[0], -1), ord=2).item()


def test_spectral_norm_bounds_every_weight_of_the_discriminator() -> None:
    torch.manual_seed(0)
    d = ResNetDiscriminator((3, 16, 16), base_channels=16, num_classes=K,
                            attention_resolution=8).train()
    layers = [m for m in d.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.Embedding))]
    # 3 + 2 + 2 block convolutions (two identity shortcuts), 4 attention ones, the linear
    # head and the class embedding.
    assert len(layers) == 13 and all(parametrize.is_parametrized(m, "weight") for m in layers)
    with torch.no_grad():
        for m in layers:
            m.parametrizations.weight.original.mul_(25.0)
    assert min(top_singular_value(m.parametrizations.weight.original) for m in layers) > 2
    x, labels = torch.randn(8, 3, 16, 16), torch.arange(8) % K
    for _ in range(30):
        d(x, labels)
    d.eval()
    sigmas = [top_singular_value(m.weight) for m in layers]
    assert sigmas == pytest.approx([1.0] * len(layers), abs=0.02)
    plain = ResNetDiscriminator((3, 16, 16), base_channels=16, spectral_norm=False)
    assert not any(parametrize.is_parametrized(m) for m in plain.modules())
    g = ResNetGenerator(4, (3, 16, 16), base_channels=8)
    assert not any(parametrize.is_parametrized(m) for m in g.modules())


def test_pack_stacks_consecutive_images_along_channels() -> None:
    torch.manual_seed(0)
    packed = ResNetDiscriminator((2, 16, 16), base_channels=4, pack=2).eval()
    unpacked = ResNetDiscriminator((4, 16, 16), base_channels=4).eval()
    unpacked.load_state_dict(packed.state_dict())
    x = torch.randn(6, 2, 16, 16)
    manual = torch.stack([torch.cat([x[2 * j], x[2 * j + 1]], dim=0) for j in range(3)])
    out = packed(x)
    assert out.shape == (3,)
    torch.testing.assert_close(out, unpacked(manual))
    with pytest.raises(ValueError, match=r"x has 5 samples, which is not divisible by pack=2"):
        packed(x[:5])
    with pytest.raises(ValueError, match=r"pack=2 cannot be combined with num_classes=3"):
        ResNetDiscriminator((2, 16, 16), pack=2, num_classes=3)


@pytest.mark.parametrize("size", [4, 7, 12, 30, 48, 100])
def test_unsupported_sizes_are_refused_with_the_supported_list(size: int) -> None:
    message = (rf"spatial size {size}, which the ResNet models do not support; supported "
               r"square sizes are 4·2\^k or 7·2\^k with k >= 1, i\.e\. 8, 14, 16, 28, 32")
    with pytest.raises(ValueError, match=message):
        ResNetGenerator(8, (3, size, size))
    with pytest.raises(ValueError, match=message.replace("out_shape", "in_shape")):
        ResNetDiscriminator((3, size, size))


def test_bad_shapes_channels_and_labels_are_refused() -> None:
    with pytest.raises(ValueError, match=r"out_shape must be a square image shape \(C, H, W\) "
                                         r"with H == W, got \(3, 32, 16\)"):
        ResNetGenerator(8, (3, 32, 16))
    with pytest.raises(ValueError, match=r"each size in in_shape must be a positive int "
                                         r"\(>= 1\), got 0"):
        ResNetDiscriminator((0, 32, 32))
    with pytest.raises(ValueError, match=r"base_channels must be a positive int \(>= 1\), got 0"):
        ResNetGenerator(8, (3, 32, 32), base_channels=0)
    d = ResNetDiscriminator((3, 28, 28), base_channels=4, num_classes=K)
    with pytest.raises(ValueError, match=r"x must have shape \('N', 3, 28, 28\), "
                                         r"got \(2, 1, 28, 28\)"):
        d(torch.randn(2, 1, 28, 28), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"conditional \(num_classes=4\) and needs labels"):
        d(torch.randn(2, 3, 28, 28))
    g = ResNetGenerator(8, (3, 28, 28), base_channels=4, num_classes=K)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\), got values in \[0, 4\]"):
        g(torch.randn(2, 8), torch.tensor([0, 4]))
    with pytest.raises(ValueError, match=r"z must have shape \('N', 8\), got \(2, 7\)"):
        g(torch.randn(2, 7), torch.tensor([0, 1]))
