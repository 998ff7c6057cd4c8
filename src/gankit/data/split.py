"""Fixed, stratified splits of labelled data: held-out parts and training fractions.

Both functions visit the items in the order of numpy's legacy
``RandomState(seed).permutation(N)``, whose stream is frozen across numpy
versions, and return sorted index arrays, so a split is identical across
calls, machines and library versions.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

__all__ = ["stratified_fraction", "stratified_split"]


def _check_target(target: object) -> np.ndarray:
    array = np.asarray(target)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"target must be a 1-D array of integer class labels, got shape {array.shape} "
            f"and dtype {array.dtype}"
        )
    return array


def stratified_split(
    target: np.ndarray, held_out_per_class: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out the first ``held_out_per_class`` items of each class, in a fixed order.

    Args:
        target: Class labels, shape ``(N,)``.
        held_out_per_class: Items of each class that go to the held-out part;
            every class needs more than this many.
        seed: Seed of the visiting order (``RandomState(seed).permutation``).

    Returns:
        ``(train_indices, held_out_indices)``, sorted int64 arrays that
        partition ``range(N)``.

    Raises:
        ValueError: If ``target`` is not 1-D integer labels, ``held_out_per_class
            < 1``, or a class has at most ``held_out_per_class`` items.

    Shape:
        - target: ``(N,)``; outputs ``(N − hK,)`` and ``(hK,)`` for ``K`` classes.

    Example:
        >>> train, test = stratified_split(np.repeat(np.arange(2), 40), 30)
        >>> len(train), len(test), int(np.isin(test, train).sum())
        (20, 60, 0)
    """
    target = _check_target(target)
    if isinstance(held_out_per_class, bool) or not isinstance(held_out_per_class, int) or (
        held_out_per_class < 1
    ):
        raise ValueError(f"held_out_per_class must be an int >= 1, got {held_out_per_class!r}")
    order = np.random.RandomState(seed).permutation(target.shape[0])
    held_out = []
    for label in np.unique(target):
        members = order[target[order] == label]  # this class, in permutation order
        if members.shape[0] <= held_out_per_class:
            raise ValueError(
                f"class {label} has {members.shape[0]} images, needs more than "
                f"{held_out_per_class} to hold {held_out_per_class} out"
            )
        held_out.append(members[:held_out_per_class])
    test = np.sort(np.concatenate(held_out)).astype(np.int64)
    train = np.setdiff1d(np.arange(target.shape[0]), test).astype(np.int64)
    return train, test


def stratified_fraction(target: np.ndarray, fraction: float, seed: int = 0) -> np.ndarray:
    r"""Indices of a stratified ``fraction`` of the items: ``⌈f·n_k⌉`` of each class ``k``.

    The classes keep their proportions, and the subsets are nested: the
    items kept for a smaller fraction are among those kept for a larger one
    (the same visiting order is cut shorter).

    Args:
        target: Class labels, shape ``(N,)``.
        fraction: ``f`` in ``(0, 1]``.
        seed: Seed of the visiting order.

    Returns:
        Sorted int64 indices into ``target``.

    Raises:
        ValueError: If ``target`` is not 1-D integer labels or ``fraction`` is
            not in ``(0, 1]``.

    Shape:
        - target: ``(N,)``; output ``(Σ_k ⌈f·n_k⌉,)``.

    Example:
        >>> keep = stratified_fraction(np.repeat(np.arange(10), 400), 0.1)
        >>> len(keep), np.bincount(np.repeat(np.arange(10), 400)[keep]).tolist()[:3]
        (400, [40, 40, 40])
    """
    target = _check_target(target)
    if isinstance(fraction, bool) or not isinstance(fraction, Real) or not 0 < fraction <= 1:
        raise ValueError(f"fraction must be a number in (0, 1], got {fraction!r}")
    order = np.random.RandomState(seed).permutation(target.shape[0])
    kept = []
    for label in np.unique(target):
        members = order[target[order] == label]
        kept.append(members[: int(np.ceil(float(fraction) * members.shape[0] - 1e-9))])
    return np.sort(np.concatenate(kept)).astype(np.int64)
