"""Reading TOML and YAML config files, ``--set`` overrides, and writing TOML back."""

from __future__ import annotations

import builtins
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gankit.config import (
    ConfigError,
    apply_overrides,
    dumps_toml,
    load_config,
    loads_toml,
    parse_override,
)

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
    out = apply_overrides(config, ["loss.terms.1.weight=0.5", "callbacks.ema.decay=0.99"])
    assert out == {
        "loss": {"terms": [{"name": "NSGAN"}, {"name": "R1Penalty", "weight": 0.5}]},
        "callbacks": {"ema": {"decay": 0.99}},
    }
    assert "weight" not in config["loss"]["terms"][1]


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


# ---------------------------------------------------------------- writing TOML (tomli-w)
keys = st.text(min_size=1, max_size=8)
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4))
tables = st.dictionaries(keys, values, max_size=4)
documents = st.dictionaries(
    keys, st.one_of(values, tables, st.dictionaries(keys, tables, max_size=2)), max_size=4
)


@settings(deadline=None, max_examples=100)
@given(documents)
def test_dumps_toml_round_trips_any_config_document(doc: dict) -> None:
    assert loads_toml(dumps_toml(doc)) == doc


def test_dumps_toml_writes_none_as_the_config_string_none_and_tuples_as_lists() -> None:
    text = dumps_toml({
        "trainer": {"steps": 10, "grad_clip": None, "betas": (0.5, 0.9)},
        "loss": {"terms": [{"name": "NSGAN"}, {"name": "R1Penalty", "weight": None}]},
        "callbacks": {"checkpoint": {"keep_last": None}, "ema": {}},
    })
    assert loads_toml(text) == {
        "trainer": {"steps": 10, "grad_clip": "none", "betas": [0.5, 0.9]},
        "loss": {"terms": [{"name": "NSGAN"}, {"name": "R1Penalty", "weight": "none"}]},
        "callbacks": {"checkpoint": {"keep_last": "none"}, "ema": {}},
    }


def test_dumps_toml_refuses_values_toml_cannot_hold() -> None:
    with pytest.raises(TypeError, match="set"):
        dumps_toml({"x": {1, 2}})


def test_dumps_toml_without_tomli_w_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tomli_w", None)  # makes `import tomli_w` fail
    with pytest.raises(ImportError, match=r'pip install "gankit\[extras\]"'):
        dumps_toml({"trainer": {"steps": 1}})
