"""Sphinx configuration for gankit's documentation.

Build offline, with warnings as errors::

    python -m sphinx -W -b html docs docs/_build/html

Nothing here touches the network, at build time or when the pages are read: no
intersphinx, and the math is typeset in the reader's browser by a copy of MathJax
that ``gankit_offline_math`` puts into the build's ``_static/mathjax/`` from the
``sphinx-mathjax-offline`` package (the ``docs`` extra), not by a CDN script.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gankit

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))  # the local extensions below

project = "gankit"
author = "gankit developers"
copyright = "gankit developers, MIT licence"
release = gankit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "gankit_offline_math",  # sphinx.ext.mathjax, loading the bundled MathJax
    "gankit_api_docs",
    "gankit_config_docs",
    "gankit_bench_docs",
    "gankit_test_links",
    "gankit_example_docs",
]

exclude_patterns = ["_build", "_ext", "**/.ipynb_checkpoints"]
templates_path: list[str] = []
html_static_path = ["_static"]
html_css_files = ["gankit.css"]
html_theme = "furo"
html_title = f"gankit {release}"
pygments_style = "friendly"
pygments_dark_style = "monokai"

# autodoc + napoleon: Google-style docstrings; ``Attributes:`` become ``:ivar:``
# fields so they never clash with the properties autodoc documents itself.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
napoleon_custom_sections = ["Shape"]
autodoc_member_order = "bysource"
autodoc_preserve_defaults = True
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
python_maximum_signature_line_length = 90
add_module_names = False

# MathJax, like LaTeX, reads text-mode macros inside \text{...}: the docstrings'
# \text{start\_step} shows an underscore, not a backslash (textmacros is in the copy
# gankit_offline_math ships).
mathjax3_config = {
    "loader": {"load": ["[tex]/textmacros"]},
    "tex": {"packages": {"[+]": ["textmacros"]}},
}

# The repository root, for the benchmark tables and the example gallery.
gankit_root = str(DOCS.parent)
