"""Every registered augmentation: the protocol, the registry, and config round trips."""

from __future__ import annotations

import pytest
import torch

import gankit.augment as A
from gankit.augment import Augment, build_augment, get_augment_class, list_augments

DT = torch.float64


def test_every_augment_class_is_registered() -> None:
    classes = sorted(name for name in A.__all__ if isinstance(obj := getattr(A, name), type)
                     and issubclass(obj, Augment) and obj is not Augment)
    assert list_augments() == classes == ["AdaptiveAugment", "DiffAugment"]
    assert all(get_augment_class(name) is getattr(A, name) for name in classes)


@pytest.mark.parametrize("name", list_augments())
@pytest.mark.parametrize("channels", [1, 3])
def test_forward_keeps_the_shape_and_backpropagates(name: str, channels: int) -> None:
    augment = build_augment(name, {"p": 1.0} if name == "AdaptiveAugment" else None)
    torch.manual_seed(0)
    x = (torch.rand(6, channels, 16, 16, dtype=DT) * 2 - 1).requires_grad_(True)
    y = augment(x)
    assert y.shape == x.shape and y.dtype == x.dtype and torch.isfinite(y).all()
    y.square().sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@pytest.mark.parametrize("name", list_augments())
def test_the_config_rebuilds_it_and_the_state_round_trips(name: str) -> None:
    augment = get_augment_class(name)()
    augment.observe(torch.randn(8))
    rebuilt = build_augment(name, augment.get_config())
    assert rebuilt.get_config() == augment.get_config() and repr(rebuilt) == repr(augment)
    rebuilt.load_state_dict(augment.state_dict())
    for key, value in augment.state_dict().items():
        torch.testing.assert_close(rebuilt.state_dict()[key], value, equal_nan=True)
    assert rebuilt.log_metrics() == augment.log_metrics()


def test_the_base_class_hooks_are_no_ops() -> None:
    class Identity(Augment):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    augment = Identity()
    assert augment.observe(torch.zeros(3)) is None
    assert augment.log_metrics() == {} and augment.get_config() == {}
    assert augment.state_dict() == {} and repr(augment) == "Identity()"
    with pytest.raises(NotImplementedError):
        Augment()(torch.zeros(1, 1, 2, 2))


def test_registry_errors() -> None:
    with pytest.raises(KeyError, match=r"unknown augmentation 'Nope'; registered augmentations: "
                                       r"\['AdaptiveAugment', 'DiffAugment'\]"):
        get_augment_class("Nope")
    with pytest.raises(ValueError, match=r"DiffAugment does not take the config key\(s\) "
                                         r"\['p'\]; allowed keys: \['policy'\]"):
        build_augment("DiffAugment", {"p": 0.5})
    with pytest.raises(TypeError, match="config must be a mapping"):
        build_augment("DiffAugment", ["policy"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"only gankit\.augment\.Augment subclasses"):
        A.register_augment(torch.nn.Identity)  # type: ignore[type-var]

    class DiffAugment(A.DiffAugment):
        pass

    with pytest.raises(ValueError, match="a different augmentation class is already registered"):
        A.register_augment(DiffAugment)
