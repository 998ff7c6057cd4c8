"""The hand-written schema: types, defaults, "none", unknown keys with suggestions."""

from __future__ import annotations

import pytest

from gankit.config import ConfigError
from gankit.config.errors import unknown_name_error
from gankit.config.schema import REQUIRED, Field, check_table, check_value

FIELDS = {
    "steps": Field("int", REQUIRED, "steps", minimum=0),
    "lr": Field("float", 2e-4, "learning rate", minimum=0.0),
    "betas": Field("float_list", (0.5, 0.999), "betas", length=2),
    "noise": Field("str", "normal", "noise", choices=("normal", "uniform")),
    "clip": Field("float", None, "clip", nullable=True),
    "flag": Field("bool", False, "flag"),
}


def test_defaults_are_filled_and_none_defaults_left_out() -> None:
    out = check_table({"steps": 3}, FIELDS, "trainer")
    assert out == {"steps": 3, "lr": 2e-4, "betas": (0.5, 0.999), "noise": "normal",
                   "flag": False}


def test_int_becomes_float_and_none_string_becomes_none() -> None:
    out = check_table({"steps": 3, "lr": 1, "clip": "none", "betas": [0, 1]}, FIELDS, "t")
    assert out["lr"] == 1.0 and isinstance(out["lr"], float)
    assert out["clip"] is None
    assert out["betas"] == [0.0, 1.0]


def test_unknown_key_names_path_suggestion_and_allowed_keys() -> None:
    with pytest.raises(ConfigError, match=r"'trainer\.step': unknown key 'step' "
                       r"\(did you mean 'steps'\?\); allowed: betas, clip, flag, lr, noise, steps"):
        check_table({"step": 3}, FIELDS, "trainer")


def test_unknown_key_without_close_match_has_no_suggestion() -> None:
    err = unknown_name_error("x.zzz", "zzz", ["alpha", "beta"], "key")
    assert "did you mean" not in str(err)
    assert "allowed: alpha, beta" in str(err)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"steps": "ten"}, r"'trainer\.steps': expected an int >= 0, got the string 'ten'"),
        ({"steps": 2.5}, r"'trainer\.steps': expected an int >= 0, got the float 2\.5"),
        ({"steps": True}, r"'trainer\.steps': expected an int >= 0, got the bool true"),
        ({"steps": -1}, r"'trainer\.steps': expected an int >= 0, got the int -1"),
        ({"steps": 1, "noise": "gauss"}, r"'trainer\.noise': expected one of 'normal', "
                                         r"'uniform', got the string 'gauss'"),
        ({"steps": 1, "betas": [0.5]}, r"'trainer\.betas': expected a list of numbers of "
                                       r"length 2"),
        ({"steps": 1, "lr": float("nan")}, r"'trainer\.lr': expected a number >= 0"),
        ({"steps": 1, "flag": 1}, r"'trainer\.flag': expected a bool \(true or false\)"),
        ({}, r"'trainer\.steps': missing; expected an int >= 0"),
    ],
)
def test_bad_values_name_the_key_and_the_expected_type(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_table(table, FIELDS, "trainer")


def test_not_a_table() -> None:
    with pytest.raises(ConfigError, match=r"'trainer': expected a table, got the int 3"):
        check_table(3, FIELDS, "trainer")


def test_config_error_is_a_value_error_with_the_path() -> None:
    err = ConfigError("a.b", "bad")
    assert isinstance(err, ValueError) and err.path == "a.b"
    assert str(ConfigError("", "whole file")) == "whole file"


def test_check_value_int_list() -> None:
    field = Field("int_list", (), "hidden", minimum=1)
    assert check_value([3, 4], field, "g.hidden") == [3, 4]
    with pytest.raises(ConfigError, match=r"'g\.hidden': expected a list of ints >= 1"):
        check_value([3, 0], field, "g.hidden")
