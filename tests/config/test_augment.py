"""The [augment] section builder."""

from __future__ import annotations

import pytest

from gankit.augment import AdaptiveAugment, DiffAugment, list_augments
from gankit.config import ConfigError, loads_toml
from gankit.config.augment import build_augment_section


def test_a_toml_section_builds_diffaugment() -> None:
    cfg = loads_toml('[augment]\nname = "DiffAugment"\npolicy = "color,translation,cutout"\n')
    augment, resolved = build_augment_section(cfg["augment"])
    assert isinstance(augment, DiffAugment) and augment.policy == "color,translation,cutout"
    assert resolved == {"name": "DiffAugment", "policy": "color,translation,cutout"}


def test_adaptive_augment_with_defaults_filled_in_and_none() -> None:
    augment, resolved = build_augment_section({"name": "AdaptiveAugment", "target": "none",
                                               "speed_kimg": 100})
    assert isinstance(augment, AdaptiveAugment) and augment.target is None
    assert resolved == {"name": "AdaptiveAugment", "target": "none", "speed_kimg": 100.0,
                        "interval": 4, "p": 0.0, "max_p": 1.0}
    # The resolved section builds the same augmentation again.
    again, resolved_again = build_augment_section(resolved)
    assert repr(again) == repr(augment) and resolved_again == resolved


@pytest.mark.parametrize("name", list_augments())
def test_every_registered_augmentation_builds_with_its_defaults(name: str) -> None:
    augment, resolved = build_augment_section({"name": name})
    assert type(augment).__name__ == name and set(resolved) == {"name", *augment.config_keys}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({}, r"'augment\.name': missing; expected one of \['AdaptiveAugment', 'DiffAugment'\]"),
        ({"name": "DiffAugmnt"}, r"'augment\.name': unknown augmentation 'DiffAugmnt' \(did you "
                                 r"mean 'DiffAugment'\?\)"),
        ({"name": 3}, r"'augment\.name': expected a string, got the int 3"),
        ({"name": "DiffAugment", "polcy": "color"},
         r"'augment\.polcy': unknown key 'polcy' \(did you mean 'policy'\?\); allowed: name, "
         r"policy"),
        ({"name": "DiffAugment", "policy": "colour"},
         r"'augment': DiffAugment: unknown DiffAugment policy name\(s\) \['colour'\].*valid "
         r"names: brightness, color"),
        ({"name": "AdaptiveAugment", "interval": 0},
         r"'augment': AdaptiveAugment: interval must be a positive int"),
        ("DiffAugment", r"'augment': expected a table, got the string 'DiffAugment'"),
    ],
)
def test_bad_sections(section: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_augment_section(section)
