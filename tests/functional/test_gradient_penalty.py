"""WGAN-GP's gradient penalty: closed forms, per-sample norms, any shape, conditioning."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor, nn

from gankit.functional import gradient_penalty, interpolate

DT = torch.float64


def tanh_mlp(in_dim: int, seed: int = 0) -> tuple[list[Tensor], nn.Module]:
    """A small smooth non-linear critic, with its parameters."""
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(in_dim, 8), nn.Tanh(), nn.Linear(8, 1)).to(DT)
    return list(net.parameters()), net


def as_critic(net: nn.Module):
    return lambda x: net(x.flatten(1)).squeeze(1)


def batch(shape: tuple[int, ...], seed: int = 1) -> tuple[Tensor, Tensor, Tensor]:
    gen = torch.Generator().manual_seed(seed)
    real = torch.randn(shape, generator=gen, dtype=DT)
    fake = torch.randn(shape, generator=gen, dtype=DT)
    alpha = torch.rand(shape[0], generator=gen, dtype=DT)
    return real, fake, alpha


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0, None])
def test_linear_critic_gives_norm_of_w_minus_one_squared(alpha: float | None) -> None:
    real, fake, _ = batch((6, 3))
    w, b = torch.tensor([1.0, -2.0, 2.0], dtype=DT), 0.7  # ||w|| = 3
    a = None if alpha is None else torch.full((6,), alpha, dtype=DT)
    out = gradient_penalty(lambda x: x @ w + b, real, fake, alpha=a)
    assert math.isclose(out.item(), (3.0 - 1.0) ** 2, rel_tol=1e-12)


def test_target_is_the_norm_the_penalty_pulls_towards() -> None:
    real, fake, _ = batch((4, 2))
    w = torch.tensor([3.0, 4.0], dtype=DT)  # ||w|| = 5
    assert math.isclose(gradient_penalty(lambda x: x @ w, real, fake, target=0.0).item(), 25.0)
    assert math.isclose(gradient_penalty(lambda x: x @ w, real, fake, target=5.0).item(), 0.0)


def batch_global_penalty(critic, real: Tensor, fake: Tensor, alpha: Tensor) -> Tensor:
    """A WRONG penalty: one norm over the whole batch's gradient (the bug to catch)."""
    x = interpolate(real, fake, alpha).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x)
    return (g.norm() - 1.0) ** 2


def per_sample_reference(critic, real: Tensor, fake: Tensor, alpha: Tensor) -> Tensor:
    """Each sample's penalty computed alone (a batch of one, the same ε), then averaged."""
    values = [gradient_penalty(critic, real[i : i + 1], fake[i : i + 1], alpha=alpha[i : i + 1])
              for i in range(real.shape[0])]
    return torch.stack(values).mean()


@pytest.mark.parametrize("shape", [(8, 2), (5, 3, 4, 4)])
def test_nonlinear_critic_penalty_is_the_mean_of_per_sample_penalties(shape) -> None:
    real, fake, alpha = batch(shape)
    _, net = tanh_mlp(math.prod(shape[1:]))
    critic = as_critic(net)
    expected = per_sample_reference(critic, real, fake, alpha)
    torch.testing.assert_close(gradient_penalty(critic, real, fake, alpha=alpha), expected)
    # The test can fail: a batch-global norm does not match it.
    wrong = batch_global_penalty(critic, real, fake, alpha)
    assert not torch.allclose(wrong, expected, rtol=1e-3)


def test_one_epsilon_per_sample_in_0_1() -> None:
    real, fake, _ = batch((64, 3, 2))
    seen: list[Tensor] = []

    def spy(x: Tensor) -> Tensor:
        seen.append(x.detach())
        return x.flatten(1).sum(1)

    gradient_penalty(spy, real, fake, generator=torch.Generator().manual_seed(0))
    ratio = ((seen[0] - fake) / (real - fake)).flatten(1)  # ε_i in every coordinate
    torch.testing.assert_close(ratio, ratio[:, :1].expand_as(ratio))
    eps = ratio[:, 0]
    assert eps.min() >= 0.0 and eps.max() <= 1.0
    assert eps.std() > 0.1  # drawn per sample, not one ε for the batch


def test_epsilon_comes_from_the_generator_or_the_global_rng() -> None:
    real, fake, _ = batch((16, 2))
    _, net = tanh_mlp(2)
    critic = as_critic(net)
    a = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(3))
    b = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(3))
    c = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    torch.manual_seed(5)
    d = gradient_penalty(critic, real, fake)
    torch.manual_seed(5)
    assert torch.equal(d, gradient_penalty(critic, real, fake))


@pytest.mark.parametrize("channels", [1, 3, 5])
def test_images_with_any_number_of_channels(channels: int) -> None:
    real, fake, alpha = batch((4, channels, 5, 5))
    # A linear image critic <W, x>: the gradient is W for every sample.
    W = torch.randn(channels, 5, 5, dtype=DT, generator=torch.Generator().manual_seed(9))
    linear = gradient_penalty(lambda x: (x * W).flatten(1).sum(1), real, fake, alpha=alpha)
    assert math.isclose(linear.item(), (W.norm().item() - 1.0) ** 2, rel_tol=1e-12)
    # A non-linear convolutional critic, against the per-sample reference.
    torch.manual_seed(0)
    conv = nn.Sequential(nn.Conv2d(channels, 3, 3), nn.Tanh(), nn.Flatten(),
                         nn.Linear(27, 1)).to(DT)
    critic = lambda x: conv(x).squeeze(1)  # noqa: E731
    torch.testing.assert_close(gradient_penalty(critic, real, fake, alpha=alpha),
                               per_sample_reference(critic, real, fake, alpha))


def test_conditional_critic_gets_the_labels() -> None:
    real, fake, alpha = batch((6, 3))
    W = torch.tensor([[3.0, 4.0, 0.0], [0.0, 0.0, 2.0], [1.0, 2.0, 2.0]], dtype=DT)  # norms 5, 2, 3
    labels = torch.tensor([0, 1, 2, 2, 1, 0])

    def critic(x: Tensor, y: Tensor) -> Tensor:
        return (x * W[y]).sum(1)

    out = gradient_penalty(critic, real, fake, labels=labels, alpha=alpha)
    expected = sum((n - 1.0) ** 2 for n in [5.0, 2.0, 3.0, 3.0, 2.0, 5.0]) / 6
    assert math.isclose(out.item(), expected, rel_tol=1e-12)


def test_penalty_backpropagates_into_the_critic_and_not_into_the_generator() -> None:
    real, fake, _ = batch((5, 2))
    w = torch.tensor([3.0, 4.0], dtype=DT, requires_grad=True)
    gradient_penalty(lambda x: x @ w, real, fake).backward()
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||
    torch.testing.assert_close(w.grad, 2 * (5.0 - 1.0) * w.detach() / 5.0)
    # A non-linear critic's penalty depends on where x̂ lies, yet the generator that
    # made the fakes gets no gradient: fake (and real) are detached inside.
    _, net = tanh_mlp(2)
    g_weight = torch.tensor(2.0, dtype=DT, requires_grad=True)
    real_weight = torch.tensor(1.0, dtype=DT, requires_grad=True)
    out = gradient_penalty(as_critic(net), real_weight * real, g_weight * fake)
    out.backward()
    assert g_weight.grad is None and real_weight.grad is None
    assert all(p.grad is not None for p in net[0].parameters())


def test_gradcheck_with_respect_to_the_critics_parameters() -> None:
    real, fake, alpha = batch((4, 3))
    params, _ = tanh_mlp(3)

    def penalty(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
        critic = lambda x: (torch.tanh(x @ w1.T + b1) @ w2.T + b2).squeeze(1)  # noqa: E731
        return gradient_penalty(critic, real, fake, alpha=alpha)

    inputs = [p.detach().clone().requires_grad_(True) for p in params]
    assert torch.autograd.gradcheck(penalty, inputs)


def test_gradcheck_interpolate() -> None:
    real, fake, alpha = (t.requires_grad_(True) for t in batch((3, 2, 2)))
    assert torch.autograd.gradcheck(interpolate, (real, fake, alpha))


def test_constant_critic_has_zero_gradient_and_penalty_target_squared() -> None:
    real, fake, _ = batch((3, 2))
    c = torch.tensor(1.5, dtype=DT, requires_grad=True)
    assert gradient_penalty(lambda x: c.expand(x.shape[0]), real, fake).item() == 1.0
    assert gradient_penalty(lambda x: 0.0 * x.sum(1), real, fake, target=2.0).item() == 4.0


def test_works_under_no_grad() -> None:
    real, fake, _ = batch((3, 2))
    w = torch.tensor([3.0, 4.0], dtype=DT)
    with torch.no_grad():
        assert gradient_penalty(lambda x: x @ w, real, fake).item() == 16.0


def test_bad_inputs_get_clear_errors() -> None:
    real, fake, alpha = batch((4, 2))
    critic = lambda x: x.sum(1)  # noqa: E731
    with pytest.raises(ValueError, match=r"real and fake must have the same shape, got \(4, 2\)"):
        gradient_penalty(critic, real, fake[:3])
    with pytest.raises(ValueError, match=r"alpha must have shape \(4,\) or \(4, 1\)"):
        gradient_penalty(critic, real, fake, alpha=alpha[:2])
    with pytest.raises(ValueError, match="either alpha or generator"):
        gradient_penalty(critic, real, fake, alpha=alpha, generator=torch.Generator())
    with pytest.raises(ValueError, match="target must be a finite number >= 0, got -1"):
        gradient_penalty(critic, real, fake, target=-1.0)
    with pytest.raises(ValueError, match=r"shape \(4,\) on the interpolates, got \(4, 1\)"):
        gradient_penalty(lambda x: x[:, :1], real, fake)
    with pytest.raises(ValueError, match=r"labels must have batch size 4 .*got \(3,\)"):
        gradient_penalty(lambda x, y: x.sum(1), real, fake, labels=torch.zeros(3, dtype=torch.long))
    with pytest.raises(TypeError, match="real must be a floating-point tensor"):
        gradient_penalty(critic, real.long(), fake)
    with pytest.raises(ValueError, match=r"real must have shape \(N, \*S\)"):
        gradient_penalty(critic, real[:, 0], fake[:, 0])
