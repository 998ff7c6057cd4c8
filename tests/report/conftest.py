"""A small run folder, written by hand like gankit train writes one, for the report tests."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest


def png(colour: tuple[int, int, int], size: int = 48) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (size, size), colour)
    for i in range(size):  # a diagonal, so the picture is not one flat colour
        image.putpixel((i, i), (255 - colour[0], 255 - colour[1], 255 - colour[2]))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    pytest.importorskip("PIL")
    run = tmp_path / "run"
    (run / "samples").mkdir(parents=True)
    rows = ["step,epoch,d/nsgan,d/loss,d/grad_norm,g/nsgan,g/loss,g/grad_norm,eval/fd"]
    for step in range(10, 110, 10):
        fd = "" if step % 50 else f"{100.0 / step:.3f}"
        rows.append(f"{step},0,{1.3 - step / 1000},{1.3 - step / 1000},0.5,0.8,0.8,"
                    f"{0.1 * step},{fd}")
    (run / "log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (run / "config.toml").write_text('[data]\nname = "ring <&>"\n', encoding="utf-8")
    metrics = {"step": 100, "fd": 2.0, "precision": 0.8, "floor": {"fd": 1.5},
               "memorization": {"median_ratio": 1.02, "fraction_closer": 0.05,
                                "p_value": 0.4, "memorizing": False},
               "timing": {"steps_per_s": 12.5, "train_seconds": 8.0,
                          "callback_seconds": {"SampleGrid": 0.7, "CSVLogger": 0.1}}}
    (run / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    for i, step in enumerate((50, 100)):
        (run / "samples" / f"samples_{step:08d}.png").write_bytes(png((40 + 100 * i, 90, 160)))
    (run / "warnings.json").write_text(json.dumps({
        "warnings": [{"category": "ModeCollapseWarning", "message": "possible <collapse>"}],
        "error": {"type": "DivergenceError", "message": "non-finite loss at step 7"}}))
    return run
