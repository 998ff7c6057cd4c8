"""ACGAN discriminators: a class head beside the real/fake logit, from one forward pass."""

from __future__ import annotations

import pytest
import torch

from gankit import Trainer
from gankit.data import digits
from gankit.losses import AuxiliaryClassifier
from gankit.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    ResNetDiscriminator,
    build_model,
)

MODELS = {
    "DCGANDiscriminator": lambda **kw: DCGANDiscriminator((1, 8, 8), base_channels=4, **kw),
    "ResNetDiscriminator": lambda **kw: ResNetDiscriminator((1, 8, 8), base_channels=4, **kw),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_logits_and_classes_share_the_features_of_forward(name: str) -> None:
    torch.manual_seed(0)
    d = MODELS[name](aux_classes=5).eval()
    x, y = torch.randn(6, 1, 8, 8), torch.tensor([0, 1, 2, 3, 4, 0])
    logits, classes = d.logits_and_classes(x, y)
    assert logits.shape == (6,) and classes.shape == (6, 5)
    assert torch.equal(logits, d(x)) and torch.equal(logits, d(x, y))  # labels ignored
    phi = d._features(x, None)[0]
    torch.testing.assert_close(classes, phi @ d.class_head.weight.T + d.class_head.bias)
    classes.sum().backward()
    assert all(p.grad is not None for p in d.class_head.parameters())
    assert build_model(name, d.get_config()).aux_classes == 5


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_projection_discriminator_with_a_class_head_uses_its_labels(name: str) -> None:
    torch.manual_seed(0)
    d = MODELS[name](aux_classes=3, num_classes=3).eval()
    x = torch.randn(4, 1, 8, 8)
    a = d.logits_and_classes(x, torch.tensor([0, 0, 0, 0]))[0]
    b = d.logits_and_classes(x, torch.tensor([1, 1, 1, 1]))[0]
    assert not torch.allclose(a, b)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_class_head_errors(name: str) -> None:
    with pytest.raises(ValueError, match="has no class head; build it with aux_classes=K"):
        MODELS[name]().logits_and_classes(torch.randn(2, 1, 8, 8))
    with pytest.raises(ValueError, match="aux_classes=3 cannot be combined with pack=2"):
        MODELS[name](aux_classes=3, pack=2)
    with pytest.raises(ValueError, match="aux_classes"):
        MODELS[name](aux_classes=0)


def test_acgan_trains_a_class_head_and_a_generator_that_follows_its_labels() -> None:
    """Only the auxiliary term: D learns the classes of real digits, G draws the asked class."""
    data = digits("train")
    keep = data.labels < 2  # zeros and ones
    x, y = data.images[keep], data.labels[keep]
    torch.manual_seed(0)
    g = DCGANGenerator(8, (1, 8, 8), base_channels=8, num_classes=2)
    d = DCGANDiscriminator((1, 8, 8), base_channels=8, aux_classes=2)
    trainer = Trainer(g, d, AuxiliaryClassifier(), seed=0, progress_bar=False, device="cpu")
    trainer.fit((x, y), steps=150, batch_size=32)
    test = digits("test")
    held = test.labels < 2
    d.eval()
    with torch.no_grad():
        real_acc = (d.logits_and_classes(test.images[held])[1].argmax(1)
                    == test.labels[held]).double().mean().item()
        asked = torch.arange(200) % 2
        fakes = trainer.sample(200, labels=asked)
        fake_acc = (d.logits_and_classes(fakes)[1].argmax(1) == asked).double().mean().item()
    assert real_acc > 0.95 and fake_acc > 0.95
