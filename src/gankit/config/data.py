"""Build the ``[data]`` section: a 2-D toy distribution or an image data set.

``name`` picks a loader of :mod:`gankit.data`; the other keys are its
arguments::

    [data]
    name = "ring"        # 8 Gaussians on the unit circle, σ = 0.01
    std = 0.01
    fixed_size = 100000  # train on 100,000 fixed points, as PacGAN does

Toy distributions are infinite samplers unless ``fixed_size`` draws a fixed
training set once (from a generator seeded with ``trainer.seed``). Image data
sets are held in memory and shuffled every epoch by the trainer; an
``image_folder`` with ``crop = "random"`` is also cropped afresh in every batch::

    [data]
    name = "image_folder"
    path = "path/to/faces"
    size = 64
    crop = "random"      # 64 × 64 crops of the images kept at 72 × 72
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.schema import REQUIRED, Field, check_table, join_path

__all__ = ["DATASETS", "DATA_FIELDS", "DataSpec", "build_data"]

_SPLIT = ("train", "test")
_FIXED = Field("int", None, "train on this many fixed points drawn once (toy data only)",
               minimum=1)
_PATH = Field("str", REQUIRED, "folder holding the files (nothing is downloaded)")
_FRACTION = Field("float", 1.0, "train on this stratified fraction of the split's images "
                  "(the same share of every class; data-efficient runs use 0.1)", minimum=0.0)

#: The arguments of each data set, as config fields.
DATA_FIELDS: dict[str, dict[str, Field]] = {
    "ring": {
        "num_modes": Field("int", 8, "number of Gaussians K", minimum=1),
        "radius": Field("float", 1.0, "radius of the circle", minimum=0.0),
        "std": Field("float", 0.01, "standard deviation of each Gaussian", minimum=0.0),
        "fixed_size": _FIXED,
    },
    "grid": {
        "size": Field("int", 5, "modes per side S (S² modes)", minimum=1),
        "spacing": Field("float", 2.0, "distance between neighbouring modes", minimum=0.0),
        "std": Field("float", 0.05, "standard deviation of each Gaussian", minimum=0.0),
        "fixed_size": _FIXED,
    },
    "gaussian_2d": {"fixed_size": _FIXED},
    "swiss_roll": {
        "noise": Field("float", 0.25, "noise before scaling", minimum=0.0),
        "scale": Field("float", 1 / 7.5, "scale of the points", minimum=0.0),
        "fixed_size": _FIXED,
    },
    "digits": {
        "split": Field("str", "train", "which images", choices=("train", "test", "all")),
        "size": Field("int", 8, "image side: 8, 16 or 32", minimum=1),
        "fraction": _FRACTION,
    },
    "mnist_bundled": {
        "split": Field("str", "train", "which images (4,000 train, 1,000 test)",
                       choices=("train", "test", "all")),
        "fraction": _FRACTION,
    },
    "mnist": {
        "path": _PATH,
        "split": Field("str", "train", "which images", choices=_SPLIT),
        "num_classes": Field("int", 10, "number of classes", minimum=1),
    },
    "cifar10": {
        "path": _PATH,
        "split": Field("str", "train", "which images", choices=_SPLIT),
    },
    "image_folder": {
        "path": _PATH,
        "size": Field("int", REQUIRED, "images are resized to size × size", minimum=1),
        "channels": Field("int", 3, "1 (grey) or 3 (RGB)", minimum=1),
        "crop": Field("str", "center", "'center': the centred square; 'random': a fresh "
                      "random size × size crop of each image in every batch",
                      choices=("center", "random")),
        "crop_scale": Field("float", None, "crop = 'random' only: images are kept at "
                            "round(crop_scale · size) pixels (default 1.125)", minimum=1.0),
    },
}


#: The image data sets with a fixed held-out ("test") split.
_HELD_OUT = ("digits", "mnist", "mnist_bundled")

#: The data set names a config can use, with the :mod:`gankit.data` function each calls.
DATASETS: dict[str, str] = {
    "cifar10": "cifar10",
    "digits": "digits",
    "gaussian_2d": "gaussian_2d",
    "grid": "grid",
    "image_folder": "image_folder",
    "mnist": "mnist_idx",
    "mnist_bundled": "mnist_bundled",
    "ring": "ring",
    "swiss_roll": "swiss_roll",
}


@dataclass
class DataSpec:
    """The built data and what the rest of a run needs to know about it.

    Attributes:
        data: What :meth:`gankit.Trainer.fit` trains on: a sampler, a tensor of
            fixed points, or an image data set.
        sample_shape: The shape of one sample, e.g. ``(2,)`` or ``(1, 8, 8)``.
        source: The toy distribution, or ``None`` for images; it has ``means``
            and ``std`` for mode coverage when it is a Gaussian mixture.
        num_classes: The number of classes of an image data set, else ``None``.
        finite: Whether the data is finite (so ``epochs`` can be used).
        held_out: The data set's held-out images when it has a fixed split and
            the run trains on ``split = "train"`` (digits, bundled MNIST, and
            MNIST IDX when its test files are there), else ``None``; the image
            metrics score against it.
    """

    data: Any
    sample_shape: tuple[int, ...]
    source: Any
    num_classes: int | None
    finite: bool
    held_out: Any = None

    def real_points(self, n: int, seed: int = 0) -> Tensor | None:
        """Draw ``n`` real 2-D points for a scatter plot, or ``None`` for images.

        Args:
            n: How many points.
            seed: Seed of the draw.

        Returns:
            A tensor of shape ``(n, 2)`` or ``None``.

        Shape:
            - Output: ``(n, 2)``.

        Example:
            >>> spec, _ = build_data({"name": "grid"}, seed=0)
            >>> spec.real_points(5).shape
            torch.Size([5, 2])
        """
        if self.source is None:
            return None
        return self.source.sample(n, generator=torch.Generator().manual_seed(seed))


def build_data(section: Any, seed: int, path: str = "data") -> tuple[DataSpec, dict[str, Any]]:
    """Build the data of a ``[data]`` section.

    Args:
        section: The table, with ``name`` and the loader's arguments.
        seed: Seeds the draw of a ``fixed_size`` training set.
        path: The section's dotted path.

    Returns:
        The :class:`DataSpec` and the resolved section.

    Raises:
        ConfigError: On an unknown data set or argument, or a value the loader
            rejects as a config mistake (wrong type, value out of range).
        FileNotFoundError: If the files of an image data set are missing
            (:class:`gankit.data.DataNotFoundError`, with where to put them).

    Example:
        >>> spec, resolved = build_data({"name": "ring", "fixed_size": 100}, seed=0)
        >>> tuple(spec.data.shape), spec.sample_shape, resolved["std"]
        ((100, 2), (2,), 0.01)
    """
    if not isinstance(section, dict):
        raise ConfigError(path, f"expected a table, got {format_value(section)}")
    name = section.get("name")
    if name is None:
        raise ConfigError(join_path(path, "name"), f"missing; expected one of {sorted(DATASETS)}")
    if not isinstance(name, str) or name not in DATASETS:
        if isinstance(name, str):
            raise unknown_name_error(join_path(path, "name"), name, DATASETS, "data set")
        raise ConfigError(join_path(path, "name"), f"expected a string, got {format_value(name)}")
    kwargs = check_table({k: v for k, v in section.items() if k != "name"},
                         DATA_FIELDS[name], path)
    resolved = {"name": name, **kwargs}
    fixed = kwargs.pop("fixed_size", None)
    fraction = kwargs.pop("fraction", 1.0)
    import gankit.data
    from gankit.data import DataError

    loader: Callable[..., Any] = getattr(gankit.data, DATASETS[name])
    try:
        built = loader(**kwargs)
    except DataError:
        raise  # missing or corrupt files: a runtime error, not a config mistake
    except (TypeError, ValueError) as exc:
        raise ConfigError(path, f"{name}: {exc}") from None
    if hasattr(built, "images") and fraction < 1.0:
        try:
            built = built.stratified_subset(fraction, seed=seed)
        except ValueError as exc:
            raise ConfigError(join_path(path, "fraction"), str(exc)) from None
    if hasattr(built, "images"):
        held_out = None
        if kwargs.get("split") == "train" and name in _HELD_OUT:
            try:
                held_out = loader(**{**kwargs, "split": "test"})
            except DataError:  # MNIST IDX without its test files: score on the training set
                held_out = None
        spec = DataSpec(built, tuple(built.shape), None, built.num_classes, True, held_out)
    elif fixed is not None:
        points = built.dataset(fixed, generator=torch.Generator().manual_seed(seed))
        spec = DataSpec(points, tuple(points.shape[1:]), built, None, True)
    else:
        shape = tuple(built.sample(1).shape[1:])
        spec = DataSpec(built, shape, built, None, False)
    return spec, resolved

