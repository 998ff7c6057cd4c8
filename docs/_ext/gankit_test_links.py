"""The ``:test:`` role: cite the test that checks a statement, and fail the build if it is gone.

``:test:`tests/theory/test_theorem1.py::test_criterion_equals_minus_log4_plus_twice_jsd```
renders as that pytest node id in code style, after checking that the file
exists and defines the function (or class). A renamed or deleted test makes
the role emit a warning, which ``-W`` turns into a failed build, so the docs
never cite a check that no longer runs. ``pytest <node id>`` runs the test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst.states import Inliner
from sphinx.application import Sphinx


def find_test(root: Path, node_id: str) -> str | None:
    """Check a pytest node id ``path::name`` (or ``path::Class::name``); return the problem."""
    path, _, rest = node_id.partition("::")
    file = root / path
    if not file.is_file():
        return f"test file {path!r} does not exist"
    source = file.read_text(encoding="utf-8")
    for part in filter(None, rest.split("::")):
        name = part.split("[", 1)[0]  # drop a parametrisation id
        pattern = rf"^\s*(?:async\s+)?(?:def|class)\s+{re.escape(name)}\b"
        if not re.search(pattern, source, flags=re.MULTILINE):
            return f"{path!r} defines no test {name!r}"
    return None


def cite_test_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """Render a pytest node id as a literal after checking that the test exists."""
    env = inliner.document.settings.env
    root = Path(env.config.gankit_root)
    node_id = text.strip()
    messages: list[nodes.system_message] = []
    problem = find_test(root, node_id)
    if problem is not None:
        messages.append(inliner.reporter.warning(f":test: {problem}", line=lineno))
    else:
        env.note_dependency(str(root / node_id.partition("::")[0]))
    literal = nodes.literal(rawtext, node_id, classes=["gankit-test"])
    return [literal], messages


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``:test:`` role (``gankit_root`` comes from ``gankit_bench_docs``)."""
    app.add_role("test", cite_test_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
