"""The pure transforms of gankit.augment.functional against hand-computed cases."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor

from gankit.augment import (
    affine_resample,
    blit,
    brightness,
    color_transform,
    contrast,
    cutout,
    saturation,
    translate,
)

DT = torch.float64


def grid4() -> Tensor:
    """A 1x1x4x4 image holding 1..16 row by row."""
    return torch.arange(1.0, 17.0, dtype=DT).view(1, 1, 4, 4)


# ------------------------------------------------------------------ colour
def test_brightness_adds_one_constant_per_sample() -> None:
    x = torch.tensor([[[[0.0, 1.0]]], [[[-1.0, 0.5]]]], dtype=DT)  # (2, 1, 1, 2)
    out = brightness(x, torch.tensor([0.25, -0.5], dtype=DT))
    assert out.tolist() == [[[[0.25, 1.25]]], [[[-1.5, 0.0]]]]


def test_saturation_scales_the_distance_from_the_channel_mean() -> None:
    # One RGB pixel (0.9, 0.3, -0.6): channel mean 0.2, deviations (0.7, 0.1, -0.8).
    x = torch.tensor([0.9, 0.3, -0.6], dtype=DT).view(1, 3, 1, 1)
    out = saturation(x, torch.tensor([2.0], dtype=DT))
    torch.testing.assert_close(out.flatten(), torch.tensor([1.6, 0.4, -1.4], dtype=DT))
    torch.testing.assert_close(saturation(x, torch.zeros(1, dtype=DT)).flatten(),
                               torch.full((3,), 0.2, dtype=DT))  # factor 0: grey
    grey = torch.randn(3, 1, 4, 4, dtype=DT)
    assert torch.equal(saturation(grey, torch.tensor([0.0, 0.7, 2.0], dtype=DT)), grey)


def test_contrast_scales_the_distance_from_the_image_mean() -> None:
    # Two channels of two pixels: values 1, 3, 5, 7, mean 4; factor 1.5 -> 4 + 1.5 (v - 4).
    x = torch.tensor([1.0, 3.0, 5.0, 7.0], dtype=DT).view(1, 2, 1, 2)
    out = contrast(x, torch.tensor([1.5], dtype=DT))
    assert out.flatten().tolist() == [-0.5, 2.5, 5.5, 8.5]
    # The mean is per sample: a second sample with a different mean scales about its own.
    two = torch.cat([x, x + 10.0])
    out = contrast(two, torch.tensor([1.5, 0.5], dtype=DT))
    assert out[1].flatten().tolist() == [12.5, 13.5, 14.5, 15.5]


# ------------------------------------------------------------- translation
def test_translation_by_one_row_moves_the_content_down_with_zero_padding() -> None:
    out = translate(grid4(), torch.tensor([[1, 0]]))
    expected = [[0, 0, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
    assert out[0, 0].tolist() == expected


def test_translation_left_and_up_and_off_the_image() -> None:
    out = translate(grid4(), torch.tensor([[-1, -2]]))
    expected = [[7, 8, 0, 0], [11, 12, 0, 0], [15, 16, 0, 0], [0, 0, 0, 0]]
    assert out[0, 0].tolist() == expected
    assert translate(grid4(), torch.tensor([[0, 4]])).abs().sum() == 0  # all moved out


def test_translation_is_per_sample_and_per_channel_alike() -> None:
    x = torch.randn(3, 2, 5, 5, dtype=DT)
    shift = torch.tensor([[0, 0], [2, -1], [-3, 3]])
    out = translate(x, shift)
    assert torch.equal(out[0], x[0])
    assert torch.equal(out[1, :, 2:, :4], x[1, :, :3, 1:])
    assert torch.equal(out[2, :, :2, 3:], x[2, :, 3:, :2])


def test_translation_gradient_is_the_inverse_shift_of_the_output_gradient() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 2, 5, 6, dtype=DT, requires_grad=True)
    shift = torch.tensor([[1, -2], [-3, 0]])
    g = torch.randn(2, 2, 5, 6, dtype=DT)
    (translate(x, shift) * g).sum().backward()
    # Pixel u goes to u + s, so its gradient is g[u + s] (0 where u + s is outside).
    assert torch.equal(x.grad, translate(g, -shift))


# ------------------------------------------------------------------ cutout
def test_cutout_zeroes_exactly_the_square() -> None:
    out = cutout(grid4(), torch.tensor([[1, 2]]), 2)
    expected = [[1, 2, 3, 4], [5, 6, 0, 0], [9, 10, 0, 0], [13, 14, 15, 16]]
    assert out[0, 0].tolist() == expected


def test_cutout_is_clipped_at_the_border_and_takes_rectangles() -> None:
    out = cutout(grid4(), torch.tensor([[-1, 3]]), 2)  # only (0, 3) is inside
    assert (out[0, 0] == 0).nonzero().tolist() == [[0, 3]]
    out = cutout(torch.ones(1, 1, 4, 4), torch.tensor([[0, 0]]), (1, 3))
    assert out[0, 0, 0].tolist() == [0, 0, 0, 1] and out[0, 0, 1:].min() == 1


def test_cutout_gradient_is_the_mask() -> None:
    x = torch.randn(2, 3, 4, 4, dtype=DT, requires_grad=True)
    cutout(x, torch.tensor([[1, 1], [2, 0]]), 2).sum().backward()
    mask = torch.ones(2, 1, 4, 4, dtype=DT)
    mask[0, :, 1:3, 1:3] = 0
    mask[1, :, 2:4, 0:2] = 0
    assert torch.equal(x.grad, mask.expand(2, 3, 4, 4))


# -------------------------------------------------------------------- blit
@pytest.mark.parametrize("turns", [0, 1, 2, 3, -1, 5])
@pytest.mark.parametrize("flip", [False, True])
def test_blit_flip_and_quarter_turns_are_torch_flip_then_rot90(turns: int, flip: bool) -> None:
    x = torch.randn(3, 2, 5, 5, dtype=DT)
    out = blit(x, torch.full((3,), flip), torch.full((3,), turns), torch.zeros(3, 2, dtype=int))
    assert torch.equal(out, torch.rot90(x.flip(3) if flip else x, turns, (2, 3)))


def test_blit_shift_mirrors_the_border() -> None:
    x = torch.arange(5.0, dtype=DT).view(1, 1, 1, 5).expand(1, 1, 5, 5)
    out = blit(x, torch.tensor([False]), torch.tensor([0]), torch.tensor([[0, 2]]))
    # reflect padding (the edge pixel is not repeated): ... 2 1 | 0 1 2 3 4
    assert out[0, 0, 0].tolist() == [2, 1, 0, 1, 2]
    out = blit(x, torch.tensor([False]), torch.tensor([0]), torch.tensor([[0, -3]]))
    assert out[0, 0, 0].tolist() == [3, 4, 3, 2, 1]


def test_blit_applies_the_flip_before_the_turn_and_the_shift_last() -> None:
    x = torch.randn(1, 1, 6, 6, dtype=DT)
    out = blit(x, torch.tensor([True]), torch.tensor([1]), torch.tensor([[1, 0]]))
    turned = torch.rot90(x.flip(3), 1, (2, 3))
    assert torch.equal(out[..., 1:, :], turned[..., :-1, :])
    assert torch.equal(out[..., 0, :], turned[..., 1, :])  # the mirror of row 1


# --------------------------------------------------------- resample, colour
def test_affine_resample_identity_and_half_turn() -> None:
    x = torch.randn(2, 3, 6, 6, dtype=DT)
    identity = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=DT).expand(2, 2, 3)
    torch.testing.assert_close(affine_resample(x, identity), x)
    torch.testing.assert_close(affine_resample(x, -identity), x.flip(2, 3))


def test_affine_resample_shift_by_one_pixel_reflects_at_the_border() -> None:
    x = torch.arange(4.0, dtype=DT).view(1, 1, 1, 4).expand(1, 1, 4, 4)
    # Input x = output x + 0.5 (normalised), i.e. one pixel to the right of 4.
    theta = torch.tensor([[[1.0, 0.0, 0.5], [0.0, 1.0, 0.0]]], dtype=DT)
    torch.testing.assert_close(affine_resample(x, theta)[0, 0, 0],
                               torch.tensor([1.0, 2.0, 3.0, 3.0], dtype=DT))


def test_color_transform_by_hand() -> None:
    x = torch.tensor([1.0, 2.0], dtype=DT).view(1, 2, 1, 1)
    matrix = torch.tensor([[[2.0, 1.0], [0.0, -1.0]]], dtype=DT)
    out = color_transform(x, matrix, torch.tensor([[0.5, 1.0]], dtype=DT))
    assert out.flatten().tolist() == [4.5, -1.0]  # (2 + 2 + 0.5, -2 + 1)


# --------------------------------------------------------------- gradients
def _draws(n: int) -> dict[str, tuple]:
    return {
        "brightness": (brightness, (torch.rand(n, dtype=DT) - 0.5,)),
        "saturation": (saturation, (torch.rand(n, dtype=DT) * 2,)),
        "contrast": (contrast, (torch.rand(n, dtype=DT) + 0.5,)),
        "translate": (translate, (torch.tensor([[1, -1], [0, 2]]),)),
        "cutout": (cutout, (torch.tensor([[0, 1], [2, -1]]), 2)),
        "blit": (blit, (torch.tensor([True, False]), torch.tensor([1, 3]),
                        torch.tensor([[1, 0], [-1, 2]]))),
        "affine_resample": (affine_resample, (
            torch.tensor([[[0.8, -0.3, 0.1], [0.4, 0.9, -0.2]]] * 2, dtype=DT),)),
        "color_transform": (color_transform, (torch.randn(n, 3, 3, dtype=DT),
                                              torch.randn(n, 3, dtype=DT))),
    }


@pytest.mark.parametrize("name", sorted(_draws(2)))
def test_gradcheck_in_the_images(name: str) -> None:
    torch.manual_seed(1)
    fn, args = _draws(2)[name]
    x = torch.randn(2, 3, 4, 4, dtype=DT, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: fn(t, *args), (x,))


@pytest.mark.parametrize("name", sorted(_draws(2)))
def test_dtype_shape_and_bad_images(name: str) -> None:
    fn, args = _draws(2)[name]
    x = torch.randn(2, 3, 4, 4, dtype=DT)
    out = fn(x, *args)
    assert out.shape == x.shape and out.dtype == DT
    with pytest.raises(ValueError, match=r"x must be a batch of images of shape "
                                         r"\(N, C, H, W\), got \(2, 48\)"):
        fn(x.flatten(1), *args)
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor, got dtype "
                                        r"torch\.int64"):
        fn(x.long(), *args)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: brightness(x, torch.zeros(3)), ValueError,
         r"shift must have shape \(2,\) \(one per sample\), got \(3,\)"),
        (lambda x: translate(x, torch.zeros(2, 2)), TypeError,
         "shift must be an integer tensor, got dtype torch.float32"),
        (lambda x: translate(x, torch.zeros(2, dtype=int)), ValueError,
         r"shift must have shape \(2, 2\)"),
        (lambda x: cutout(x, torch.zeros(2, 2, dtype=int), 0), ValueError,
         r"each size in size must be a positive int \(>= 1\), got 0"),
        (lambda x: cutout(x, torch.zeros(2, 2, dtype=int), (1, 2, 3)), TypeError,
         r"size must be an int or a pair of ints"),
        (lambda x: blit(x[..., :3], torch.zeros(2, dtype=bool), torch.zeros(2, dtype=int),
                        torch.zeros(2, 2, dtype=int)), ValueError,
         r"blit needs square images \(N, C, H, H\), got \(2, 1, 4, 3\)"),
        (lambda x: affine_resample(x, torch.zeros(2, 3, 3)), ValueError,
         r"theta must have shape \(2, 2, 3\), got \(2, 3, 3\)"),
    ],
)
def test_bad_draws_are_rejected(call, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call(torch.zeros(2, 1, 4, 4))
