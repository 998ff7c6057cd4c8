"""DiffAugment: its policies, the distributions of its random draws, and its gradients."""

from __future__ import annotations

import pytest
import torch

from gankit.augment import POLICIES, DiffAugment

DT = torch.float64
N = 20_000  # samples for the distribution checks: a frequency's std is below 0.004


def test_brightness_draws_are_uniform_on_minus_half_to_half() -> None:
    torch.manual_seed(0)
    b = DiffAugment("brightness")(torch.zeros(N, 1, 1, 1, dtype=DT)).flatten()
    assert -0.5 <= b.min() < -0.49 and 0.49 < b.max() < 0.5
    assert abs(b.mean()) < 0.01 and abs(b.var() - 1 / 12) < 0.003  # U(-0.5, 0.5)
    assert abs((b < -0.25).double().mean() - 0.25) < 0.015


def test_saturation_draws_are_uniform_on_zero_to_two() -> None:
    torch.manual_seed(0)
    x = torch.tensor([1.0, -1.0, 0.0], dtype=DT).view(1, 3, 1, 1).expand(N, 3, 1, 1)
    s = DiffAugment("saturation")(x)[:, 0].flatten()  # channel mean 0: out = s * x
    assert 0.0 <= s.min() < 0.01 and 1.99 < s.max() < 2.0
    assert abs(s.mean() - 1.0) < 0.02 and abs(s.var() - 4 / 12) < 0.01


def test_contrast_draws_are_uniform_on_half_to_one_and_a_half() -> None:
    torch.manual_seed(0)
    x = torch.tensor([1.0, -1.0], dtype=DT).view(1, 1, 1, 2).expand(N, 1, 1, 2)
    c = DiffAugment("contrast")(x)[:, 0, 0, 0]  # image mean 0: out = c * x
    assert 0.5 <= c.min() < 0.51 and 1.49 < c.max() < 1.5
    assert abs(c.mean() - 1.0) < 0.01


def test_color_is_brightness_then_saturation_then_contrast() -> None:
    x = torch.randn(5, 3, 4, 4, dtype=DT)
    torch.manual_seed(3)
    expected = DiffAugment("brightness,saturation,contrast")(x)
    torch.manual_seed(3)
    assert torch.equal(DiffAugment("color")(x), expected)


@pytest.mark.parametrize(("size", "largest"), [(28, 4), (16, 2), (8, 1), (4, 1), (3, 0)])
def test_translation_draws_every_integer_shift_up_to_an_eighth(size: int, largest: int) -> None:
    # floor(size / 8 + 1/2): 28 -> 4 (3.5 rounds up), 16 -> 2, 4 -> 1, 3 -> 0 (no shift).
    torch.manual_seed(0)
    x = torch.zeros(N, 1, size, size, dtype=DT)
    centre = size // 2
    x[:, :, centre, centre] = 1.0
    out = DiffAugment("translation")(x)
    assert torch.equal(out.flatten(1).sum(1), torch.ones(N, dtype=DT))  # the pixel stays inside
    where = out[:, 0].flatten(1).argmax(1)
    rows, cols = where // size - centre, where % size - centre
    values = list(range(-largest, largest + 1))
    for shifts in (rows, cols):
        assert sorted(shifts.unique().tolist()) == values
        freq = torch.bincount(shifts + largest).double() / N
        assert (freq - 1 / len(values)).abs().max() < 0.02
    if largest:  # rows and columns are drawn independently
        assert abs(torch.corrcoef(torch.stack([rows, cols]).double())[0, 1]) < 0.03


@pytest.mark.parametrize(("size", "side", "tops"), [(8, 4, range(-2, 7)), (6, 3, range(-1, 5))])
def test_cutout_draws_a_half_size_square_at_every_position(size: int, side: int,
                                                           tops: range) -> None:
    # Even side 4 on 8x8: centre in 0..8, top = centre - 2. Odd side 3 on 6x6: centre 0..5.
    torch.manual_seed(0)
    out = DiffAugment("cutout")(torch.ones(N, 1, size, size, dtype=DT))[:, 0]  # (N, H, W)
    hole = out == 0
    found = []
    for axis in (2, 1):  # rows: any zero along the columns; then columns
        lines = hole.any(axis)  # (N, size)
        first = lines.int().argmax(1)
        last = size - 1 - lines.flip(1).int().argmax(1)
        top = torch.where(first > 0, first, last - side + 1)
        assert ((last - first + 1) == (torch.minimum(top + side, torch.tensor(size))
                                       - top.clamp(min=0))).all()
        found.append(top)
    for top in found:
        assert sorted(top.unique().tolist()) == list(tops)
        freq = torch.bincount(top - tops.start).double() / N
        assert (freq - 1 / len(tops)).abs().max() < 0.02
    # The hole is exactly the clipped square: its area matches the two extents.
    rows_n = hole.any(2).sum(1)
    cols_n = hole.any(1).sum(1)
    assert torch.equal(hole.flatten(1).sum(1), rows_n * cols_n)


def test_the_draws_come_from_the_global_rng() -> None:
    x = torch.randn(8, 3, 8, 8)
    augment = DiffAugment()
    torch.manual_seed(7)
    a = augment(x)
    torch.manual_seed(7)
    assert torch.equal(augment(x), a)
    assert not torch.equal(augment(x), a)  # the next call draws afresh


def test_gradcheck_through_the_whole_policy() -> None:
    augment = DiffAugment("color,translation,cutout")

    def fixed_draws(x: torch.Tensor) -> torch.Tensor:
        torch.manual_seed(0)
        return augment(x)

    x = torch.randn(3, 3, 6, 6, dtype=DT, requires_grad=True)
    assert torch.autograd.gradcheck(fixed_draws, (x,))
    y = fixed_draws(x)
    assert y.dtype == DT and y.shape == x.shape


def test_policy_is_validated_with_the_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown DiffAugment policy name\(s\) \['colour'\] in "
                       r"'colour,cutout'; valid names: brightness, color, contrast, cutout, "
                       r"saturation, translation"):
        DiffAugment("colour,cutout")
    with pytest.raises(ValueError, match=r"unknown DiffAugment policy name\(s\) \[''\]"):
        DiffAugment("")
    with pytest.raises(TypeError, match="policy must be a string of comma-separated names"):
        DiffAugment(["color"])  # type: ignore[arg-type]


def test_policy_is_normalised_and_round_trips() -> None:
    augment = DiffAugment(" color , cutout")
    assert augment.policy == "color,cutout"
    assert augment.get_config() == {"policy": "color,cutout"}
    assert repr(augment) == "DiffAugment(policy='color,cutout')"
    assert augment.state_dict() == {}
    assert sorted(POLICIES) == ["brightness", "color", "contrast", "cutout", "saturation",
                                "translation"]


def test_non_image_input_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"x must be a batch of images of shape \(N, C, H, W\), "
                                         r"got \(4, 2\)"):
        DiffAugment()(torch.zeros(4, 2))
