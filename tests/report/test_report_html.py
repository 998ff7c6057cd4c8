"""The report page, parsed with the standard library's html.parser."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gankit.report import NotARunFolderError, build_report, read_run_folder, write_report

PNG = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """Collects section ids, resource URLs, inline <pre> and paragraph text."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.inputs: list[dict[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self.sections.append(str(found.get("id")))
        if tag == "input":
            self.inputs.append(found)
        for key in ("src", "href"):
            if found.get(key):
                self.urls.append((tag, key, str(found[key])))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def images(parsed: Page) -> list[bytes]:
    out = []
    for tag, _, url in parsed.urls:
        if tag == "img":
            assert url.startswith("data:image/png;base64,"), url[:40]
            out.append(base64.b64decode(url.split(",", 1)[1], validate=True))
    return out


def test_the_page_has_every_section_and_only_embedded_pictures(run_dir: Path) -> None:
    pytest.importorskip("matplotlib")
    parsed = parse(build_report(run_dir))
    assert parsed.sections == ["warnings", "losses", "samples", "quality", "memorization",
                               "timing", "config"]
    pictures = images(parsed)
    # 3 curves (losses, terms, gradient norms), 1 evaluation history, 2 sample pictures.
    assert len(pictures) == 6 and all(p.startswith(PNG) for p in pictures)
    assert not [u for _, _, u in parsed.urls if u.startswith(("http://", "https://", "//"))]
    assert all(u.startswith(("data:", "#")) for _, _, u in parsed.urls)
    (slider,) = parsed.inputs
    assert slider["type"] == "range" and slider["max"] == "1"
    text = " ".join(parsed.text)
    assert 'name = "ring <&>"' in text  # escaped in the source, the same text when parsed
    assert "possible <collapse>" in text and "DivergenceError" in text
    assert "12.5" in text and "SampleGrid" in text  # timing and the time per callback
    assert "1.5" in text  # the real-data floor beside FD
    assert "No sign of memorization." in text


def test_text_is_escaped(run_dir: Path) -> None:
    page = build_report(run_dir, plots=False)
    assert "ring &lt;&amp;&gt;" in page and "<collapse>" not in page


def test_without_plots_the_tables_stay_and_a_note_names_the_extra(run_dir: Path) -> None:
    parsed = parse(build_report(run_dir, plots=False))
    assert len(images(parsed)) == 2  # the sample pictures only
    assert 'pip install "gankit[extras]"' in " ".join(parsed.text)


def test_missing_pieces_are_short_notes(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[data]\n", encoding="utf-8")
    (tmp_path / "log.csv").write_text("", encoding="utf-8")
    text = " ".join(parse(build_report(tmp_path)).text)
    assert "No logged steps yet" in text
    assert "No sample pictures yet" in text
    assert "No metrics.json" in text
    assert "No timing recorded" in text


def test_damaged_files_are_named_in_the_page(run_dir: Path) -> None:
    (run_dir / "metrics.json").write_text('{"step": 10, "fd": ', encoding="utf-8")
    (run_dir / "log.csv").write_text("step,d/loss\n10,not-a-number\n", encoding="utf-8")
    run = read_run_folder(run_dir)
    assert run.metrics is None and run.log == {}
    assert [n.split(" ")[0] for n in run.notes] == ["log.csv", "metrics.json"]
    text = " ".join(parse(build_report(run_dir, plots=False)).text)
    assert "metrics.json could not be read" in text and "log.csv could not be read" in text


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(NotARunFolderError, match="is not a run folder"):
        read_run_folder(tmp_path)
    with pytest.raises(NotARunFolderError, match="is not a folder"):
        read_run_folder(tmp_path / "missing")


def test_write_report_replaces_the_file(run_dir: Path) -> None:
    path = write_report(run_dir, plots=False)
    assert path == run_dir / "report.html"
    first = path.read_text(encoding="utf-8")
    (run_dir / "metrics.json").write_text(json.dumps({"step": 100, "fd": 9.75}))
    write_report(run_dir, plots=False)
    assert "9.75" in path.read_text(encoding="utf-8") != first
