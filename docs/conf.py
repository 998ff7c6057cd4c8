"""Sphinx configuration for gankit's documentation.

Build offline, with warnings as errors::

    python -m sphinx -W -b html docs docs/_build/html

Nothing here touches the network: no intersphinx, and MathJax is only a
``<script>`` URL in the HTML, loaded by the reader's browser.
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
    "sphinx.ext.mathjax",
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

# The repository root, for the benchmark tables and the example gallery.
gankit_root = str(DOCS.parent)
