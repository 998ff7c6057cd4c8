"""Every loss object in gankit.losses: defaults, names, values, and no side effects.

The loss classes are discovered from ``gankit.losses.__all__``, so a new one is
tested for free.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import gankit.functional as F
import gankit.losses as L
from gankit.losses._registry import upgrade_loss_repr
from gankit.losses.base import CompositeLoss, GANBatch, Loss, LossTerm, ScaledLoss

BASE = {CompositeLoss, GANBatch, Loss, LossTerm, ScaledLoss}
LOSS_CLASSES = sorted(
    (obj for name in L.__all__ if isinstance(obj := getattr(L, name), type)
     and issubclass(obj, Loss) and obj not in BASE),
    key=lambda c: c.__name__,
)
# The term names each class contributes to (discriminator, generator).
EXPECTED_NAMES = {
    "AuxiliaryClassifier": (["ac"], ["ac"]),
    "BalancedConsistency": (["bcr"], []),
    "GradientPenalty": (["gp"], []),
    "Hinge": (["hinge"], ["hinge"]),
    "LSGAN": (["lsgan"], ["lsgan"]),
    "MMGAN": (["mmgan"], ["mmgan"]),
    "NSGAN": (["nsgan"], ["nsgan"]),
    "R1Penalty": (["r1"], []),
    "WGAN": (["wgan"], ["wgan"]),
    "WGANGP": (["gp", "wgan"], ["wgan"]),
}

# The sample shape each class needs, where it is not 2-D points (augmentations take images).
SAMPLE_SHAPES = {"BalancedConsistency": (1, 4, 4)}

class _ClassHead(nn.Module):
    """A discriminator with a class head (for ACGAN's term): logit and 3 class logits."""

    aux_classes = 3

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def logits_and_classes(self, x: torch.Tensor, labels: object = None) -> tuple[torch.Tensor,
                                                                                     torch.Tensor]:
        out = self.net(x)
        return out[:, 0], out[:, 1:]


def make_batch(seed: int = 0, cls: type[Loss] | None = None) -> tuple[nn.Module, GANBatch]:
    """A float64 MLP discriminator and a batch (labelled for a class head) of ``cls``'s shape."""
    torch.manual_seed(seed)
    shape = SAMPLE_SHAPES.get(cls.__name__, (2,)) if cls is not None else (2,)
    size = math.prod(shape)
    head = cls is L.AuxiliaryClassifier
    net = nn.Sequential(nn.Flatten(), nn.Linear(size, 8), nn.Tanh(),
                        nn.Linear(8, 4 if head else 1)).double()
    real = torch.randn(6, *shape, dtype=torch.float64)
    fake = torch.randn(6, *shape, dtype=torch.float64)
    if head:
        labels = torch.tensor([0, 1, 2, 0, 1, 2])
        return net, GANBatch(_ClassHead(net), real, fake, labels, labels.flip(0))
    return net, GANBatch(lambda x: net(x).squeeze(1), real, fake)


def test_every_loss_class_is_listed() -> None:
    assert sorted(c.__name__ for c in LOSS_CLASSES) == sorted(EXPECTED_NAMES)


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=lambda c: c.__name__)
def test_builds_with_defaults_and_gives_finite_named_terms(cls: type[Loss]) -> None:
    _, batch = make_batch(cls=cls)
    loss = cls()
    d_terms, g_terms = loss.discriminator_terms(batch), loss.generator_terms(batch)
    assert (sorted(d_terms), sorted(g_terms)) == EXPECTED_NAMES[cls.__name__]
    for value in [*d_terms.values(), *g_terms.values()]:
        assert value.shape == () and torch.isfinite(value) and value.requires_grad
    assert repr(loss).startswith(cls.__name__)


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=lambda c: c.__name__)
def test_loss_objects_never_call_backward(cls: type[Loss]) -> None:
    net, batch = make_batch(cls=cls)
    loss = cls()
    loss.discriminator_terms(batch)
    loss.generator_terms(batch)
    assert all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize(
    ("loss", "d_fn", "g_fn"),
    [
        (L.MMGAN(), F.mmgan_discriminator_loss, F.mmgan_generator_loss),
        (L.NSGAN(), F.nsgan_discriminator_loss, F.nsgan_generator_loss),
        (L.WGAN(), F.wgan_discriminator_loss, F.wgan_generator_loss),
        (L.Hinge(), F.hinge_discriminator_loss, F.hinge_generator_loss),
        (L.LSGAN(), F.lsgan_discriminator_loss, F.lsgan_generator_loss),
    ],
    ids=lambda x: type(x).__name__ if isinstance(x, Loss) else "",
)
def test_adversarial_terms_are_the_functional_losses_on_the_batch_logits(
    loss: LossTerm, d_fn, g_fn
) -> None:
    net, batch = make_batch()
    real_logits = net(batch.real).squeeze(1)
    fake_logits = net(batch.fake).squeeze(1)
    assert torch.equal(loss.discriminator_terms(batch)[loss.name], d_fn(real_logits, fake_logits))
    assert torch.equal(loss.generator_terms(batch)[loss.name], g_fn(fake_logits))


@pytest.mark.parametrize("cls", [L.MMGAN, L.NSGAN])
def test_label_smoothing_is_passed_to_the_discriminator_loss(cls) -> None:
    net, batch = make_batch()
    r = net(batch.real).squeeze(1).detach().numpy()
    f = net(batch.fake).squeeze(1).detach().numpy()
    s = 0.1
    # Reference in float64, written out: -[(1-s) log σ(r) + s log(1-σ(r))] - log(1-σ(f)).
    sig = lambda x: 1.0 / (1.0 + math.exp(-x))  # noqa: E731
    expected = (
        -sum((1 - s) * math.log(sig(x)) + s * math.log(1 - sig(x)) for x in r) / len(r)
        - sum(math.log(1 - sig(x)) for x in f) / len(f)
    )
    got = cls(label_smoothing=s).discriminator_terms(batch)[cls.name]
    assert math.isclose(got.item(), expected, rel_tol=1e-10)
    # The generator's loss does not smooth.
    assert torch.equal(cls(label_smoothing=s).generator_terms(batch)[cls.name],
                       cls().generator_terms(batch)[cls.name])


@pytest.mark.parametrize("cls", [L.MMGAN, L.NSGAN])
def test_label_noise_is_passed_to_the_discriminator_loss(cls) -> None:
    net, batch = make_batch()
    r, f = net(batch.real).squeeze(1).detach(), net(batch.fake).squeeze(1).detach()
    loss = cls(label_smoothing=0.1, label_noise=0.05)
    torch.manual_seed(4)
    got = loss.discriminator_terms(batch)[cls.name]
    torch.manual_seed(4)  # the same global draws, through the function
    expected = F.mmgan_discriminator_loss(r, f, label_smoothing=0.1, label_noise=0.05)
    assert torch.equal(got.detach(), expected)
    # The generator's loss has no noise and draws nothing.
    state = torch.get_rng_state()
    assert torch.equal(loss.generator_terms(batch)[cls.name],
                       cls().generator_terms(batch)[cls.name])
    assert torch.equal(torch.get_rng_state(), state)
    assert loss.get_config() == {"label_smoothing": 0.1, "label_noise": 0.05}


def test_r1_term_is_weight_over_two_times_the_penalty() -> None:
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)
    batch = GANBatch(lambda x: x @ w, torch.randn(4, 2, dtype=torch.float64),
                     torch.randn(4, 2, dtype=torch.float64))
    assert L.R1Penalty().discriminator_terms(batch)["r1"].item() == 5.0 * 25.0  # γ = 10
    assert L.R1Penalty(weight=1.0).discriminator_terms(batch)["r1"].item() == 0.5 * 25.0


def test_gradient_penalty_term_is_weight_times_the_penalty() -> None:
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)
    batch = GANBatch(lambda x: x @ w, torch.randn(4, 2, dtype=torch.float64),
                     torch.randn(4, 2, dtype=torch.float64))
    assert L.GradientPenalty().discriminator_terms(batch)["gp"].item() == 10.0 * 16.0
    assert L.GradientPenalty(2.0, target=0.0).discriminator_terms(batch)["gp"].item() == 50.0


def test_gradient_penalty_uses_the_real_labels_for_the_interpolates() -> None:
    W = torch.tensor([[3.0, 4.0], [0.0, 2.0]], dtype=torch.float64)  # norms 5 and 2
    labels, fake_labels = torch.tensor([0, 0, 0]), torch.tensor([1, 1, 1])
    batch = GANBatch(lambda x, y: (x * W[y]).sum(1), torch.randn(3, 2, dtype=torch.float64),
                     torch.randn(3, 2, dtype=torch.float64), labels, fake_labels)
    assert L.GradientPenalty(1.0).discriminator_terms(batch)["gp"].item() == (5.0 - 1.0) ** 2
    assert L.R1Penalty(2.0).discriminator_terms(batch)["r1"].item() == 25.0


def test_penalties_do_not_touch_the_generator_loss() -> None:
    net, batch = make_batch()
    for penalty in (L.GradientPenalty(), L.R1Penalty()):
        assert penalty.generator_terms(batch) == {}
        fake = batch.fake.clone().requires_grad_(True)
        out = penalty.generator_loss(lambda x: net(x).squeeze(1), fake)
        assert out.item() == 0.0


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: L.NSGAN(label_smoothing=1.0), ValueError,
         r"label_smoothing must lie in \[0, 1\), got 1\.0"),
        (lambda: L.MMGAN(label_smoothing=-0.1), ValueError,
         r"label_smoothing must lie in \[0, 1\)"),
        (lambda: L.NSGAN(label_smoothing="0.1"), TypeError, "label_smoothing must be a number"),
        (lambda: L.NSGAN(label_noise=1.0), ValueError,
         r"label_noise must lie in \[0, 1\), got 1\.0"),
        (lambda: L.MMGAN(label_noise=None), TypeError, "label_noise must be a number"),
        (lambda: L.NSGAN(label_smoothing=0.9, label_noise=0.2), ValueError,
         r"label_smoothing \+ label_noise must be at most 1"),
        (lambda: L.GradientPenalty(-1.0), ValueError,
         r"weight must be a finite number >= 0, got -1\.0"),
        (lambda: L.GradientPenalty(float("inf")), ValueError, "weight must be a finite number"),
        (lambda: L.GradientPenalty(target=float("nan")), ValueError, "target must be a finite"),
        (lambda: L.R1Penalty(weight=-10.0), ValueError, "weight must be a finite number >= 0"),
        (lambda: L.R1Penalty(weight=None), TypeError, "weight must be a finite .*got NoneType"),
        (lambda: L.WGANGP(weight=float("nan")), ValueError, "weight must be a finite number"),
        (lambda: 10.0 * L.R1Penalty() * float("inf"), ValueError, "a loss weight must be finite"),
    ],
)
def test_invalid_arguments_are_rejected(make, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_discriminator_with_wrong_output_shape_is_rejected() -> None:
    net = nn.Linear(2, 1)
    batch = GANBatch(net, torch.randn(4, 2), torch.randn(4, 2))  # returns (4, 1), not (4,)
    with pytest.raises(ValueError, match=r"must return logits of shape \(4,\) .*got \(4, 1\)"):
        L.NSGAN().discriminator_terms(batch)


def test_reprs_show_the_arguments() -> None:
    # Only the arguments that differ from the defaults are shown.
    assert repr(L.NSGAN(label_smoothing=0.1)) == "NSGAN(label_smoothing=0.1)"
    assert repr(L.MMGAN(label_noise=0.05)) == "MMGAN(label_noise=0.05)"
    assert repr(L.MMGAN()) == "MMGAN()"
    assert repr(L.GradientPenalty(5)) == "GradientPenalty(weight=5.0)"
    assert repr(L.GradientPenalty(target=0)) == "GradientPenalty(target=0.0)"
    assert repr(L.R1Penalty()) == "R1Penalty()"
    assert repr(L.R1Penalty(weight=0.1)) == "R1Penalty(weight=0.1)"
    assert repr(L.WGANGP()) == "WGANGP()"
    assert repr(L.WGANGP(weight=1)) == "WGANGP(weight=1.0)"
    assert repr(L.NSGAN() + 10.0 * L.R1Penalty()) == "NSGAN() + 10.0 * R1Penalty()"


# ---------------------------------------------------------------- one name for a coefficient
@pytest.mark.parametrize("cls", [L.GradientPenalty, L.R1Penalty, L.WGANGP])
def test_every_penalty_calls_its_coefficient_weight(cls: type[Loss]) -> None:
    assert cls.config_keys[0] == "weight"
    assert cls().weight == 10.0 and cls(weight=2).weight == 2.0 and cls(2).weight == 2.0
    assert cls(weight=2).get_config()["weight"] == 2.0


@pytest.mark.parametrize(
    ("cls", "old"), [(L.R1Penalty, "gamma"), (L.WGANGP, "gp_weight")]
)
def test_old_coefficient_keywords_warn_and_still_work(cls: type[Loss], old: str) -> None:
    with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}\({old}=\.\.\.\) is deprecated.*"
                                               rf"{cls.__name__}\(weight=\.\.\.\)"):
        loss = cls(**{old: 0.5})
    assert repr(loss) == repr(cls(weight=0.5)) == f"{cls.__name__}(weight=0.5)"
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)
    real, fake = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    torch.manual_seed(0)
    a = loss.discriminator_terms(GANBatch(lambda x: x @ w, real, fake))
    torch.manual_seed(0)
    b = cls(weight=0.5).discriminator_terms(GANBatch(lambda x: x @ w, real, fake))
    assert a == b
    with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}\.{old} is deprecated"):
        assert getattr(loss, old) == 0.5
    with pytest.raises(TypeError, match=rf"both weight= and its deprecated alias {old}="):
        cls(weight=1.0, **{old: 0.5})


def test_old_loss_reprs_in_checkpoints_read_as_the_new_spelling() -> None:
    old = "NSGAN() + 0.5 * R1Penalty(gamma=0.1)"
    assert upgrade_loss_repr(old) == repr(L.NSGAN() + 0.5 * L.R1Penalty(weight=0.1))
    assert upgrade_loss_repr("WGANGP(gp_weight=1.0)") == repr(L.WGANGP(weight=1.0))
    assert upgrade_loss_repr("GradientPenalty(weight=5.0)") == "GradientPenalty(weight=5.0)"


def test_the_registry_lists_every_loss_class() -> None:
    assert L.list_losses() == [c.__name__ for c in LOSS_CLASSES]
    assert all(L.get_loss_class(c.__name__) is c for c in LOSS_CLASSES)
    with pytest.raises(KeyError, match="unknown loss 'Nope'; registered losses"):
        L.get_loss_class("Nope")
    with pytest.raises(TypeError, match=r"only gankit\.losses\.Loss subclasses"):
        L.register_loss(int)  # type: ignore[type-var]

    class NSGAN(L.NSGAN):
        pass

    with pytest.raises(ValueError, match="a different loss class is already registered"):
        L.register_loss(NSGAN)
