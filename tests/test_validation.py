"""The shared argument checks: each returns the validated value or names expected and given."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from gankit import _validation as V


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (V.check_positive_int, 3, 3),
        (V.check_positive_float, 2, 2.0),
        (V.check_nonnegative, 0, 0.0),
        (V.check_finite, -1, -1.0),
        (V.check_probability, 0, 0.0),
        (V.check_path, "a/b", Path("a/b")),
        (V.check_shape_tuple, [1, 2], (1, 2)),
        (V.check_image_shape, [3, 8, 8], (3, 8, 8)),
    ],
)
def test_a_check_returns_the_value_in_plain_form(check, value, expected) -> None:
    out = check(value, "x")
    assert out == expected and type(out) is type(expected)


def test_optional_and_generator_checks_pass_none_through() -> None:
    assert V.check_optional_positive_int(None, "x") is None
    assert V.check_generator(None) is None
    g = torch.Generator()
    assert V.check_generator(g) is g


@pytest.mark.parametrize(
    ("check", "value", "error", "message"),
    [
        (V.check_positive_int, 0, ValueError, "x must be a positive int (>= 1), got 0"),
        (V.check_positive_int, True, TypeError, "x must be a positive int, got bool True"),
        (V.check_positive_int, 1.0, TypeError, "x must be a positive int, got float 1.0"),
        (V.check_positive_float, 0, ValueError, "x must be a finite number > 0, got 0.0"),
        (V.check_positive_float, math.inf, ValueError, "x must be a finite number > 0, got inf"),
        (V.check_positive_float, "1", TypeError, "x must be a finite number > 0, got str '1'"),
        (V.check_nonnegative, -1, ValueError, "x must be a finite number >= 0, got -1.0"),
        (V.check_finite, math.nan, ValueError, "x must be a finite number, got nan"),
        (V.check_probability, 1.0, ValueError, "x must lie in [0, 1), got 1.0"),
        (V.check_probability, None, TypeError, "x must be a number, got NoneType None"),
        (V.check_path, 3, TypeError, "x must be a str or os.PathLike, got int"),
        (V.check_shape_tuple, (), ValueError, "x must have at least one dimension, got ()"),
        (V.check_image_shape, (3, 8, 4), ValueError, "x must be a square image shape"),
        (V.check_generator, 0, TypeError, "x must be a torch.Generator or None, got int"),
    ],
)
def test_a_check_names_expected_and_given(check, value, error, message) -> None:
    with pytest.raises(error) as info:
        check(value, "x")
    assert str(info.value).startswith(message)


def test_fraction_bounds_are_open_or_closed_as_asked() -> None:
    assert V.check_fraction(1, "x", open_low=True, closed_high=True) == 1.0
    with pytest.raises(ValueError, match=r"x must lie in \(0, 1\], got 0"):
        V.check_fraction(0, "x", open_low=True, closed_high=True)


def test_batch_logits_must_be_non_empty() -> None:
    V.check_batch_logits(torch.zeros(2), "logits")
    with pytest.raises(ValueError, match=r"logits must hold at least one sample, got shape \(0,\)"):
        V.check_batch_logits(torch.zeros(0), "logits")
