"""The report, opened offline in headless Chromium, renders: pictures load, the slider works.

Uses the shared Selenium driver (``tests/_browser.py``; skipped without
Chromium). The screenshot must not be blank: a page of curves and sample
pictures has hundreds of distinct colours, a blank or failed page a handful.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gankit.report import write_report

from .._browser import headless_chromium

INSPECT = """
const slider = document.getElementById('sample-slider');
const view = document.querySelector('#sample-view img');
const before = view ? view.src : null;
if (slider) { slider.value = '0'; slider.dispatchEvent(new Event('input')); }
return {
  images: document.images.length,
  broken: [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).length,
  remote: performance.getEntriesByType('resource').map((r) => r.name)
    .filter((u) => !u.startsWith('file:') && !u.startsWith('data:')),
  strip_hidden: getComputedStyle(document.querySelector('#samples .strip')).display === 'none',
  changed: view !== null && before !== view.src,
  step: (document.getElementById('sample-step') || {}).textContent,
};
"""


def test_the_report_renders_offline_and_is_not_blank(run_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from PIL import Image

    report = write_report(run_dir)
    with headless_chromium("1300,2400") as browser:
        browser.get(report.as_uri())
        seen = browser.execute_script(INSPECT)
        shot = tmp_path / "report.png"
        browser.save_screenshot(str(shot))
        console = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not console, console
    assert seen["images"] >= 7 and seen["broken"] == 0, seen  # 6 in the page + the slider's
    assert seen["remote"] == [], seen
    assert seen["strip_hidden"] and seen["changed"] and seen["step"] == "step 50", seen
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 64, f"a blank screenshot: {shot}"
