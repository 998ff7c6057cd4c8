"""The built documentation, opened offline in headless Chromium, renders as readers see it.

Every page of ``docs/`` (the ``.rst`` sources; not the generated index, search or
highlighted-source pages) is loaded from ``file://`` with host-name resolution
switched off, so nothing can come from the network, and checked after its scripts
ran: MathJax turned every formula into ``mjx-container`` output (no raw ``\\(`` /
``\\[`` delimiters left in the visible text, no TeX errors, no macro printed as a
literal backslash), no error box is shown (docutils system messages, ``.. error::``
admonitions, or a theme's CSS-drawn "ERROR: ..." banner such as furo's on a
``.. contents::`` directive), every image and web font loaded, every resource is a
local file, and the browser console shows no error (a script or file that failed to
load). A PNG of the top of each page is kept in ``docs/_build/screenshots/``
(git-ignored; the path is printed at the end of the run).

Driven by Selenium through the system ``chromedriver`` (no driver download at run
time). Skipped when Chromium, chromedriver or Selenium is missing; ``.ci/run``
installs ``chromium chromium-driver`` (Debian) so CI runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .._browser import headless_chromium

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# One page per .rst source, as the html builder names them.
PAGES = sorted(
    path.relative_to(DOCS).with_suffix(".html").as_posix()
    for path in DOCS.rglob("*.rst")
    if not path.relative_to(DOCS).parts[0].startswith("_")
)

# Runs in the page once MathJax (when the page loads it) and the web fonts are done.
INSPECT = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) await mj.startup.promise;
  await document.fonts.ready;
  const cut = (s) => s.replace(/\s+/g, " ").trim().slice(0, 160);
  const text = document.body.innerText;
  const raw = [];
  for (const m of text.matchAll(/\\[()[\]]/g)) {
    raw.push(cut(text.slice(Math.max(0, m.index - 40), m.index + 40)));
  }
  const math = [...document.querySelectorAll(".math")];
  const boxes = [...document.querySelectorAll(
    ".system-message, .problematic, .admonition.error")].map((e) => cut(e.innerText));
  for (const el of document.body.querySelectorAll("*")) {
    for (const pseudo of ["::before", "::after"]) {
      const content = getComputedStyle(el, pseudo).content;
      if (/ERROR|WARNING/.test(content)) boxes.push(cut(content));
    }
  }
  // A backslash drawn in typeset math is a macro MathJax printed instead of reading,
  // such as \_ inside \text{...} without the textmacros extension.
  const backslashes = [...(mj && mj.startup && mj.startup.document ? mj.startup.document.math : [])]
    .filter((item) => item.typesetRoot && item.typesetRoot.querySelector("mjx-c.mjx-c5C"))
    .map((item) => cut(item.math));
  const urls = [
    ...performance.getEntriesByType("resource").map((r) => r.name),
    ...[...document.querySelectorAll("script[src], img[src]")].map((e) => e.src),
    ...[...document.querySelectorAll("link[href][rel~=stylesheet]")].map((e) => e.href),
  ];
  done({
    raw: raw,
    math: math.length,
    rendered: document.querySelectorAll(".math mjx-container").length,
    unrendered: math.filter((e) => !e.querySelector("mjx-container")).map((e) => cut(e.innerText)),
    tex_errors: [...document.querySelectorAll("mjx-merror")].map((e) => cut(e.textContent)),
    backslashes: backslashes,
    boxes: boxes,
    images: document.images.length,
    broken_images: [...document.images]
      .filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src),
    font_errors: [...document.fonts].filter((f) => f.status === "error").map((f) => f.family),
    remote: [...new Set(urls.filter((u) => !u.startsWith("file:") && !u.startsWith("data:")))],
  });
})().catch((err) => done({error: String(err)}));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as driver:
        yield driver


# Pages that must show at least this much, so that a page emptied of its formulas
# or pictures cannot pass: (typeset formulas, loaded images).
AT_LEAST = {
    "index.html": (2, 1),
    "theory/minimax_game.html": (20, 0),
    "examples.html": (5, 10),
    "benchmarks.html": (1, 0),
}


def test_the_pages_include_the_index_theory_gallery_and_benchmarks() -> None:
    assert set(AT_LEAST) <= set(PAGES)


def test_every_page_loads_only_local_files(docs_html: Path) -> None:
    # No browser needed: no page names a script, style sheet or image on the network.
    remote = re.compile(
        r'<(?:script|img)\b[^>]*\bsrc="(?:https?:)?//'
        r'|<link\b[^>]*\brel="stylesheet"[^>]*\bhref="(?:https?:)?//'
    )
    offenders = [
        path.relative_to(docs_html).as_posix()
        for path in sorted(docs_html.rglob("*.html"))
        if remote.search(path.read_text("utf-8"))
    ]
    assert not offenders, f"pages that load from the network: {offenders}"


@pytest.mark.parametrize("page", PAGES)
def test_the_page_renders_offline(
    browser: Any, docs_html: Path, docs_screenshots: Path, page: str
) -> None:
    browser.get((docs_html / page).as_uri())
    seen = browser.execute_async_script(INSPECT)
    seen["console"] = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    shot = docs_screenshots / f"{page.removesuffix('.html').replace('/', '__')}.png"
    browser.save_screenshot(str(shot))
    assert "error" not in seen, f"{page}: the inspection script failed: {seen.get('error')}"
    problems = {
        what: seen[key][:5]
        for key, what in (
            ("raw", "raw math delimiters in the text"),
            ("unrendered", "math MathJax did not typeset"),
            ("tex_errors", "TeX errors"),
            ("backslashes", "formulas that show a literal backslash"),
            ("boxes", "error boxes"),
            ("broken_images", "images that did not load"),
            ("font_errors", "web fonts that did not load"),
            ("remote", "resources from the network"),
            ("console", "errors in the browser console"),
        )
        if seen[key]
    }
    where = f"{page} (screenshot: {shot})"
    assert not problems, f"{where}: {problems}"
    least_math, least_images = AT_LEAST.get(page, (0, 0))
    assert seen["rendered"] >= least_math, f"{where}: {seen['rendered']} typeset formulas"
    assert seen["images"] >= least_images, f"{where}: {seen['images']} images"
