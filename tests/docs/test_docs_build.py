"""The Sphinx documentation builds offline with warnings as errors and documents every public name.

Reads the HTML of the documented build command, ``python -m sphinx -W -b html docs
OUT``, run once per session by the ``docs_html`` fixture (``conftest.py``); skipped
when the ``docs`` extra is not installed (``pip install -e ".[docs]"``).
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import gankit

ROOT = Path(__file__).resolve().parents[2]


def public_packages() -> list[str]:
    """Every public subpackage or module of gankit (no leading underscore)."""
    return sorted(
        f"gankit.{info.name}"
        for info in pkgutil.iter_modules(gankit.__path__)
        if not info.name.startswith("_")
    )


def test_the_build_writes_the_index_and_the_api_pages(docs_html: Path) -> None:
    assert (docs_html / "index.html").is_file()
    assert (docs_html / "api" / "index.html").is_file()
    for name in public_packages():
        assert (docs_html / "api" / f"{name.removeprefix('gankit.')}.html").is_file(), name


def test_every_public_package_is_known_to_the_test() -> None:
    # The packages the API reference must cover; a new one fails here until it has a page.
    assert public_packages() == [
        "gankit.augment", "gankit.callbacks", "gankit.cli", "gankit.config", "gankit.data",
        "gankit.functional", "gankit.losses", "gankit.metrics", "gankit.models", "gankit.report",
        "gankit.theory", "gankit.training", "gankit.visualize",
    ]


@pytest.mark.parametrize("package", public_packages())
def test_every_name_in_all_has_an_entry_in_the_api_html(docs_html: Path, package: str) -> None:
    page = (docs_html / "api" / f"{package.removeprefix('gankit.')}.html").read_text("utf-8")
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if f'id="{package}.{name}"' not in page]
    assert not missing, f"{package}: no API entry for {missing}"


def test_every_top_level_name_links_to_its_entry(docs_html: Path) -> None:
    page = html.unescape((docs_html / "api" / "gankit.html").read_text("utf-8"))
    text = re.sub(r"<[^>]+>", "", page)
    missing = [name for name in gankit.__all__ if f"gankit.{name}" not in text]
    assert not missing, f"gankit: {missing} not listed"
    # Each re-exported class or function links to the one entry that documents it.
    for name in ("Trainer", "NSGAN", "MLPGenerator", "load_generator"):
        obj = getattr(gankit, name)
        target = f"{obj.__module__.rsplit('.', 1)[0]}.{name}"
        assert re.search(rf'href="[^"]*#{re.escape(target)}"', page), (name, target)


def test_cited_tests_and_benchmark_tables_are_rendered(docs_html: Path) -> None:
    theory = (docs_html / "theory" / "wasserstein.html").read_text("utf-8")
    assert "test_nonlinear_critic_penalty_is_the_mean_of_per_sample_penalties" in theory
    bench = html.unescape((docs_html / "benchmarks.html").read_text("utf-8"))
    assert "PacGAN paper: PacGAN2" in bench
    for result in sorted((ROOT / "benchmarks" / "results").glob("*.json")):
        assert f"benchmarks/results/{result.name}" in bench, result.name
    # each gankit toy-mixture row names the seeds it averages, so held-out runs are told apart
    assert "10 seeds (0-9)" in bench
