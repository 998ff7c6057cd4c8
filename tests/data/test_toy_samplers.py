import math
import re

import numpy as np
import pytest
import torch

import gankit.data as data
from gankit.data import (
    Gaussian2D,
    Grid2D,
    Ring2D,
    SwissRoll2D,
    ToyDistribution,
    gaussian_2d,
    grid,
    ring,
    swiss_roll,
)

ALL = {
    "gaussian_2d": gaussian_2d,
    "ring": ring,
    "grid": grid,
    "swiss_roll": swiss_roll,
}


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_public_names_are_unique_and_importable() -> None:
    assert len(set(data.__all__)) == len(data.__all__)
    for name in data.__all__:
        assert hasattr(data, name)


@pytest.mark.parametrize("make", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize("n", [1, 7, 100])
def test_sample_shape_dtype_and_finiteness(make, n: int) -> None:
    dist = make()
    assert isinstance(dist, ToyDistribution)
    assert dist.dim == 2
    x = dist.sample(n, generator=_gen(0))
    assert x.shape == (n, 2)
    assert x.dtype == torch.float32
    assert torch.isfinite(x).all()


@pytest.mark.parametrize("make", ALL.values(), ids=ALL.keys())
def test_same_generator_seed_gives_same_points(make) -> None:
    dist = make()
    a = dist.sample(500, generator=_gen(3))
    b = dist.sample(500, generator=_gen(3))
    c = dist.sample(500, generator=_gen(4))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert torch.equal(dist.dataset(500, generator=_gen(3)), a)


@pytest.mark.parametrize("make", ALL.values(), ids=ALL.keys())
def test_without_generator_the_global_seed_decides(make) -> None:
    dist = make()
    torch.manual_seed(11)
    a = dist.sample(50)
    torch.manual_seed(11)
    b = dist.dataset(50)
    assert torch.equal(a, b)


@pytest.mark.parametrize("make", ALL.values(), ids=ALL.keys())
def test_a_generator_leaves_the_global_rng_alone(make) -> None:
    torch.manual_seed(5)
    before = torch.get_rng_state()
    make().sample(10, generator=_gen(0))
    assert torch.equal(torch.get_rng_state(), before)


@pytest.mark.parametrize("n", [0, -3])
def test_non_positive_n_is_rejected(n: int) -> None:
    with pytest.raises(ValueError, match=rf"n must be a positive int \(>= 1\), got {n}"):
        ring().sample(n)
    with pytest.raises(ValueError, match="n must be a positive int"):
        grid().dataset(n)


@pytest.mark.parametrize("n", [2.0, True, "3", None])
def test_non_integer_n_is_rejected(n: object) -> None:
    with pytest.raises(TypeError, match="n must be a positive int, got"):
        gaussian_2d().sample(n)  # type: ignore[arg-type]


def test_numpy_integer_n_is_accepted() -> None:
    assert swiss_roll().sample(np.int64(4), generator=_gen(0)).shape == (4, 2)


def test_generator_must_be_a_torch_generator() -> None:
    message = "generator must be a torch.Generator or None, got int"
    with pytest.raises(TypeError, match=re.escape(message)):
        ring().sample(3, generator=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "kwargs", "error", "message"),
    [
        (ring, {"num_modes": 0}, ValueError, "num_modes must be a positive int (>= 1), got 0"),
        (ring, {"num_modes": 2.5}, TypeError, "num_modes must be a positive int, got float"),
        (ring, {"std": 0.0}, ValueError, "std must be a finite number > 0, got 0.0"),
        (ring, {"std": -1}, ValueError, "std must be a finite number > 0, got -1.0"),
        (ring, {"radius": math.inf}, ValueError, "radius must be a finite number > 0, got inf"),
        (ring, {"std": "0.1"}, TypeError, "std must be a finite number > 0, got str"),
        (grid, {"size": 0}, ValueError, "size must be a positive int (>= 1), got 0"),
        (grid, {"spacing": math.nan}, ValueError, "spacing must be a finite number > 0, got nan"),
        (grid, {"std": -0.05}, ValueError, "std must be a finite number > 0"),
        (swiss_roll, {"noise": -0.1}, ValueError, "noise must be a finite number >= 0"),
        (swiss_roll, {"scale": 0}, ValueError, "scale must be a finite number > 0, got 0.0"),
    ],
)
def test_bad_parameters_are_rejected(make, kwargs, error, message) -> None:
    with pytest.raises(error, match=re.escape(message)):
        make(**kwargs)


def test_distributions_are_frozen_and_comparable() -> None:
    dist = ring(num_modes=4)
    with pytest.raises(AttributeError):
        dist.std = 1.0  # type: ignore[misc]
    assert dist == Ring2D(num_modes=4, radius=1.0, std=0.01)
    assert dist != ring(num_modes=5)
    assert hash(grid()) == hash(Grid2D())
    # means are fresh tensors: editing one cannot change the distribution
    dist.means.zero_()
    assert dist.means.abs().max() == 1.0


def test_attributes_for_the_metrics() -> None:
    assert (ring().num_modes, ring().std) == (8, 0.01)
    assert (grid().num_modes, grid().std) == (25, 0.05)
    assert ring(num_modes=3).means.shape == (3, 2)
    assert grid(size=3).means.shape == (9, 2)
    gauss = gaussian_2d()
    assert isinstance(gauss, Gaussian2D)
    assert (gauss.num_modes, gauss.std) == (1, None)
    assert torch.equal(gauss.means, torch.tensor([[1.0, 2.0]]))
    roll = swiss_roll(noise=0.5, scale=0.2)
    assert isinstance(roll, SwissRoll2D)
    assert (roll.means, roll.num_modes) == (None, None)
    assert roll.std == pytest.approx(0.1)


def test_ring_means_follow_the_formula() -> None:
    k, r = 8, 1.5
    angles = 2 * np.pi * np.arange(k) / k
    expected = r * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # float64 reference
    means = ring(num_modes=k, radius=r).means
    assert means.dtype == torch.float32
    np.testing.assert_allclose(means.numpy(), expected, rtol=0, atol=2e-7)


def test_grid_means_are_pacgans_lattice() -> None:
    means = grid().means
    axis = [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert means.tolist() == [[a, b] for a in axis for b in axis]  # exact, row-major


def test_grid_with_even_size_is_centred() -> None:
    means = grid(size=4, spacing=1.0).means
    assert sorted(set(means[:, 0].tolist())) == [-1.5, -0.5, 0.5, 1.5]
    assert torch.equal(means.mean(dim=0), torch.zeros(2))


def test_gaussian_constants_are_d2ls() -> None:
    dist = gaussian_2d()
    assert dist.A.tolist() == torch.tensor([[1.0, 2.0], [-0.1, 0.5]]).tolist()
    assert dist.b.tolist() == [1.0, 2.0]
    assert dist.mean.tolist() == [1.0, 2.0]
    a = np.array([[1.0, 2.0], [-0.1, 0.5]])
    np.testing.assert_allclose(dist.covariance.numpy(), a.T @ a, rtol=1e-7)
    np.testing.assert_allclose(dist.covariance.numpy(), [[1.01, 1.95], [1.95, 4.25]], rtol=1e-7)


def test_gaussian_sample_is_the_documented_affine_map() -> None:
    z = torch.randn(6, 2, generator=_gen(9)).double().numpy()
    expected = z @ np.array([[1.0, 2.0], [-0.1, 0.5]]) + np.array([1.0, 2.0])
    got = gaussian_2d().sample(6, generator=_gen(9)).double().numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_mixture_sample_is_the_documented_draw_order() -> None:
    dist = ring(num_modes=5, radius=2.0, std=0.3)
    gen = _gen(2)
    mode = torch.randint(5, (40,), generator=gen)
    noise = torch.randn(40, 2, generator=gen)
    expected = dist.means.double()[mode] + 0.3 * noise.double()
    got = dist.sample(40, generator=_gen(2)).double()
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)
