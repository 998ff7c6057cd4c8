"""Reading TOML and YAML config files, and ``--set`` overrides."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from gankit.config import ConfigError, apply_overrides, load_config, parse_override

TOML = '[trainer]\nsteps = 10\nbetas = [0.5, 0.9]\n\n[loss]\nterms = [{name = "NSGAN"}]\n'
EXPECTED = {"trainer": {"steps": 10, "betas": [0.5, 0.9]}, "loss": {"terms": [{"name": "NSGAN"}]}}


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text(TOML)
    assert load_config(path) == EXPECTED


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_yaml_file_gives_the_same_document(tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / f"run{suffix}"
    path.write_text(
        "trainer:\n  steps: 10\n  betas: [0.5, 0.9]\nloss:\n  terms:\n    - name: NSGAN\n"
    )
    assert load_config(path) == EXPECTED


def test_yaml_without_pyyaml_names_the_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_yaml(name: str, *args: object, **kwargs: object) -> object:
        if name == "yaml":
            raise ImportError("No module named 'yaml'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_yaml)
    path = tmp_path / "run.yaml"
    path.write_text("trainer: {steps: 1}\n")
    with pytest.raises(ConfigError, match=r'pip install "gankit\[yaml\]"'):
        load_config(path)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("run.json", "{}", r"must end in \.toml, \.yaml or \.yml, got '\.json'"),
        ("bad.toml", "[trainer\nsteps = 1", r"is not valid TOML: .*line 1"),
        ("list.yaml", "- 1\n- 2\n", r"must hold a table at the top, got the list \[1, 2\]"),
        ("bad.yaml", "a: [1, 2\n", r"is not valid YAML"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    if name.endswith(".yaml"):
        pytest.importorskip("yaml")
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file '.*nope\.toml' does not exist"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trainer.steps=100", (["trainer", "steps"], 100)),
        ("optimizer.generator.lr=1e-4", (["optimizer", "generator", "lr"], 1e-4)),
        ("generator.hidden=[64, 64]", (["generator", "hidden"], [64, 64])),
        ("trainer.compile=true", (["trainer", "compile"], True)),
        ('data.name="ring"', (["data", "name"], "ring")),
        ("data.name=ring", (["data", "name"], "ring")),
        ("data.path=/tmp/x y", (["data", "path"], "/tmp/x y")),
        (" trainer.seed = 3 ", (["trainer", "seed"], 3)),
    ],
)
def test_parse_override_reads_toml_values_or_bare_strings(text: str, expected: tuple) -> None:
    assert parse_override(text) == expected


@pytest.mark.parametrize("text", ["trainer.steps", "=3", "trainer..steps=3", "trainer.=1"])
def test_malformed_override(text: str) -> None:
    with pytest.raises(ConfigError, match="--set expects key=value with a dotted key"):
        parse_override(text)


def test_apply_overrides_creates_tables_indexes_lists_and_copies() -> None:
    config = {"loss": {"terms": [{"name": "NSGAN"}, {"name": "R1Penalty"}]}}
    out = apply_overrides(config, ["loss.terms.1.gamma=0.5", "callbacks.ema.decay=0.99"])
    assert out == {
        "loss": {"terms": [{"name": "NSGAN"}, {"name": "R1Penalty", "gamma": 0.5}]},
        "callbacks": {"ema": {"decay": 0.99}},
    }
    assert "gamma" not in config["loss"]["terms"][1]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("loss.terms.2.weight=1", r"'loss\.terms\.2': --set: 'loss\.terms' is a list of 2 "
                                  r"items; use an index 0\.\.1, got '2'"),
        ("loss.terms.x.weight=1", r"use an index 0\.\.1, got 'x'"),
        ("trainer.steps.max=1", r"'trainer\.steps\.max': --set: 'trainer\.steps' is the int "
                                r"10, not a table"),
    ],
)
def test_bad_override_paths(override: str, message: str) -> None:
    config = {"trainer": {"steps": 10}, "loss": {"terms": [{}, {}]}}
    with pytest.raises(ConfigError, match=message):
        apply_overrides(config, [override])
