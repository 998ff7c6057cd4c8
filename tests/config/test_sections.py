"""The model, optimizer, data and callback sections."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from gankit.callbacks import EMA, CSVLogger, LossPlot, ModelCheckpoint, SampleGrid
from gankit.callbacks._registry import get_callback_class, list_callbacks
from gankit.config import ConfigError
from gankit.config.callbacks import DEFAULT_ON, ORDER, build_callbacks
from gankit.config.data import DATA_FIELDS, DATASETS, build_data
from gankit.config.models import build_model_section
from gankit.config.optimizers import build_optimizer
from gankit.data import ring
from gankit.models import MLPGenerator


# ---------------------------------------------------------------- models
def test_model_section_builds_the_same_model_as_the_api() -> None:
    torch.manual_seed(0)
    model, resolved = build_model_section(
        {"name": "MLPGenerator", "latent_dim": 2, "hidden": [8, 8], "norm_layer": "none",
         "output_activation": "none"}, "generator", (2,))
    torch.manual_seed(0)
    ref = MLPGenerator(2, (2,), hidden=(8, 8), norm_layer=None, output_activation=None)
    assert resolved["out_shape"] == [2]
    assert model.get_config() == ref.get_config()
    for a, b in zip(model.state_dict().values(), ref.state_dict().values()):
        assert torch.equal(a, b)


def test_explicit_shape_wins_over_the_data_shape() -> None:
    model, resolved = build_model_section(
        {"name": "MLPDiscriminator", "in_shape": [3], "hidden": [4]}, "discriminator", (2,))
    assert model.in_shape == (3,) and resolved["in_shape"] == [3]


@pytest.mark.parametrize(
    ("section", "role", "message"),
    [
        ({"name": "MLPGenerater", "latent_dim": 2}, "generator",
         r"'generator\.name': unknown generator model 'MLPGenerater' \(did you mean "
         r"'MLPGenerator'\?\); allowed: DCGANGenerator, MLPGenerator"),
        ({"name": "MLPDiscriminator"}, "generator", r"unknown generator model"),
        ({"latent_dim": 2}, "generator", r"'generator\.name': missing; expected the model class"),
        ({"name": "MLPGenerator", "latent_dim": 2, "hiden": [4]}, "generator",
         r"'generator\.hiden': unknown key 'hiden' \(did you mean 'hidden'\?\)"),
        ({"name": "MLPGenerator", "latent_dim": -1}, "generator",
         r"'generator': MLPGenerator: latent_dim must be"),
        ({"name": "MLPGenerator"}, "generator", r"'generator': MLPGenerator: .*latent_dim"),
        ({"name": "MLPDiscriminator", "act_layer": "swishy"}, "discriminator",
         r"'discriminator': MLPDiscriminator: .*swishy"),
        ("MLPGenerator", "generator", r"'generator': expected a table"),
    ],
)
def test_bad_model_sections(section: object, role: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_model_section(section, role, (2,))


# ---------------------------------------------------------------- optimizers
def test_default_optimizer_is_adam_2e4_betas_05_0999() -> None:
    factory, resolved = build_optimizer(None, "optimizer.generator")
    opt = factory([torch.nn.Parameter(torch.zeros(2))])
    assert isinstance(opt, torch.optim.Adam)
    assert opt.defaults["lr"] == 2e-4 and opt.defaults["betas"] == (0.5, 0.999)
    assert resolved == {"name": "Adam", "lr": 2e-4, "betas": (0.5, 0.999)}


def test_optimizer_arguments_reach_torch() -> None:
    factory, _ = build_optimizer({"name": "RMSprop", "lr": 0.01, "momentum": 0.9},
                                 "optimizer.discriminator")
    opt = factory([torch.nn.Parameter(torch.zeros(2))])
    assert isinstance(opt, torch.optim.RMSprop)
    assert opt.defaults["lr"] == 0.01 and opt.defaults["momentum"] == 0.9


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"name": "Adamm"}, r"'optimizer\.generator\.name': unknown optimizer 'Adamm' "
                            r"\(did you mean 'Adam'\?\); allowed: Adam, AdamW, RMSprop, SGD"),
        ({"name": "SGD", "betas": [0.5, 0.9]}, r"'optimizer\.generator\.betas': unknown key"),
        ({"lr": "fast"}, r"'optimizer\.generator\.lr': expected a number >= 0, got the string"),
        ({"betas": [0.5, 1.5]}, r"'optimizer\.generator': Adam: Invalid beta parameter"),
    ],
)
def test_bad_optimizer_sections(section: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_optimizer(section, "optimizer.generator")


# ---------------------------------------------------------------- data
def test_toy_data_is_the_sampler_with_its_modes() -> None:
    spec, resolved = build_data({"name": "ring", "std": 0.02}, seed=0)
    assert resolved == {"name": "ring", "num_modes": 8, "radius": 1.0, "std": 0.02}
    assert spec.sample_shape == (2,) and not spec.finite and spec.num_classes is None
    assert torch.equal(spec.source.means, ring(std=0.02).means)
    assert spec.data is spec.source


def test_fixed_size_draws_a_seeded_training_set() -> None:
    a, _ = build_data({"name": "grid", "fixed_size": 50}, seed=3)
    b, _ = build_data({"name": "grid", "fixed_size": 50}, seed=3)
    c, _ = build_data({"name": "grid", "fixed_size": 50}, seed=4)
    assert a.finite and a.data.shape == (50, 2)
    assert torch.equal(a.data, b.data) and not torch.equal(a.data, c.data)
    expected = a.source.dataset(50, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.data, expected)


def test_image_data_set() -> None:
    spec, resolved = build_data({"name": "digits", "size": 16}, seed=0)
    assert spec.sample_shape == (1, 16, 16) and spec.num_classes == 10 and spec.finite
    assert spec.source is None and spec.real_points(5) is None
    assert resolved == {"name": "digits", "split": "train", "size": 16, "fraction": 1.0}


def _folder(tmp_path: Path) -> str:
    from PIL import Image

    for k in range(3):
        Image.new("RGB", (178, 218), (60 * k, 0, 0)).save(tmp_path / f"{k}.png")
    return str(tmp_path)


def test_image_folder_random_crop_keys(tmp_path: Path) -> None:
    path = _folder(tmp_path)
    spec, resolved = build_data({"name": "image_folder", "path": path, "size": 16,
                                 "crop": "random", "crop_scale": 1.5}, seed=0)
    assert spec.sample_shape == (3, 16, 16) and spec.data.images.shape == (3, 3, 24, 24)
    assert repr(spec.data.transform) == "RandomCrop(size=16)"
    assert resolved == {"name": "image_folder", "path": path, "size": 16, "crop": "random",
                        "crop_scale": 1.5, "channels": 3}
    # The default is the centre crop; crop_scale is left out of the resolved section.
    spec, resolved = build_data({"name": "image_folder", "path": path, "size": 16}, seed=0)
    assert spec.data.transform is None and spec.data.images.shape == (3, 3, 16, 16)
    assert resolved == {"name": "image_folder", "path": path, "size": 16, "channels": 3,
                        "crop": "center"}


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"crop": "corner"}, r"'data\.crop': expected one of 'center', 'random', got the "
                             r"string 'corner'"),
        ({"crop": "random", "crop_scale": 0.5}, r"'data\.crop_scale': expected a number >= 1, "
                                                r"got the float 0\.5"),
        ({"crop_scale": 1.2}, r"'data': image_folder: crop_scale=1\.2 applies to "
                              r"crop='random' only"),
    ],
)
def test_bad_image_folder_crop_keys(tmp_path: Path, keys: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_data({"name": "image_folder", "path": _folder(tmp_path), "size": 16, **keys},
                   seed=0)


def test_every_data_set_has_fields() -> None:
    assert set(DATA_FIELDS) == set(DATASETS)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"name": "rings"}, r"'data\.name': unknown data set 'rings' \(did you mean 'ring'\?\)"),
        ({"name": "ring", "sigma": 0.1}, r"'data\.sigma': unknown key 'sigma'"),
        ({"name": "digits", "size": 12}, r"'data': digits: .*12"),
        ({"name": "mnist"}, r"'data\.path': missing"),
        ({"name": "digits", "fixed_size": 10}, r"'data\.fixed_size': unknown key"),
        ({}, r"'data\.name': missing"),
    ],
)
def test_bad_data_sections(section: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_data(section, seed=0)


def test_missing_data_files_are_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing"):
        build_data({"name": "mnist", "path": str(tmp_path / "nothing")}, seed=0)


# ---------------------------------------------------------------- callbacks
def test_default_callbacks_write_into_the_run_folder(tmp_path: Path) -> None:
    spec, _ = build_data({"name": "ring"}, seed=0)
    cbs, resolved = build_callbacks(None, tmp_path, spec)
    assert [type(cb) for cb in cbs] == [CSVLogger, LossPlot, SampleGrid, ModelCheckpoint]
    assert cbs[0].path == tmp_path / "log.csv"
    assert cbs[1].path == tmp_path / "losses.png"
    assert cbs[2].real is not None and cbs[2].real.shape == (1000, 2)
    assert set(resolved) == set(list_callbacks()) == set(ORDER)
    assert resolved["ema"]["enabled"] is False and resolved["csv"]["enabled"] is True
    # Every callback's resolved table: enabled, then its config keys with their values.
    for name, table in resolved.items():
        assert list(table) == ["enabled", *get_callback_class(name).config_keys]
        assert table["enabled"] is (name in DEFAULT_ON)
    assert resolved["checkpoint"] == {"enabled": True, "every": 1000, "keep_last": 3}
    assert resolved["samples"]["nrow"] is None


@pytest.mark.parametrize("name", list_callbacks())
def test_every_config_key_reaches_the_callback(tmp_path: Path, name: str) -> None:
    spec, _ = build_data({"name": "ring"}, seed=0)
    defaults = build_callbacks(None, tmp_path, spec)[1][name]
    # A value other than the default for every key: ints + 1, floats halved, None -> 2
    # (a string for the trackers' names and places), the other choice of a string
    # (EMA's buffers), and another name for a free-form string (a tracker's project).
    other = {"average": "copy", "copy": "average"}
    none_strings = {"run_name": "r1", "entity": "team", "mode": "offline",
                    "tracking_uri": "file:///tmp/mlruns"}
    changed = {}
    for key, value in defaults.items():
        if key != "enabled":
            changed[key] = (none_strings.get(key, 2) if value is None
                            else value / 2 if isinstance(value, float)
                            else other.get(value, value + "-2") if isinstance(value, str)
                            else value + 1)
    cbs, resolved = build_callbacks({name: changed}, tmp_path, spec)
    (cb,) = [c for c in cbs if type(c) is get_callback_class(name)]
    assert cb.get_config() == changed and resolved[name] == {"enabled": True, **changed}


def test_callback_fields_is_a_deprecated_alias_of_the_config_keys() -> None:
    import gankit.config.callbacks as config_callbacks

    with pytest.warns(DeprecationWarning, match="CALLBACK_FIELDS is deprecated"):
        fields = config_callbacks.CALLBACK_FIELDS
    assert fields["ema"] == ("enabled", "decay", "start_step", "every", "buffers")
    assert set(fields) == set(list_callbacks())


def test_presence_enables_and_enabled_false_disables(tmp_path: Path) -> None:
    spec, _ = build_data({"name": "ring"}, seed=0)
    cbs, resolved = build_callbacks(
        {"ema": {"decay": 0.9}, "csv": {"enabled": False}, "checkpoint": {"keep_last": "none"}},
        tmp_path, spec)
    kinds = [type(cb) for cb in cbs]
    assert kinds == [EMA, LossPlot, SampleGrid, ModelCheckpoint]
    assert cbs[0].decay == 0.9 and cbs[-1].keep_last is None
    assert resolved["checkpoint"]["keep_last"] is None


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"emma": {}}, r"'callbacks\.emma': unknown callback 'emma' \(did you mean 'ema'\?\)"),
        ({"ema": {"decai": 0.9}}, r"'callbacks\.ema\.decai': unknown key 'decai' "
                                  r"\(did you mean 'decay'\?\)"),
        ({"ema": {"decay": 1.5}}, r"'callbacks\.ema': EMA: decay must lie in \[0, 1\], got 1\.5"),
        ({"csv": {"every": 0}}, r"'callbacks\.csv': CSVLogger: every must be a positive int"),
        ({"csv": {"enabled": "yes"}}, r"'callbacks\.csv\.enabled': expected a bool"),
        ({"tensorboard": {"every": 0}}, r"'callbacks\.tensorboard': TensorBoardLogger: every"),
        ({"csv": True}, r"'callbacks\.csv': expected a table, got the bool true"),
    ],
)
def test_bad_callback_sections(tmp_path: Path, section: dict, message: str) -> None:
    spec, _ = build_data({"name": "ring"}, seed=0)
    with pytest.raises(ConfigError, match=message):
        build_callbacks(section, tmp_path, spec)


def test_a_fraction_keeps_a_stratified_share_and_the_full_held_out_split() -> None:
    full, _ = build_data({"name": "digits"}, seed=0)
    spec, resolved = build_data({"name": "digits", "fraction": 0.1}, seed=0)
    assert resolved["fraction"] == 0.1
    counts = torch.bincount(spec.data.labels, minlength=10)
    expected = torch.ceil(torch.bincount(full.data.labels, minlength=10) * 0.1)
    assert torch.equal(counts, expected.long())  # ⌈0.1 n_k⌉ of every class
    assert spec.held_out is not None and len(spec.held_out) == len(full.held_out)
    member = {tuple(row.flatten().tolist()) for row in full.data.images}
    assert all(tuple(row.flatten().tolist()) in member for row in spec.data.images)
    with pytest.raises(ConfigError, match=r"'data.fraction': fraction must be a number in "
                                          r"\(0, 1\], got 0.0"):
        build_data({"name": "digits", "fraction": 0.0}, seed=0)
