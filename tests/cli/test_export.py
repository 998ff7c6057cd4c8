"""``gankit export`` and ``gankit sample FOLDER``: folders, cards, serving files, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

pytest.importorskip("safetensors")

import gankit
from gankit.cli.main import main
from gankit.models import from_pretrained, load_pretrained_config
from gankit.training import load_checkpoint_file, load_generator

from ._two_runs import train_ring_and_conditional

SRC = Path(__file__).resolve().parents[2] / "src"

@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, tiny_text: str) -> dict[str, Path]:
    return train_ring_and_conditional(tmp_path_factory.mktemp("export"), tiny_text)


def sample(source: Path, out: Path, *extra: str) -> torch.Tensor:
    assert main(["sample", str(source), "-n", "12", "--out", str(out), *extra]) == 0
    return torch.load(out, weights_only=True)


def test_export_writes_a_folder_with_the_ema_weights(runs: dict[str, Path],
                                                     tmp_path: Path) -> None:
    assert main(["export", str(runs["ring"]), "--out", str(tmp_path / "g")]) == 0
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == [
        "README.md", "config.json", "model.safetensors"]
    doc = load_pretrained_config(tmp_path / "g")
    assert (doc["class"], doc["ema"], doc["noise"]) == ("MLPGenerator", True, "normal")
    z = torch.randn(7, 2)
    with torch.no_grad():
        assert torch.equal(from_pretrained(tmp_path / "g")(z), load_generator(runs["ring"])(z))
    assert main(["export", str(runs["ring"]), "--out", str(tmp_path / "raw"), "--no-ema"]) == 0
    assert load_pretrained_config(tmp_path / "raw")["ema"] is False
    with torch.no_grad():
        assert torch.equal(from_pretrained(tmp_path / "raw")(z),
                           load_generator(runs["ring"], ema=False)(z))


def test_model_card_comes_from_the_run(runs: dict[str, Path], tmp_path: Path) -> None:
    assert main(["export", str(runs["ring"]), "--out", str(tmp_path)]) == 0
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    metrics = json.loads((runs["ring"].parents[1] / "metrics.json").read_text())
    for row in ["| Model | `MLPGenerator` |", "| Loss | NSGAN() + R1Penalty(weight=0.1) |",
                "| Data | ring (", "| Steps | 3 |", "| Seed | 7 |",
                "| Weights | EMA of the generator (decay 0.9) |",
                f"| gankit version | {gankit.__version__} |", "From the run's `metrics.json`.",
                f"| modes_covered | {metrics['modes_covered']} |",
                f"| num_samples | {metrics['num_samples']} |"]:
        assert row in card, row


def test_an_evaluation_of_the_checkpoint_is_preferred(runs: dict[str, Path],
                                                      tmp_path: Path) -> None:
    run = runs["cond"].parents[1]  # no [eval] at the end of training: no metrics.json
    assert main(["export", str(runs["cond"]), "--out", str(tmp_path / "a")]) == 0
    assert "No evaluation recorded." in (tmp_path / "a/README.md").read_text()
    evaluation = run / "eval" / "last" / "metrics.json"
    evaluation.parent.mkdir(parents=True)
    evaluation.write_text(json.dumps({"fd": 12.5}))
    try:
        assert main(["export", str(runs["cond"]), "--out", str(tmp_path / "b")]) == 0
    finally:
        evaluation.unlink()
    card = (tmp_path / "b/README.md").read_text()
    assert "| fd | 12.5 |" in card and "From the run's `eval/last/metrics.json`." in card
    assert "| Weights | the generator's own (no EMA) |" in card


@pytest.mark.parametrize("run", ["ring", "cond"])
def test_sample_from_a_folder_matches_the_checkpoint(run: str, runs: dict[str, Path],
                                                     tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    assert main(["export", str(runs[run]), "--out", str(folder)]) == 0
    labels = ["--labels", "3", "1"] if run == "cond" else []
    from_folder = sample(folder, tmp_path / "a.pt", "--seed", "5", *labels)
    from_checkpoint = sample(runs[run], tmp_path / "b.pt", "--seed", "5", *labels)
    assert torch.equal(from_folder, from_checkpoint)


def test_sample_folder_in_a_real_subprocess(runs: dict[str, Path], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    folder, out = tmp_path / "g", tmp_path / "s.npy"
    for args in (["export", str(runs["ring"]), "--out", str(folder)],
                 ["sample", str(folder), "-n", "9", "--out", str(out)]):
        proc = subprocess.run([sys.executable, "-m", "gankit", *args], capture_output=True,
                              text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
    assert "wrote 9 samples of shape (2,)" in proc.stdout
    assert out.is_file()


def test_sample_refuses_what_a_folder_cannot_give(runs: dict[str, Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(runs["ring"]), "--out", str(tmp_path / "g")]) == 0
    capsys.readouterr()
    assert main(["sample", str(tmp_path / "g"), "--out", str(tmp_path / "x.pt"),
                 "--no-ema"]) == 2
    assert "holds only the EMA weights" in capsys.readouterr().err
    assert main(["export", str(runs["ring"]), "--out", str(tmp_path / "d"),
                 "--discriminator"]) == 0
    assert main(["sample", str(tmp_path / "d"), "--out", str(tmp_path / "x.pt")]) == 1
    err = capsys.readouterr().err
    assert "config.json' holds a discriminator (MLPDiscriminator); a generator is needed" in err
    (tmp_path / "g/config.json").write_text("{")
    assert main(["sample", str(tmp_path / "g"), "--out", str(tmp_path / "x.pt")]) == 1
    assert "g/config.json' is not valid JSON" in capsys.readouterr().err


def test_export_errors_map_to_exit_codes(runs: dict[str, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "missing.pt"), "--out", str(tmp_path / "g")]) == 1
    assert "missing.pt' does not exist" in capsys.readouterr().err
    assert main(["export", str(runs["ring"]), "--out", str(tmp_path / "g.onnx"),
                 "--format", "onnx", "--discriminator"]) == 2
    assert "--discriminator needs --format pretrained" in capsys.readouterr().err
    assert main(["export", str(runs["ring"]), "--out", str(tmp_path / "g"),
                 "--format", "tflite"]) == 2


def reference(checkpoint: Path, n: int) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
    """Inputs of a batch size the trace never saw, and the generator's outputs on them."""
    g = load_generator(checkpoint)
    z = torch.rand(n, g.latent_dim) * 2 - 1
    inputs = (z,) if g.num_classes is None else (z, torch.arange(n) % g.num_classes)
    with torch.no_grad():
        return inputs, g(*inputs)


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("run", ["ring", "cond"])
def test_torchscript_export_matches_the_generator(run: str, runs: dict[str, Path],
                                                  tmp_path: Path) -> None:
    assert main(["export", str(runs[run]), "--format", "torchscript", "--out",
                 str(tmp_path)]) == 0
    extra = {"config.json": ""}
    scripted = torch.jit.load(str(tmp_path / "generator.pt"), _extra_files=extra)
    assert json.loads(extra["config.json"])["ema"] is (run == "ring")
    inputs, expected = reference(runs[run], 5)
    with torch.no_grad():
        torch.testing.assert_close(scripted(*inputs), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("run", ["ring", "cond"])
def test_onnx_export_matches_the_generator(run: str, runs: dict[str, Path],
                                           tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    out = tmp_path / "g.onnx"
    assert main(["export", str(runs[run]), "--format", "onnx", "--out", str(out)]) == 0
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    assert names == (["z"] if run == "ring" else ["z", "labels"])
    meta = json.loads(session.get_modelmeta().custom_metadata_map["gankit_config"])
    noise = load_checkpoint_file(runs[run])["trainer"]["noise"]
    assert (meta["class"], meta["noise"]) == (load_generator(runs[run]).__class__.__name__,
                                              noise)
    inputs, expected = reference(runs[run], 5)
    (got,) = session.run(None, {k: v.numpy() for k, v in zip(names, inputs)})
    torch.testing.assert_close(torch.from_numpy(got), expected, atol=1e-5, rtol=1e-5)
