"""SelfAttention2d (SAGAN): the formula, the zero gate, and where the models insert it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from gankit.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    ResNetDiscriminator,
    ResNetGenerator,
    SelfAttention2d,
    build_model,
)


def reference(x: np.ndarray, wq: np.ndarray, wk: np.ndarray, wv: np.ndarray, wo: np.ndarray,
              gamma: float, pooled: bool) -> np.ndarray:
    """The SAGAN formula in float64 numpy, one sample at a time, position by position."""
    n, _, h, w = x.shape
    out = np.empty_like(x)
    for s in range(n):
        q = np.einsum("kc,chw->khw", wq, x[s]).reshape(len(wq), -1)  # (C_k, HW)
        k = np.einsum("kc,chw->khw", wk, x[s])  # (C_k, H, W)
        v = np.einsum("vc,chw->vhw", wv, x[s])  # (C_v, H, W)
        if pooled:  # 2x2 max pool; a last odd row/column forms a window of its own
            def pool(a: np.ndarray) -> np.ndarray:
                rows = [range(i, min(i + 2, h)) for i in range(0, h, 2)]
                cols = [range(j, min(j + 2, w)) for j in range(0, w, 2)]
                return np.array([[[a[ch][np.ix_(r, cc)].max() for cc in cols] for r in rows]
                                 for ch in range(len(a))])
            k, v = pool(k), pool(v)
        k, v = k.reshape(len(k), -1), v.reshape(len(v), -1)  # (C_k, M), (C_v, M)
        for i in range(h * w):
            logits = q[:, i] @ k  # (M,)
            a = np.exp(logits - logits.max())
            a /= a.sum()
            o = wo @ (v @ a)  # (C,)
            out[s, :, i // w, i % w] = x[s, :, i // w, i % w] + gamma * o
    return out


def weights(attention: SelfAttention2d) -> list[np.ndarray]:
    return [m.weight.detach().numpy()[:, :, 0, 0]
            for m in (attention.query, attention.key, attention.value, attention.out)]


@pytest.mark.parametrize("pooled", [True, False])
@pytest.mark.parametrize("size", [(4, 4), (5, 3)])
def test_matches_a_float64_reference(pooled: bool, size: tuple[int, int]) -> None:
    torch.manual_seed(0)
    attention = SelfAttention2d(16, pooled=pooled).double()
    with torch.no_grad():
        attention.gamma.fill_(0.7)
    x = torch.randn(2, 16, *size, dtype=torch.float64)
    expected = reference(x.numpy(), *weights(attention), gamma=0.7, pooled=pooled)
    np.testing.assert_allclose(attention(x).detach().numpy(), expected, rtol=1e-10, atol=1e-12)


def test_channel_widths_follow_sagan_and_biggan() -> None:
    attention = SelfAttention2d(64)
    assert (attention.query.out_channels, attention.key.out_channels) == (8, 8)  # C / 8
    assert attention.value.out_channels == 32 and attention.out.in_channels == 32  # C / 2
    assert all(m.bias is None for m in attention.modules() if isinstance(m, nn.Conv2d))
    tiny = SelfAttention2d(4)  # C // 8 = 0 is rounded up to one channel
    assert (tiny.query.out_channels, tiny.value.out_channels) == (1, 2)


def test_the_gate_starts_at_zero_so_the_block_is_the_identity() -> None:
    torch.manual_seed(0)
    attention = SelfAttention2d(8)
    assert attention.gamma.shape == () and attention.gamma.item() == 0.0
    x = torch.randn(3, 8, 6, 6)
    assert torch.equal(attention(x), x)


def test_an_open_gate_changes_the_output_and_trains_every_weight() -> None:
    torch.manual_seed(0)
    attention = SelfAttention2d(8)
    with torch.no_grad():
        attention.gamma.fill_(0.5)
    x = torch.randn(3, 8, 6, 6)
    out = attention(x)
    assert (out - x).abs().max() > 1e-3
    (out * torch.randn(out.shape)).sum().backward()
    for name, p in attention.named_parameters():
        assert p.grad is not None and p.grad.abs().max() > 0, name


def test_spectral_norm_option_wraps_the_four_convolutions() -> None:
    attention = SelfAttention2d(16, spectral_norm=True)
    convs = [m for m in attention.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 4 and all(hasattr(m, "parametrizations") for m in convs)
    assert not any(hasattr(m, "parametrizations") for m in SelfAttention2d(16).modules())


def test_bad_inputs_are_refused() -> None:
    attention = SelfAttention2d(16)
    with pytest.raises(ValueError, match=r"x must have shape \('N', 16, '\*', '\*'\), "
                                         r"got \(2, 8, 4, 4\)"):
        attention(torch.randn(2, 8, 4, 4))
    with pytest.raises(ValueError, match=r"x must have shape .* got \(16, 4, 4\)"):
        attention(torch.randn(16, 4, 4))
    with pytest.raises(ValueError, match=r"channels must be a positive int \(>= 1\), got 0"):
        SelfAttention2d(0)


# Model, its shape argument, the sizes at which attention may be inserted (for a 32x32 image).
MODELS: list[tuple[type[nn.Module], dict[str, Any], list[int]]] = [
    (DCGANGenerator, {"latent_dim": 6, "out_shape": (2, 32, 32)}, [4, 8, 16]),
    (DCGANDiscriminator, {"in_shape": (2, 32, 32)}, [4, 8, 16]),
    (ResNetGenerator, {"latent_dim": 6, "out_shape": (2, 32, 32)}, [8, 16, 32]),
    (ResNetDiscriminator, {"in_shape": (2, 32, 32)}, [8, 16]),
]
IDS = [cls.__name__ for cls, _, _ in MODELS]


def run(model: nn.Module) -> torch.Tensor:
    if model.role == "generator":
        return model(torch.randn(4, model.latent_dim))
    return model(torch.randn(4, *model.in_shape))


@pytest.mark.parametrize(("cls", "shape", "valid"), MODELS, ids=IDS)
def test_models_insert_attention_after_the_stage_of_that_size(
        cls: type[nn.Module], shape: dict[str, Any], valid: list[int]) -> None:
    for resolution in valid:
        torch.manual_seed(0)
        model = cls(**shape, base_channels=8, attention_resolution=resolution)
        blocks = [m for m in model.modules() if isinstance(m, SelfAttention2d)]
        assert len(blocks) == 1
        seen: list[tuple[int, ...]] = []
        blocks[0].register_forward_hook(
            lambda m, args, out, seen=seen: seen.append(tuple(out.shape)))
        run(model)
        assert seen[0][2:] == (resolution, resolution)
        assert seen[0][1] == blocks[0].channels
        assert model.get_config()["attention_resolution"] == resolution
        rebuilt = build_model(cls.__name__, model.get_config())
        rebuilt.load_state_dict(model.state_dict(), strict=True)


@pytest.mark.parametrize(("cls", "shape", "valid"), MODELS, ids=IDS)
def test_an_impossible_resolution_lists_the_valid_ones(
        cls: type[nn.Module], shape: dict[str, Any], valid: list[int]) -> None:
    for bad in (2, 12, 64):
        with pytest.raises(ValueError, match=rf"attention_resolution={bad} is not the size of a "
                                             rf"feature map of this model; valid sizes: "
                                             rf"\[{', '.join(map(str, valid))}\] or None"):
            cls(**shape, attention_resolution=bad)
    with pytest.raises(TypeError, match="attention_resolution must be a positive int, got str"):
        cls(**shape, attention_resolution="16")


@pytest.mark.parametrize(("cls", "shape", "valid"), MODELS, ids=IDS)
def test_with_the_gate_open_the_model_trains_the_attention(
        cls: type[nn.Module], shape: dict[str, Any], valid: list[int]) -> None:
    torch.manual_seed(0)
    model = cls(**shape, base_channels=8, attention_resolution=valid[-1]).eval()
    x = torch.randn(4, model.latent_dim) if model.role == "generator" else torch.randn(
        4, *model.in_shape)
    closed = model(x)
    attention = next(m for m in model.modules() if isinstance(m, SelfAttention2d))
    with torch.no_grad():
        attention.gamma.fill_(100.0)  # large: the DCGAN init N(0, 0.02) makes o(x) small
    opened = model(x)
    # Relative: an untrained DCGAN generator in eval mode has outputs of only about 1e-4.
    assert (opened - closed).abs().max() > 0.01 * closed.abs().max()
    opened.sum().backward()
    for name, p in attention.named_parameters():
        assert p.grad is not None and p.grad.abs().max() > 0, name


def test_resnet_generator_with_a_closed_gate_equals_the_plain_one() -> None:
    torch.manual_seed(0)
    plain = ResNetGenerator(6, (1, 16, 16), base_channels=8).eval()
    with_attention = ResNetGenerator(6, (1, 16, 16), base_channels=8,
                                     attention_resolution=8).eval()
    missing = with_attention.load_state_dict(plain.state_dict(), strict=False).missing_keys
    assert missing and all(k.startswith("attention.") for k in missing)
    z = torch.randn(5, 6)
    assert torch.equal(with_attention(z), plain(z))


@pytest.mark.parametrize("cls", [DCGANGenerator, DCGANDiscriminator])
def test_dcgan_without_attention_is_unchanged(cls: type[nn.Module]) -> None:
    shape = {"latent_dim": 6, "out_shape": (1, 16, 16)} if cls is DCGANGenerator else {
        "in_shape": (1, 16, 16)}
    torch.manual_seed(0)
    model = cls(**shape, base_channels=4)
    assert model.get_config()["attention_resolution"] is None
    assert not any(isinstance(m, SelfAttention2d) for m in model.modules())
    # A config saved before the key existed still builds the same model and loads its weights.
    old_config = {k: v for k, v in model.get_config().items() if k != "attention_resolution"}
    rebuilt = build_model(cls.__name__, old_config)
    rebuilt.load_state_dict(model.state_dict(), strict=True)
    assert repr(rebuilt) == repr(model)
    layers = model.net if cls is DCGANGenerator else model.features
    expected = (["ConvTranspose2d", "BatchNorm2d", "ReLU"] * 2 + ["ConvTranspose2d", "Tanh"]
                if cls is DCGANGenerator else
                ["Conv2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU", "Flatten"])
    assert [type(m).__name__ for m in layers] == expected
