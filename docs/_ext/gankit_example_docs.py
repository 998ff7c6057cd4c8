"""The ``gankit-example`` directive: one gallery entry from ``docs/_static/examples/<name>/``.

``docs/_generate_examples.py`` runs an example script and copies its pictures,
its ``results.json`` and a ``run.json`` (command, wall time, versions) into the
gallery folder. This directive renders what is there — the command, every
picture, and the numbers of ``results.json`` — so the page always matches the
committed pictures.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from gankit_bench_docs import render_generic
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def png_width(path: Path) -> int:
    """The width in pixels of a PNG file, read from its header."""
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">I", header[16:20])[0]


def figure_size(path: Path) -> list[str]:
    """Figure options: wide plots fill the page; tiny sample grids are enlarged crisply."""
    width = png_width(path)
    if width >= 600:
        return ["   :width: 100%"]
    if width >= 300:
        return [f"   :width: {width}px"]
    scale = max(1, round(360 / width))
    return [f"   :width: {width * scale}px", "   :class: pixelated"]


def render_example(name: str, folder: Path, order: list[str]) -> list[str]:
    """The RST lines of one gallery entry."""
    if not folder.is_dir():
        return [".. note::", "", f"   No pictures yet: run ``python docs/_generate_examples.py "
                f"{name}``.", ""]
    lines: list[str] = []
    meta_file = folder / "run.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        lines += [".. code-block:: bash", "", f"   {meta['command']}", ""]
        lines += [f"The pictures and numbers below come from this command, which took "
                  f"{meta['seconds']:.0f} s on a shared 2-core CPU (torch {meta['torch']}, "
                  f"{meta['date']}).", ""]
    pictures = sorted(folder.glob("*.png"), key=lambda p: (
        order.index(p.name) if p.name in order else len(order), p.name))
    for png in pictures:
        lines += [f".. figure:: /_static/examples/{name}/{png.name}",
                  f"   :alt: {name}: {png.stem}", *figure_size(png), "",
                  f"   ``{png.name}``", ""]
    results = folder / "results.json"
    if results.is_file():
        lines += ["Its ``results.json``:", ""]
        lines += render_generic(json.loads(results.read_text(encoding="utf-8")))
    return lines


class ExampleDirective(SphinxDirective):
    """``.. gankit-example:: dcgan``, with ``:order: a.png, b.png`` to put pictures first."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {"order": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        """Render the gallery entry and record its files as dependencies of this page."""
        name = self.arguments[0]
        folder = Path(self.env.srcdir) / "_static" / "examples" / name
        order = [p.strip() for p in self.options.get("order", "").split(",") if p.strip()]
        if folder.is_dir():
            for path in folder.iterdir():
                self.env.note_dependency(str(path))
        return self.parse_text_to_nodes("\n".join(render_example(name, folder, order)))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("gankit-example", ExampleDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
