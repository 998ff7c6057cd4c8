"""``gankit report RUN_DIR``, and the report.html and warnings.json that ``gankit train`` writes."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import gankit.callbacks.csv_logger as csv_logger
from gankit.cli.main import main


def test_train_writes_the_report_and_gankit_report_rewrites_it(
        tiny_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["train", str(tiny_config), "--out", str(out),
                 "--set", "callbacks.samples.enabled=true"]) == 0
    report = out / "report.html"
    assert f"report: {report}" in capsys.readouterr().out
    page = report.read_text(encoding="utf-8")
    assert 'id="losses"' in page and "data:image/png;base64," in page
    assert json.loads((out / "warnings.json").read_text()) == {"warnings": [], "error": None}
    report.unlink()
    assert main(["report", str(out), "--no-plots"]) == 0
    assert capsys.readouterr().out.strip() == str(report)
    assert 'id="samples"' in report.read_text(encoding="utf-8")


def test_report_on_a_folder_that_is_not_a_run_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gankit: error: gankit report:") and "is not a run folder" in err
    assert len(err.splitlines()) == 1
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert not (tmp_path / "report.html").exists()


def test_warnings_and_a_divergence_are_recorded_and_reported(
        tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    original = csv_logger.CSVLogger.on_fit_start

    def warn_then_start(self, trainer):  # a warning from inside the run
        warnings.warn("something odd at the start", RuntimeWarning, stacklevel=1)
        original(self, trainer)

    monkeypatch.setattr(csv_logger.CSVLogger, "on_fit_start", warn_then_start)
    out = tmp_path / "run"
    status = main(["train", str(tiny_config), "--out", str(out),
                   "--set", "optimizer.discriminator.lr=1e38",
                   "--set", "optimizer.generator.lr=1e38"])
    assert status == 1
    assert "non-finite loss" in capsys.readouterr().err
    recorded = json.loads((out / "warnings.json").read_text())
    assert recorded["error"]["type"] == "DivergenceError"
    assert [w["message"] for w in recorded["warnings"]] == ["something odd at the start"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "DivergenceError" in page and "something odd at the start" in page
