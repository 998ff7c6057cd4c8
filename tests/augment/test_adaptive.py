"""ADA: the p update against its formula, state round trips, and the pipeline's transforms."""

from __future__ import annotations

import math

import pytest
import torch

from gankit.augment import AdaptiveAugment
from gankit.augment._matrices import color_affine, geometric_theta

DT = torch.float64


def logits_with(positive: int, negative: int, zero: int = 0) -> torch.Tensor:
    """A batch of D(real) logits with the given counts of signs."""
    return torch.tensor([2.5] * positive + [-0.5] * negative + [0.0] * zero)


def reference_p(p: float, batches: list[torch.Tensor], target: float, speed_kimg: float,
                interval: int, max_p: float = 1.0) -> list[float]:
    """The ADA update written out in Python floats: p after each observe() call."""
    out, signs, seen, calls = [], 0.0, 0, 0
    for batch in batches:
        signs += sum(math.copysign(1.0, v) if v else 0.0 for v in batch.tolist())
        seen, calls = seen + len(batch), calls + 1
        if calls == interval:
            rt = signs / seen
            step = (rt > target) - (rt < target)
            p = min(max(p + step * seen / (speed_kimg * 1000.0), 0.0), max_p)
            signs, seen, calls = 0.0, 0, 0
        out.append(p)
    return out


def observed_p(ada: AdaptiveAugment, batches: list[torch.Tensor]) -> list[float]:
    out = []
    for batch in batches:
        ada.observe(batch)
        out.append(ada.log_metrics()["augment/p"])
    return out


# Each interval is 3 calls of 5 logits: 15 images, so p moves by 15 / 50 = 0.3 per interval.
ABOVE, BELOW = logits_with(5, 0), logits_with(1, 4)  # r_t = 1 and r_t = -0.6


def test_p_moves_only_every_interval_calls_by_the_images_seen() -> None:
    ada = AdaptiveAugment(target=0.6, speed_kimg=0.05, interval=3)
    got = observed_p(ada, [ABOVE] * 7)
    assert got == pytest.approx([0.0, 0.0, 0.3, 0.3, 0.3, 0.6, 0.6], abs=1e-12)
    assert float(ada.rt) == 1.0


def test_p_follows_the_formula_up_and_down_and_is_clipped_at_0_and_1() -> None:
    batches = [ABOVE] * 12 + [BELOW] * 15 + [ABOVE, BELOW, ABOVE] * 2
    ada = AdaptiveAugment(target=0.6, speed_kimg=0.05, interval=3)
    got = observed_p(ada, batches)
    expected = reference_p(0.0, batches, 0.6, 0.05, 3)
    assert got == pytest.approx(expected, abs=1e-12)
    per_interval = expected[2::3]
    # up 0.3, 0.6, 0.9, then clipped at 1; down to 0.7, 0.4, 0.1, then clipped at 0;
    # then r_t = (5 + -3 + 5) / 15 = 7/15 < 0.6 twice: stays at 0.
    assert per_interval == pytest.approx([0.3, 0.6, 0.9, 1.0, 0.7, 0.4, 0.1, 0.0, 0.0, 0.0, 0.0])


def test_mixed_batches_and_zero_logits_and_r_t_at_the_target() -> None:
    # Signs +1, -1 and 0 (a logit of exactly 0 counts as 0) with different batch sizes.
    batches = [logits_with(3, 1, 2), logits_with(4, 0), logits_with(0, 3, 1), logits_with(7, 0)]
    ada = AdaptiveAugment(target=0.3, speed_kimg=0.01, interval=2, p=0.5)
    assert observed_p(ada, batches) == pytest.approx(reference_p(0.5, batches, 0.3, 0.01, 2))
    # r_t exactly at the target: sign(0) = 0, p stays.
    ada = AdaptiveAugment(target=0.6, speed_kimg=0.01, interval=1, p=0.25)
    ada.observe(logits_with(4, 1))  # (4 - 1) / 5 = 0.6
    assert float(ada.p) == 0.25 and float(ada.rt) == pytest.approx(0.6)


def test_max_p_caps_the_adjustment_and_a_none_target_keeps_p_fixed() -> None:
    ada = AdaptiveAugment(speed_kimg=0.005, interval=1, max_p=0.4)
    assert observed_p(ada, [ABOVE] * 3) == [0.4, 0.4, 0.4]
    fixed = AdaptiveAugment(target=None, p=0.3, interval=1)
    assert observed_p(fixed, [ABOVE, BELOW]) == [0.3, 0.3]
    assert fixed.get_config()["target"] is None


def test_p_and_the_accumulators_round_trip_through_the_state_dict() -> None:
    batches = [ABOVE] * 4 + [BELOW, ABOVE] * 4
    ada = AdaptiveAugment(target=0.6, speed_kimg=0.05, interval=3)
    observed_p(ada, batches[:4])  # one call into the second interval
    state = ada.state_dict()
    assert sorted(state) == ["calls", "p", "rt", "seen", "sign_sum"]
    assert state["p"].dtype == DT and float(state["p"]) == pytest.approx(0.3)
    restored = AdaptiveAugment(target=0.6, speed_kimg=0.05, interval=3)
    restored.load_state_dict(state)
    assert restored.log_metrics() == ada.log_metrics()
    # Both continue with exactly the p sequence of an uninterrupted run.
    rest = batches[4:]
    uninterrupted = reference_p(0.0, batches, 0.6, 0.05, 3)[4:]
    assert observed_p(restored, rest) == observed_p(ada, rest)
    assert observed_p(AdaptiveAugment(target=0.6, speed_kimg=0.05, interval=3), batches)[4:] \
        == pytest.approx(uninterrupted)


def test_observe_checks_the_logits() -> None:
    with pytest.raises(ValueError, match=r"real_logits must have shape \(N,\).*got \(4, 1\)"):
        AdaptiveAugment().observe(torch.zeros(4, 1))
    with pytest.raises(ValueError, match="real_logits must hold at least one sample"):
        AdaptiveAugment().observe(torch.zeros(0))


# -------------------------------------------------------------- the pipeline
@pytest.mark.parametrize("channels", [1, 3])
def test_p_0_is_the_identity_and_p_1_changes_every_sample(channels: int) -> None:
    x = torch.rand(64, channels, 8, 8) * 2 - 1
    torch.manual_seed(0)
    assert torch.equal(AdaptiveAugment(p=0.0)(x), x)
    state_after_p0 = torch.get_rng_state()
    torch.manual_seed(0)
    y = AdaptiveAugment(p=1.0)(x)
    assert ((y - x).flatten(1).abs().amax(1) > 1e-3).all()
    # The same draws whatever p is, so resuming at another p keeps the RNG in step.
    assert torch.equal(torch.get_rng_state(), state_after_p0)


def test_each_transform_is_applied_with_probability_p() -> None:
    # A grey 8x8 sample is untouched only if no transform changed it: x-flip (picked and
    # flipped: p/2), a quarter turn (3p/4), an integer shift (non-zero in 3 of 4 cases
    # for 8x8: 3p/4), the geometric group (scale, aniso, shift with p, two rotations with
    # 1 - sqrt(1 - p): (1 - p)^4 untouched), brightness (p), contrast (p), luma flip (p/2).
    p, n = 0.2, 20_000
    untouched = (1 - p / 2) ** 2 * (1 - 3 * p / 4) ** 2 * (1 - p) ** 6
    torch.manual_seed(0)
    x = torch.rand(n, 1, 8, 8) * 2 - 1
    same = (AdaptiveAugment(p=p)(x) == x).flatten(1).all(1).double().mean()
    assert abs(same - untouched) < 0.015, (float(same), untouched)


def test_the_draws_come_from_the_global_rng() -> None:
    x = torch.rand(8, 3, 8, 8) * 2 - 1
    ada = AdaptiveAugment(p=0.5)
    torch.manual_seed(3)
    a = ada(x)
    torch.manual_seed(3)
    assert torch.equal(ada(x), a) and not torch.equal(ada(x), a)


def test_gradcheck_at_p_1() -> None:
    ada = AdaptiveAugment(p=1.0)

    def fixed_draws(x: torch.Tensor) -> torch.Tensor:
        torch.manual_seed(0)
        return ada(x)

    x = torch.randn(3, 3, 4, 4, dtype=DT, requires_grad=True)
    assert torch.autograd.gradcheck(fixed_draws, (x,))


def test_colour_matrices_for_grey_and_rgb() -> None:
    n = 4
    zero, one = torch.zeros(n, dtype=DT), torch.ones(n, dtype=DT)
    # Identity parameters give the identity.
    matrix, offset = color_affine(3, zero, one, zero, zero, one)
    torch.testing.assert_close(matrix, torch.eye(3, dtype=DT).expand(n, 3, 3))
    assert torch.equal(offset, torch.zeros(n, 3, dtype=DT))
    # Grey: the luma flip negates, saturation does nothing, brightness then contrast.
    matrix, offset = color_affine(1, torch.full((n,), 0.5, dtype=DT), 2 * one, one, zero,
                                  3 * one)
    assert torch.equal(matrix, torch.full((n, 1, 1), -2.0, dtype=DT))  # -(2 (x + 0.5))
    assert torch.equal(offset, torch.full((n, 1), -1.0, dtype=DT))
    # RGB: a hue rotation is orthogonal and keeps grey; saturation 0 projects onto grey.
    hue = torch.linspace(-3, 3, n, dtype=DT)
    matrix, _ = color_affine(3, zero, one, zero, hue, one)
    torch.testing.assert_close(matrix @ matrix.transpose(1, 2),
                               torch.eye(3, dtype=DT).expand(n, 3, 3))
    torch.testing.assert_close(matrix @ torch.ones(3, dtype=DT), torch.ones(n, 3, dtype=DT))
    matrix, _ = color_affine(3, zero, one, zero, zero, zero)
    torch.testing.assert_close(matrix[0] @ torch.tensor([1.0, 0.0, -0.4], dtype=DT),
                               torch.full((3,), 0.2, dtype=DT))


def test_geometric_matrices() -> None:
    one, zero = torch.ones(1, dtype=DT), torch.zeros(1, dtype=DT)
    identity = geometric_theta(one, zero, one, zero, torch.zeros(1, 2, dtype=DT))
    assert torch.equal(identity, torch.tensor([[[1.0, 0, 0], [0, 1.0, 0]]], dtype=DT))
    half_turn = geometric_theta(one, torch.full((1,), math.pi / 2, dtype=DT), one,
                                torch.full((1,), math.pi / 2, dtype=DT),
                                torch.tensor([[0.25, 0.0]], dtype=DT))
    torch.testing.assert_close(half_turn, torch.tensor([[[-1.0, 0, -0.5], [0, -1.0, 0]]],
                                                       dtype=DT))
    aniso = geometric_theta(2 * one, zero, 2 * one, zero, torch.zeros(1, 2, dtype=DT))
    torch.testing.assert_close(aniso[0, :, :2], torch.tensor([[4.0, 0], [0, 1.0]], dtype=DT))


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: AdaptiveAugment(target=1.5), ValueError, r"target must lie in \[0, 1\], got 1.5"),
        (lambda: AdaptiveAugment(p=0.5, max_p=0.4), ValueError,
         r"p must be at most max_p = 0.4, got 0.5"),
        (lambda: AdaptiveAugment(p=-0.1), ValueError, r"p must lie in \[0, 1\]"),
        (lambda: AdaptiveAugment(interval=0), ValueError, r"interval must be a positive int"),
        (lambda: AdaptiveAugment(speed_kimg=0), ValueError,
         r"speed_kimg must be a finite number > 0"),
        (lambda: AdaptiveAugment(target="0.6"), TypeError, r"target must be a number"),
        (lambda: AdaptiveAugment()(torch.zeros(2, 1, 8, 6)), ValueError,
         r"AdaptiveAugment needs square images \(N, C, H, H\) .*got \(2, 1, 8, 6\)"),
        (lambda: AdaptiveAugment()(torch.zeros(8, 8)), ValueError,
         r"x must be a batch of images of shape \(N, C, H, W\), got \(8, 8\)"),
    ],
)
def test_bad_arguments_are_rejected(make, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_config_and_repr() -> None:
    ada = AdaptiveAugment(target=0.5, interval=2, p=0.1)
    assert ada.get_config() == {"target": 0.5, "speed_kimg": 500.0, "interval": 2, "p": 0.1,
                                "max_p": 1.0}
    assert repr(ada) == ("AdaptiveAugment(target=0.5, speed_kimg=500.0, interval=2, p=0.1, "
                         "max_p=1.0)")
