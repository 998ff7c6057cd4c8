"""Typeset the documentation's math with a copy of MathJax shipped inside the build.

``sphinx.ext.mathjax`` writes each formula as TeX between ``\\(``/``\\)`` or
``\\[``/``\\]`` and adds a ``<script>`` that loads MathJax, by default from a CDN, so
a reader offline (the docs opened from disk) sees raw TeX. This extension points
``mathjax_path`` at ``_static/mathjax/tex-chtml.js`` and copies MathJax 3 from the
``sphinx-mathjax-offline`` package (PyPI, in the ``docs`` extra) into the HTML
output: the one combined component the pages load, plus what it fetches on demand
(its web fonts, TeX extensions, menu and accessibility modules), but not the other
combined bundles or the SVG output. Nothing is fetched at build or at view time.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

PACKAGE = "sphinx-mathjax-offline"  # the import name has dashes, as published
COMPONENT = "tex-chtml.js"  # TeX input, CommonHTML output, loader and menu in one file


def mathjax_source() -> Path:
    """The folder of MathJax files inside the installed ``sphinx-mathjax-offline``."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ExtensionError(
            f"{PACKAGE} is not installed; the docs need it to typeset math offline "
            '(pip install -e ".[docs]")'
        )
    source = Path(spec.origin).parent / "static" / "mathjax"
    if not (source / COMPONENT).is_file():
        raise ExtensionError(f"{PACKAGE} holds no {COMPONENT} under {source}")
    return source


def copy_mathjax(source: Path, destination: Path) -> None:
    """Copy what ``COMPONENT`` needs from ``source`` into ``destination``."""

    def unused(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        if here == source:  # the other combined bundles
            return {name for name in names if name.endswith(".js") and name != COMPONENT}
        if here == source / "output":  # the pages use CommonHTML output, not SVG
            return {name for name in names if name.startswith("svg")}
        return set()

    shutil.copytree(source, destination, ignore=unused, dirs_exist_ok=True)


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    """Load MathJax from the copy (``mathjax_path`` is relative to ``_static``)."""
    config.mathjax_path = f"mathjax/{COMPONENT}"


def install_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, put MathJax into ``_static/mathjax``."""
    if exception is None and app.builder.format == "html":
        copy_mathjax(mathjax_source(), Path(app.outdir) / "_static" / "mathjax")


def setup(app: Sphinx) -> dict[str, Any]:
    """Load ``sphinx.ext.mathjax`` from the bundled copy."""
    mathjax_source()  # a missing package fails the build here, not after it
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", install_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
