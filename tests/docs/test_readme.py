"""The README's code runs as written (shortened) and its set-up section has two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_training_script_runs_and_is_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    script = python_blocks()[0]
    assert len(script.strip().splitlines()) <= 25
    monkeypatch.chdir(tmp_path)
    short = script.replace("steps=2000", "steps=30")
    assert short != script
    namespace: dict[str, object] = {}
    exec(compile(short, "README.md", "exec"), namespace)
    assert (tmp_path / "runs/mine/log.csv").is_file()
    assert (tmp_path / "runs/mine/checkpoints/last.pt").is_file()


def test_custom_loss_block_runs() -> None:
    import torch

    from gankit.losses import GANBatch

    namespace: dict[str, object] = {}
    exec(compile(python_blocks()[1], "README.md", "exec"), namespace)
    loss = namespace["loss"]
    d = torch.nn.Linear(2, 1)
    batch = GANBatch(lambda x: d(x).squeeze(1), torch.randn(4, 2), torch.randn(4, 2))
    assert sorted(loss.discriminator_terms(batch)) == ["centering", "nsgan"]  # type: ignore[attr-defined]


def test_setup_section_has_exactly_two_commands() -> None:
    text = README.read_text()
    section = text.split("## Set-up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    assert len(commands) == 2
    assert "gankit demo" in commands[0] and "pytest" in commands[1]
    ci = (README.parent / ".ci/run").read_text()
    assert commands[1].strip() in ci



def test_mode_collapse_table_shows_the_committed_results(monkeypatch: pytest.MonkeyPatch) -> None:
    # The README's table is what benchmarks/toy_modes_table.py prints from the committed JSON
    # files (PacGAN's published rows, then gankit's measured means), not typed-in numbers.
    import importlib

    monkeypatch.syspath_prepend(str(README.parent / "benchmarks"))
    table = importlib.import_module("toy_modes_table").table()
    assert "gankit `best`, 10 seeds" in table
    assert table in README.read_text()


def _run_script(script: str, folder: Path) -> tuple[str, dict[str, object]]:
    """Run ``script`` in a fresh Python process in ``folder``; its output and final weights."""
    import subprocess
    import sys

    import torch

    folder.mkdir()
    (folder / "script.py").write_text(script)
    proc = subprocess.run([sys.executable, "script.py"], cwd=folder, capture_output=True,
                          text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    ckpt = torch.load(folder / "runs/mine/checkpoints/last.pt", weights_only=True)
    # Progress lines report steps/s, which no two runs share; everything else must match.
    printed = "\n".join(x for x in proc.stdout.splitlines() if not x.startswith("step "))
    return printed, ckpt


def _assert_same_runs(script: str, tmp_path: Path) -> None:
    import torch

    out_a, ckpt_a = _run_script(script, tmp_path / "a")
    out_b, ckpt_b = _run_script(script, tmp_path / "b")
    assert out_a == out_b and "modes_covered" in out_a
    for role in ("generator", "discriminator"):
        sa, sb = ckpt_a[role]["state_dict"], ckpt_b[role]["state_dict"]  # type: ignore[index]
        assert all(torch.equal(v, sb[k]) for k, v in sa.items()), role
    ea, eb = ckpt_a["ema_generator"], ckpt_b["ema_generator"]
    assert all(torch.equal(v, eb[k]) for k, v in ea.items())  # type: ignore[union-attr,index]


def test_two_fresh_processes_running_the_readme_script_agree(tmp_path: Path) -> None:
    # The script seeds before it builds the models; with Trainer(seed=0) alone (the
    # README before) two processes started from different weights.
    pytest.importorskip("matplotlib")
    script = python_blocks()[0]
    assert script.index("seed_everything(0)") < script.index("MLPGenerator(")
    short = script.replace("steps=2000", "steps=60")
    assert short != script
    _assert_same_runs(short, tmp_path)


@pytest.mark.slow
def test_two_fresh_processes_running_the_readme_script_literally_agree(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    _assert_same_runs(python_blocks()[0], tmp_path)


def test_image_tables_show_the_committed_results(monkeypatch: pytest.MonkeyPatch) -> None:
    # The README's image-quality and Stacked MNIST tables are what
    # benchmarks/image_quality_table.py prints from the committed JSON files.
    import importlib

    monkeypatch.syspath_prepend(str(README.parent / "benchmarks"))
    tables = importlib.import_module("image_quality_table").tables()
    assert "gankit `best`, 3 seeds" in tables and "real data (floor)" in tables
    assert tables in README.read_text()
