"""The TOML writer: tomllib reads back exactly what was written."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gankit.config import dumps_toml, loads_toml

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


@settings(deadline=None, max_examples=200)
@given(documents)
def test_round_trip(doc: dict) -> None:
    assert loads_toml(dumps_toml(doc)) == doc


def test_layout_none_tuples_and_inline_tables() -> None:
    text = dumps_toml({
        "top": 1,
        "trainer": {"steps": 10, "grad_clip": None, "betas": (0.5, 0.9)},
        "optimizer": {"generator": {"lr": 1e-4}},
        "loss": {"terms": [{"name": "NSGAN"}, {"name": "R1Penalty", "gamma": 0.1}]},
        "callbacks": {"ema": {}},
    })
    assert text == (
        'top = 1\n\n'
        '[trainer]\nsteps = 10\ngrad_clip = "none"\nbetas = [0.5, 0.9]\n\n'
        '[optimizer.generator]\nlr = 0.0001\n\n'
        '[loss]\nterms = [{name = "NSGAN"}, {name = "R1Penalty", gamma = 0.1}]\n\n'
        '[callbacks.ema]\n'
    )
    assert loads_toml(text)["trainer"]["grad_clip"] == "none"


def test_special_floats_and_quoted_keys() -> None:
    doc = loads_toml(dumps_toml({"t": {"a b": math.inf, "c": -math.inf}}))
    assert doc == {"t": {"a b": math.inf, "c": -math.inf}}
    assert math.isnan(loads_toml(dumps_toml({"x": math.nan}))["x"])


def test_unsupported_value_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot write set"):
        dumps_toml({"x": {1, 2}})
