import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from gankit.metrics import _distances
from gankit.metrics._distances import (
    ball_membership,
    check_k,
    iter_sq_distances,
    kth_neighbour_sq_radii,
    sq_distances,
)


def _points(n: int, d: int, seed: int) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_sq_distances_match_scipy() -> None:
    x, y = _points(13, 5, 0), _points(7, 5, 1)
    expected = cdist(x.numpy(), y.numpy(), "sqeuclidean")
    np.testing.assert_allclose(sq_distances(x, y).numpy(), expected, rtol=1e-12, atol=1e-12)


def test_sq_distances_are_never_negative_for_identical_points() -> None:
    x = 1e3 + _points(50, 3, 2)  # far from the origin: the expansion cancels badly
    assert bool((sq_distances(x, x) >= 0).all())


def test_blocks_tile_the_whole_matrix_without_overlap() -> None:
    x, y = _points(11, 2, 3), _points(9, 2, 4)
    full = torch.full((11, 9), float("nan"), dtype=torch.float64)
    for i, j, block in iter_sq_distances(x, y, chunk_size=4):
        assert block.shape[0] <= 4 and block.shape[1] <= 4
        assert bool(full[i : i + block.shape[0], j : j + block.shape[1]].isnan().all())
        full[i : i + block.shape[0], j : j + block.shape[1]] = block
    torch.testing.assert_close(full, sq_distances(x, y))


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 1000])
@pytest.mark.parametrize("k", [1, 2, 5])
def test_kth_neighbour_radii_match_brute_force(chunk_size: int, k: int) -> None:
    x = _points(23, 3, 5)
    d2 = cdist(x.numpy(), x.numpy(), "sqeuclidean")
    expected = np.sort(d2, axis=1)[:, k]  # column 0 is the point itself
    got = kth_neighbour_sq_radii(x, k, chunk_size=chunk_size)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_duplicates_are_neighbours_but_self_is_not() -> None:
    x = torch.tensor([[0.0], [0.0], [5.0]], dtype=torch.float64)
    got = kth_neighbour_sq_radii(x, 1, chunk_size=2)
    torch.testing.assert_close(got, torch.tensor([0.0, 0.0, 25.0], dtype=torch.float64))


@pytest.mark.parametrize("strict", [True, False])
def test_ball_membership_matches_brute_force(strict: bool) -> None:
    points, centres = _points(31, 2, 6), _points(17, 2, 7)
    sq_radii = torch.rand(17, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    d2 = cdist(points.numpy(), centres.numpy(), "sqeuclidean")
    inside = d2 < sq_radii.numpy() if strict else d2 <= sq_radii.numpy()
    per_point, per_centre = ball_membership(points, centres, sq_radii, strict=strict, chunk_size=5)
    np.testing.assert_array_equal(per_point.numpy(), inside.sum(axis=1))
    np.testing.assert_array_equal(per_centre.numpy(), inside.sum(axis=0))


def test_strictness_decides_points_on_the_boundary() -> None:
    centres = torch.zeros(1, 1, dtype=torch.float64)
    points = torch.tensor([[1.0]], dtype=torch.float64)
    sq_radii = torch.ones(1, dtype=torch.float64)
    assert ball_membership(points, centres, sq_radii, strict=True)[0].item() == 0
    assert ball_membership(points, centres, sq_radii, strict=False)[0].item() == 1


def test_no_block_is_larger_than_the_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    shapes: list[tuple[int, int]] = []

    def recording(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        shapes.append((x.shape[0], y.shape[0]))
        return sq_distances(x, y)

    monkeypatch.setattr(_distances, "sq_distances", recording)
    kth_neighbour_sq_radii(_points(100, 2, 9), 3, chunk_size=16)
    assert len(shapes) == 7 * 7
    assert max(max(s) for s in shapes) == 16


@pytest.mark.parametrize("k", [0, 5, 6])
def test_check_k_rejects_out_of_range(k: int) -> None:
    with pytest.raises(ValueError, match=rf"k must satisfy 1 <= k < N for the 5 points .* k={k}"):
        check_k(k, 5, "real")


def test_check_k_rejects_non_int() -> None:
    with pytest.raises(TypeError, match="k must be an int, got float"):
        check_k(2.0, 5, "real")  # type: ignore[arg-type]


@settings(deadline=None, max_examples=40)
@given(
    n=st.integers(2, 30),
    m=st.integers(1, 30),
    d=st.integers(1, 4),
    chunk_size=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
    data=st.data(),
)
def test_radii_and_membership_with_ties(
    n: int, m: int, d: int, chunk_size: int, seed: int, data: st.DataObject
) -> None:
    # Small integer coordinates: many exact ties and duplicates, all distances exact.
    gen = torch.Generator().manual_seed(seed)
    centres = torch.randint(-3, 4, (n, d), generator=gen).double()
    points = torch.randint(-3, 4, (m, d), generator=gen).double()
    k = data.draw(st.integers(1, n - 1))
    d2 = cdist(centres.numpy(), centres.numpy(), "sqeuclidean")
    np.fill_diagonal(d2, np.inf)
    sq_radii = kth_neighbour_sq_radii(centres, k, chunk_size=chunk_size)
    np.testing.assert_array_equal(sq_radii.numpy(), np.sort(d2, axis=1)[:, k - 1])
    inside = cdist(points.numpy(), centres.numpy(), "sqeuclidean") <= sq_radii.numpy()
    per_point, per_centre = ball_membership(points, centres, sq_radii, strict=False,
                                            chunk_size=chunk_size)
    np.testing.assert_array_equal(per_point.numpy(), inside.sum(axis=1))
    np.testing.assert_array_equal(per_centre.numpy(), inside.sum(axis=0))
