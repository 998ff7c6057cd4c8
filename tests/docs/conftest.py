"""One build of the documentation per test session, shared by the docs tests.

``docs_html`` runs the documented build command, ``python -m sphinx -W -b html docs
OUT``, once into a fresh folder; the build test reads its HTML and the browser test
opens it in Chromium. Skipped when the ``docs`` extra is not installed
(``pip install -e ".[docs]"``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture(scope="session")
def docs_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("sphinx")
    pytest.importorskip("furo")
    pytest.importorskip("sphinx-mathjax-offline")  # the MathJax copy the pages load
    out = tmp_path_factory.mktemp("html")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS), str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert proc.returncode == 0, f"sphinx -W failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return out


SCREENSHOTS_KEY = pytest.StashKey[Path]()


@pytest.fixture(scope="module")  # after the module's browser fixture, which may skip
def docs_screenshots(request: pytest.FixtureRequest) -> Path:
    """An emptied ``docs/_build/screenshots/`` (git-ignored), named in the run's summary."""
    folder = DOCS / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    request.config.stash[SCREENSHOTS_KEY] = folder
    return folder


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    folder = config.stash.get(SCREENSHOTS_KEY, None)
    shots = len(list(folder.glob("*.png"))) if folder is not None else 0
    if shots:
        terminalreporter.write_line(f"docs: {shots} page screenshots in {folder}")
