"""Tests run over every registered model: shapes, ranges, gradients, config round-trips.

A newly registered model is covered by these tests for free; ``TINY`` only makes
the known ones small enough to be fast.
"""

from __future__ import annotations

import inspect
import io
import re
from typing import Any

import pytest
import torch
from torch import nn

from gankit.models import build_model, get_model_class, list_models

LATENT = 6
NUM_CLASSES = 3
SIZES = (8, 16, 28, 32, 64, 128)
CHANNELS = (1, 2, 3)
TINY: dict[str, dict[str, Any]] = {
    "DCGANDiscriminator": {"base_channels": 4},
    "DCGANGenerator": {"base_channels": 4},
    "MLPDiscriminator": {"hidden": (16, 8)},
    "MLPGenerator": {"hidden": (8, 16)},
    "ResNetDiscriminator": {"base_channels": 4},
    "ResNetGenerator": {"base_channels": 4},
}
GENERATORS = list_models("generator")
DISCRIMINATORS = list_models("discriminator")


def make(name: str, shape: tuple[int, ...], num_classes: int | None = None,
         **extra: Any) -> nn.Module:
    cls = get_model_class(name)
    config = {**TINY.get(name, {}), "num_classes": num_classes, **extra}
    if cls.role == "generator":
        config.update(latent_dim=LATENT, out_shape=shape)
    else:
        config.update(in_shape=shape)
    return build_model(name, config)


def batch_labels(n: int) -> torch.Tensor:
    return torch.arange(n) % NUM_CLASSES  # every class appears once n >= NUM_CLASSES


def run(model: nn.Module, n: int, conditional: bool) -> torch.Tensor:
    labels = batch_labels(n) if conditional else None
    if model.role == "generator":
        return model(torch.randn(n, model.latent_dim), labels)
    return model(torch.randn(n, *model.in_shape), labels)


def test_registry_lists_the_six_models_by_role() -> None:
    assert list_models() == sorted(
        ["DCGANDiscriminator", "DCGANGenerator", "MLPDiscriminator", "MLPGenerator",
         "ResNetDiscriminator", "ResNetGenerator"]
    )
    assert GENERATORS == ["DCGANGenerator", "MLPGenerator", "ResNetGenerator"]
    assert DISCRIMINATORS == ["DCGANDiscriminator", "MLPDiscriminator", "ResNetDiscriminator"]
    for name in list_models():
        assert get_model_class(name).__name__ == name


def test_unknown_names_and_roles_are_refused_with_the_list() -> None:
    with pytest.raises(KeyError, match=r"unknown model 'StyleGANGenerator'.*MLPGenerator"):
        get_model_class("StyleGANGenerator")
    with pytest.raises(ValueError, match=r"role must be None or one of.*'critic'"):
        list_models("critic")


@pytest.mark.parametrize("name", list_models())
def test_config_keys_match_the_constructor(name: str) -> None:
    cls = get_model_class(name)
    params = inspect.signature(cls.__init__).parameters
    names = [p for p in params if p != "self"]
    required = [p for p in names if params[p].default is inspect.Parameter.empty]
    assert list(cls.config_keys) == names
    assert list(cls.required_keys) == required
    model = make(name, (1, 8, 8))
    assert list(model.get_config()) == names


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("channels", CHANNELS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", GENERATORS)
def test_generator_output_shape_and_range(name: str, size: int, channels: int,
                                          conditional: bool) -> None:
    torch.manual_seed(0)
    g = make(name, (channels, size, size), NUM_CLASSES if conditional else None)
    assert (g.latent_dim, g.out_shape) == (LATENT, (channels, size, size))
    assert g.num_classes == (NUM_CLASSES if conditional else None)
    n = 2 if size == 128 else 4
    x = run(g, n, conditional)
    assert x.shape == (n, channels, size, size)
    assert torch.isfinite(x).all()
    assert x.min() >= -1 and x.max() <= 1
    assert x.std() > 0  # not a constant output


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("channels", CHANNELS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", DISCRIMINATORS)
def test_discriminator_returns_one_logit_per_sample(name: str, size: int, channels: int,
                                                    conditional: bool) -> None:
    torch.manual_seed(0)
    d = make(name, (channels, size, size), NUM_CLASSES if conditional else None)
    assert d.in_shape == (channels, size, size)
    assert d.pack == 1
    n = 2 if size == 128 else 4
    logits = run(d, n, conditional)
    assert logits.shape == (n,)
    assert torch.isfinite(logits).all()
    # Logits, not probabilities: a sigmoid output would sit strictly inside (0, 1).
    with torch.no_grad():
        d.head.linear.bias.fill_(-100.0)
    assert (run(d, n, conditional) < 0).all()


def assert_all_gradients_finite_and_nonzero(model: nn.Module) -> None:
    grads = {name: p.grad for name, p in model.named_parameters()}
    for name, grad in grads.items():
        assert grad is not None, f"{name} got no gradient"
        assert torch.isfinite(grad).all(), f"{name} has a non-finite gradient"
    largest = max(grad.abs().max().item() for grad in grads.values())  # type: ignore[union-attr]
    for name, grad in grads.items():
        # Relative, not > 0: a bias right before a batch norm gets only rounding noise
        # (about 1e-7 of the largest gradient), which must count as zero.
        ratio = grad.abs().max().item() / largest  # type: ignore[union-attr]
        assert ratio > 1e-5, f"{name} has a (numerically) zero gradient: {ratio:.1e} of the largest"


VARIANTS: dict[str, list[dict[str, Any]]] = {
    "DCGANDiscriminator": [{}, {"norm_layer": None, "spectral_norm": True},
                           {"norm_layer": "layer_norm"}, {"norm_layer": "instance_norm"}],
    "DCGANGenerator": [{}, {"embed_dim": 5}, {"norm_layer": "layer_norm", "init": "xavier"}],
    "MLPDiscriminator": [{}, {"maxout_pieces": 3, "spectral_norm": True},
                         {"norm_layer": "layer_norm", "first_layer_norm": True}],
    "MLPGenerator": [{}, {"embed_dim": 5}, {"first_layer_norm": True, "init": "dcgan"},
                     {"latent_components": 2}],
}


GRADIENT_CASES = [
    (name, extra, conditional)
    for name in list_models()
    for extra in VARIANTS.get(name, [{}])
    for conditional in (False, True)
    if conditional or "embed_dim" not in extra  # embed_dim needs num_classes
]


@pytest.mark.parametrize(("name", "extra", "conditional"), GRADIENT_CASES)
def test_every_parameter_gets_a_finite_nonzero_gradient(name: str, extra: dict[str, Any],
                                                        conditional: bool) -> None:
    torch.manual_seed(1)
    model = make(name, (2, 16, 16), NUM_CLASSES if conditional else None, **extra)
    model.train()
    out = run(model, 6, conditional)
    weights = torch.randn(out.shape)  # a random projection: no symmetry can cancel it
    (out * weights).sum().backward()
    assert_all_gradients_finite_and_nonzero(model)


ROUND_TRIP: dict[str, list[dict[str, Any]]] = {
    "DCGANDiscriminator": [{"act_layer": nn.ELU, "norm_layer": nn.InstanceNorm2d,
                            "dropout": 0.3, "spectral_norm": True, "init": "xavier"},
                           {"pack": 2, "norm_layer": nn.LayerNorm}],
    "DCGANGenerator": [{"act_layer": nn.LeakyReLU, "norm_layer": None, "embed_dim": 4,
                        "num_classes": 3, "init": None}],
    "MLPDiscriminator": [{"act_layer": nn.Tanh, "maxout_pieces": 2, "norm_layer": nn.LayerNorm,
                          "dropout": 0.5, "input_dropout": 0.2, "spectral_norm": True},
                         {"pack": 3, "num_classes": None, "hidden": ()}],
    "MLPGenerator": [{"act_layer": "leaky_relu", "norm_layer": nn.LayerNorm, "hidden": (),
                      "output_activation": nn.Sigmoid, "num_classes": 2},
                     {"first_layer_norm": True, "output_activation": None},
                     {"latent_components": 3, "num_classes": 2}],
}


@pytest.mark.parametrize(("name", "extra"),
                         [(n, v) for n in list_models() for v in ROUND_TRIP.get(n, [{}])])
def test_get_config_rebuilds_an_identical_model_through_a_safe_checkpoint(
        name: str, extra: dict[str, Any]) -> None:
    torch.manual_seed(2)
    model = make(name, (2, 16, 16), **extra).eval()
    config = model.get_config()
    buffer = io.BytesIO()
    torch.save({"config": config, "state": model.state_dict()}, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    assert loaded["config"] == config
    for key, value in config.items():
        assert value is None or isinstance(value, (int, float, str, bool, tuple)), key
    rebuilt = build_model(name, loaded["config"]).eval()
    assert rebuilt.get_config() == config
    rebuilt.load_state_dict(loaded["state"], strict=True)
    assert repr(rebuilt) == repr(model)
    n = 6  # a multiple of every pack used above
    torch.manual_seed(3)
    inputs = (torch.randn(n, LATENT) if model.role == "generator"
              else torch.randn(n, *model.in_shape))
    labels = torch.arange(n) % model.num_classes if model.num_classes else None
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(inputs, labels), model(inputs, labels))


def test_build_model_names_unknown_and_missing_keys() -> None:
    with pytest.raises(ValueError, match=r"does not accept the config key\(s\) \['width'\]; "
                                         r"allowed keys: \['latent_dim', 'out_shape'"):
        build_model("MLPGenerator", {"latent_dim": 2, "out_shape": (2,), "width": 3})
    with pytest.raises(ValueError, match=r"needs the config key\(s\) \['in_shape'\]"):
        build_model("MLPDiscriminator", {"hidden": (4,)})
    with pytest.raises(TypeError, match="config must be a mapping"):
        build_model("MLPDiscriminator", [("in_shape", (2,))])  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="unknown model 'Nope'"):
        build_model("Nope", {})


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_refuse_a_latent_of_the_wrong_width(name: str) -> None:
    g = make(name, (1, 8, 8))
    with pytest.raises(ValueError, match=rf"z must have shape \('N', {LATENT}\), got \(4, 5\)"):
        g(torch.randn(4, LATENT - 1))
    with pytest.raises(ValueError, match=rf"z must have shape \('N', {LATENT}\), got \(4,\)"):
        g(torch.randn(4))


@pytest.mark.parametrize("name", DISCRIMINATORS)
def test_discriminators_refuse_images_of_the_wrong_shape(name: str) -> None:
    d = make(name, (3, 16, 16))
    for bad in [(4, 1, 16, 16), (4, 3, 8, 8), (4, 3, 16, 16, 1), (3, 16, 16)]:
        expected = re.escape(f"x must have shape ('N', 3, 16, 16), got {bad}")
        with pytest.raises(ValueError, match=expected):
            d(torch.randn(*bad))


@pytest.mark.parametrize("name", list_models())
def test_labels_are_checked(name: str) -> None:
    unconditional = make(name, (1, 8, 8))
    conditional = make(name, (1, 8, 8), NUM_CLASSES)
    with pytest.raises(ValueError, match=r"unconditional \(num_classes=None\) but labels"):
        run(unconditional, 4, conditional=True)
    with pytest.raises(ValueError, match=r"conditional \(num_classes=3\) and needs labels "
                                         r"of shape \(4,\), got None"):
        run(conditional, 4, conditional=False)
    x = (torch.randn(4, LATENT) if conditional.role == "generator"
         else torch.randn(4, 1, 8, 8))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\), got values in \[0, 3\]"):
        conditional(x, torch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"labels must have shape \(4,\)"):
        conditional(x, torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="labels must be an integer tensor"):
        conditional(x, torch.zeros(4))
