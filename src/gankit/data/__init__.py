"""Data for GANs: 2-D toy distributions and offline image data sets.

The toy distributions (:func:`gaussian_2d`, :func:`ring`, :func:`grid`,
:func:`swiss_roll`) are infinite samplers with ``.sample(n, generator=...)``.
The image loaders (:func:`digits`, :func:`mnist_bundled`, :func:`mnist_idx`, :func:`cifar10`,
:func:`image_folder`) read local files only, never download, and all return
an :class:`ImageDataset` of float32 images in ``[−1, 1]`` with int64 labels;
a :class:`RandomCrop` given as its ``transform`` augments every drawn batch.
"""

from gankit.data._dataset import ImageDataset
from gankit.data._errors import DataError, DataNotFoundError
from gankit.data._sampler import ToyDistribution
from gankit.data.cifar import CIFAR10_CLASSES, cifar10
from gankit.data.digits import digits, digits_split_indices
from gankit.data.gaussian import Gaussian2D, gaussian_2d
from gankit.data.image_folder import IMAGE_EXTENSIONS, image_folder
from gankit.data.mixture import Grid2D, Ring2D, grid, ring
from gankit.data.mnist import mnist_idx, read_idx
from gankit.data.mnist_bundled import (
    MNIST_BUNDLED_HELD_OUT_PER_CLASS,
    mnist_bundled,
    mnist_bundled_split_indices,
)
from gankit.data.split import stratified_fraction, stratified_split
from gankit.data.stacked_mnist import stacked_mnist
from gankit.data.swiss_roll import SwissRoll2D, swiss_roll
from gankit.data.transforms import BatchTransform, RandomCrop

__all__ = [
    "CIFAR10_CLASSES",
    "IMAGE_EXTENSIONS",
    "MNIST_BUNDLED_HELD_OUT_PER_CLASS",
    "BatchTransform",
    "DataError",
    "DataNotFoundError",
    "Gaussian2D",
    "Grid2D",
    "ImageDataset",
    "RandomCrop",
    "Ring2D",
    "SwissRoll2D",
    "ToyDistribution",
    "cifar10",
    "digits",
    "digits_split_indices",
    "gaussian_2d",
    "grid",
    "image_folder",
    "mnist_bundled",
    "mnist_bundled_split_indices",
    "mnist_idx",
    "read_idx",
    "ring",
    "stacked_mnist",
    "stratified_fraction",
    "stratified_split",
    "swiss_roll",
]
