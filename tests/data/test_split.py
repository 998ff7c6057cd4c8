"""Stratified splits and fractions against hand-counted cases."""

from __future__ import annotations

import numpy as np
import pytest

from gankit.data import digits_split_indices, stratified_fraction, stratified_split


def test_split_partitions_and_holds_out_per_class() -> None:
    target = np.array([0] * 7 + [1] * 5 + [2] * 9)
    train, test = stratified_split(target, 3, seed=4)
    assert np.bincount(target[test]).tolist() == [3, 3, 3]
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(21))
    assert np.all(np.diff(test) > 0) and np.all(np.diff(train) > 0)
    order = np.random.RandomState(4).permutation(21)  # the documented visiting order
    first = [order[target[order] == k][:3] for k in range(3)]
    assert np.array_equal(test, np.sort(np.concatenate(first)))


def test_digits_split_is_the_shared_one() -> None:
    target = np.repeat(np.arange(10), 40)
    assert all(np.array_equal(a, b) for a, b in zip(
        digits_split_indices(target), stratified_split(target, 30, 0)))


@pytest.mark.parametrize("fraction, per_class", [(1.0, [10, 4]), (0.5, [5, 2]), (0.1, [1, 1])])
def test_fraction_keeps_ceil_of_each_class(fraction: float, per_class: list[int]) -> None:
    target = np.array([0] * 10 + [1] * 4)
    keep = stratified_fraction(target, fraction)
    assert np.bincount(target[keep], minlength=2).tolist() == per_class


def test_fractions_are_nested() -> None:
    target = np.repeat(np.arange(10), 400)
    small, large = stratified_fraction(target, 0.1, seed=2), stratified_fraction(target, 0.3, 2)
    assert len(small) == 400 and np.isin(small, large).all()


@pytest.mark.parametrize("bad", [0, 0.0, 1.5, -0.1, True, "0.5"])
def test_bad_fraction(bad: object) -> None:
    with pytest.raises(ValueError, match=r"fraction must be a number in \(0, 1\]"):
        stratified_fraction(np.zeros(4, dtype=int), bad)  # type: ignore[arg-type]


def test_bad_target_and_count() -> None:
    with pytest.raises(ValueError, match="1-D array of integer class labels"):
        stratified_split(np.zeros((2, 2), dtype=int), 1)
    with pytest.raises(ValueError, match="held_out_per_class must be an int >= 1"):
        stratified_split(np.zeros(4, dtype=int), 0)
    with pytest.raises(ValueError, match="class 0 has 4 images, needs more than 4"):
        stratified_split(np.zeros(4, dtype=int), 4)
