"""The metric classes' old ``...Metric`` names still work for one release, with a warning."""

from __future__ import annotations

import importlib

import pytest
import torch

import gankit.metrics

RENAMED = [
    ("gankit.metrics.density_coverage", "DensityCoverageMetric", "DensityCoverage"),
    ("gankit.metrics.kernel", "KernelDistanceMetric", "KernelDistance"),
    ("gankit.metrics.mode_coverage", "ModeCoverageMetric", "ModeCoverage"),
    ("gankit.metrics.precision_recall", "PrecisionRecallMetric", "PrecisionRecall"),
    ("gankit.metrics.parzen", "SigmaSelection", "SigmaSelectionResult"),
]


@pytest.mark.parametrize("module_name", sorted({m for m, _, _ in RENAMED} | {"gankit.metrics"}))
def test_unknown_names_still_raise_attribute_error(module_name: str) -> None:
    module = importlib.import_module(module_name)
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchName'"):
        module.NoSuchName  # noqa: B018


@pytest.mark.parametrize(("module_name", "old", "new"), RENAMED)
@pytest.mark.parametrize("where", ["module", "package"])
def test_old_name_warns_and_is_the_new_object(
    module_name: str, old: str, new: str, where: str
) -> None:
    module = gankit.metrics if where == "package" else importlib.import_module(module_name)
    with pytest.warns(DeprecationWarning, match=rf"{old} is deprecated .*; use .*\.{new}$"):
        alias = getattr(module, old)
    assert alias is getattr(module, new)
    assert old not in module.__all__


def test_old_names_import_with_from_and_still_compute() -> None:
    with pytest.warns(DeprecationWarning, match="use gankit.metrics.PrecisionRecall"):
        from gankit.metrics import PrecisionRecallMetric
    metric = PrecisionRecallMetric(k=1)
    metric.update(torch.tensor([[0.0], [1.0]]), real=True)
    metric.update(torch.tensor([[0.5], [7.0]]), real=False)
    result = metric.compute()
    assert result == gankit.metrics.PrecisionRecallResult(precision=0.5, recall=1.0)


def test_old_kernel_and_mode_names_still_compute() -> None:
    with pytest.warns(DeprecationWarning):
        kernel = gankit.metrics.KernelDistanceMetric(num_subsets=1)
    kernel.update(torch.tensor([[0.0], [1.0]]), real=True)
    kernel.update(torch.tensor([[0.0], [1.0]]), real=False)
    assert kernel.compute() == gankit.metrics.KernelDistanceResult(mean=-3.5, std=0.0)
    with pytest.warns(DeprecationWarning):
        coverage = gankit.metrics.ModeCoverageMetric(torch.zeros(1, 2), std=0.1)
    coverage.update(torch.zeros(2, 2))
    assert coverage.compute().modes_covered == 1
    with pytest.warns(DeprecationWarning):
        density = gankit.metrics.DensityCoverageMetric(k=1)
    density.update(torch.tensor([[0.0], [1.0], [2.0], [3.0]]), real=True)
    density.update(torch.tensor([[0.5], [0.6]]), real=False)
    assert density.compute() == gankit.metrics.DensityCoverageResult(density=2.0, coverage=0.5)
