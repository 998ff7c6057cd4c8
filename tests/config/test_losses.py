"""The ``[loss]`` section builds the same loss as the Python API."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from gankit.config import ConfigError
from gankit.config.losses import LOSSES, build_loss
from gankit.losses import NSGAN, WGAN, WGANGP, GANBatch, R1Penalty, list_losses


def _batch() -> GANBatch:
    torch.manual_seed(0)
    d = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    real = torch.randn(16, 2)
    fake = torch.randn(16, 2)
    return GANBatch(lambda x: d(x).squeeze(1), real, fake)


def _values(loss, make_batch=_batch) -> tuple[dict, dict]:
    d = {k: float(v.detach()) for k, v in loss.discriminator_terms(make_batch()).items()}
    g = {k: float(v.detach()) for k, v in loss.generator_terms(make_batch()).items()}
    return d, g


def test_single_loss_matches_the_api_and_the_formula() -> None:
    loss, resolved = build_loss({"name": "NSGAN"})
    assert resolved == {"name": "NSGAN"}
    d, g = _values(loss)
    batch = _batch()
    real, fake = batch.real_logits.detach().double(), batch.fake_logits.detach().double()
    # -log sigmoid(r) - log(1 - sigmoid(f)) and -log sigmoid(f), by hand in float64.
    assert d["nsgan"] == pytest.approx(float(F.softplus(-real).mean() + F.softplus(fake).mean()),
                                       rel=1e-5)
    assert g["nsgan"] == pytest.approx(float(F.softplus(-fake).mean()), rel=1e-5)
    assert (d, g) == _values(NSGAN())


def test_terms_with_weights_match_the_composed_api_loss() -> None:
    loss, resolved = build_loss({"terms": [
        {"name": "NSGAN", "label_smoothing": 0.1, "weight": 2},
        {"name": "R1Penalty", "weight": 1},
    ]})
    assert resolved == {"terms": [{"name": "NSGAN", "label_smoothing": 0.1, "weight": 2.0},
                                  {"name": "R1Penalty", "weight": 1.0}]}
    assert repr(loss) == "2.0 * NSGAN(label_smoothing=0.1) + R1Penalty(weight=1.0)"
    assert _values(loss) == _values(2.0 * NSGAN(label_smoothing=0.1) + R1Penalty(weight=1.0))


@pytest.mark.parametrize("name", ["MMGAN", "NSGAN"])
def test_label_noise_round_trips_through_the_config(name: str) -> None:
    loss, resolved = build_loss({"name": name, "label_noise": 0.05})
    assert resolved == {"name": name, "label_noise": 0.05}
    assert repr(loss) == f"{name}(label_noise=0.05)"
    assert loss.get_config() == {"label_smoothing": 0.0, "label_noise": 0.05}
    rebuilt, again = build_loss({"name": name, **loss.get_config()})
    assert repr(rebuilt) == repr(loss) and again == {"name": name, **loss.get_config()}
    torch.manual_seed(2)
    a = _values(loss)
    torch.manual_seed(2)
    b = _values(LOSSES[name](label_noise=0.05))
    assert a == b


@pytest.mark.parametrize("name", ["GradientPenalty", "R1Penalty"])
def test_a_penalty_terms_weight_is_its_coefficient(name: str) -> None:
    loss, _ = build_loss({"terms": [{"name": "WGAN"}, {"name": name, "weight": 3}]})
    cls = LOSSES[name]
    torch.manual_seed(1)
    a = _values(loss)
    torch.manual_seed(1)
    b = _values(WGAN() + cls(weight=3.0))
    assert a == b
    assert repr(loss) == f"WGAN() + {name}(weight=3.0)"


def test_gradient_penalty_weight_is_its_lambda() -> None:
    loss, _ = build_loss({"terms": [{"name": "WGAN"}, {"name": "GradientPenalty", "weight": 10}]})
    torch.manual_seed(1)
    a = _values(loss)
    torch.manual_seed(1)
    b = _values(WGANGP(weight=10.0))
    assert a == b


def test_old_coefficient_keys_warn_and_keep_their_meaning() -> None:
    # gamma was R1Penalty's coefficient, and a term's weight multiplied the term.
    with pytest.warns(FutureWarning, match=r"'loss\.terms\.1\.gamma' is deprecated.*'weight'"):
        loss, resolved = build_loss({"terms": [
            {"name": "NSGAN"}, {"name": "R1Penalty", "gamma": 2, "weight": 0.5}]})
    assert repr(loss) == "NSGAN() + 0.5 * R1Penalty(weight=2.0)"
    assert resolved["terms"][1] == {"name": "R1Penalty", "gamma": 2.0, "weight": 0.5}
    assert _values(loss) == _values(NSGAN() + 0.5 * R1Penalty(weight=2.0))
    with pytest.warns(FutureWarning, match=r"'loss\.gp_weight' is deprecated"):
        loss, resolved = build_loss({"name": "WGANGP", "gp_weight": 5})
    assert repr(loss) == "WGANGP(weight=5.0)" and resolved == {"name": "WGANGP", "gp_weight": 5.0}
    with pytest.raises(ConfigError, match=r"'loss\.gp_weight': give 'weight' or its deprecated "
                                          r"alias 'gp_weight', not both"):
        build_loss({"name": "WGANGP", "gp_weight": 5, "weight": 5})


def test_loss_fields_is_a_deprecated_alias_of_the_registrys_keys() -> None:
    import gankit.config.losses as config_losses

    with pytest.warns(DeprecationWarning, match="LOSS_FIELDS is deprecated"):
        fields = config_losses.LOSS_FIELDS
    assert fields == {name: LOSSES[name].config_keys for name in list_losses()}
    assert fields["R1Penalty"] == ("weight", "every")


@pytest.mark.parametrize("name", list_losses())
def test_every_registered_loss_builds_with_its_defaults(name: str) -> None:
    loss, resolved = build_loss({"name": name})
    assert isinstance(loss, LOSSES[name]) and resolved == {"name": name}
    # Its config keys are constructor arguments: get_config() rebuilds it.
    config = loss.get_config()
    assert set(config) == set(LOSSES[name].config_keys)
    rebuilt, resolved = build_loss({"name": name, **config})
    assert repr(rebuilt) == repr(loss) and resolved == {"name": name, **config}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"name": "NSGANN"}, r"'loss\.name': unknown loss 'NSGANN' \(did you mean 'NSGAN'\?\)"),
        ({"name": "NSGAN", "gamma": 1}, r"'loss\.gamma': unknown key 'gamma'; allowed: "
                                        r"label_noise, label_smoothing"),
        ({"name": "NSGAN", "weight": 2}, r"'loss\.weight': unknown key 'weight'"),
        ({"terms": [{"name": "NSGAN"}, {"name": "R1Penalty", "wieght": 1}]},
         r"'loss\.terms\.1\.wieght': unknown key 'wieght' \(did you mean 'weight'\?\)"),
        ({"terms": [{"name": "R1Penalty", "weight": "big"}]},
         r"'loss\.terms\.0': R1Penalty: weight must be a finite number >= 0, got str 'big'"),
        ({"terms": [{"name": "NSGAN", "weight": "big"}]},
         r"'loss\.terms\.0\.weight': expected a number, got the string 'big'"),
        ({"terms": []}, r"'loss\.terms': expected a non-empty list"),
        ({"terms": ["NSGAN"]}, r"'loss\.terms\.0': expected a table with a 'name'"),
        ({"terms": [{"name": "NSGAN"}], "name": "WGAN"}, r"give either 'name'"),
        ({}, r"'loss\.name': missing"),
        ({"name": 3}, r"'loss\.name': expected a string, got the int 3"),
        ({"name": "NSGAN", "label_smoothing": -0.5},
         r"'loss': NSGAN: label_smoothing must"),
        ({"name": "NSGAN", "label_noise": 1.5},
         r"'loss': NSGAN: label_noise must lie in \[0, 1\), got 1\.5"),
        ({"name": "MMGAN", "label_noise": "0.05"},
         r"'loss': MMGAN: label_noise must be a number, got str"),
        ({"name": "no_such_module_xyz:Loss"}, r"cannot import module 'no_such_module_xyz'"),
        ({"name": "gankit.losses:GANBatch"}, r"must name a gankit\.losses\.Loss subclass"),
    ],
)
def test_bad_loss_sections(section: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_loss(section)


def test_user_loss_by_import_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_losses.py").write_text(
        "from gankit.losses import LossTerm\n"
        "class Centering(LossTerm):\n"
        "    name = 'centering'\n"
        "    def __init__(self, power=2):\n"
        "        self.power = power\n"
        "    def discriminator(self, batch):\n"
        "        return batch.fake_logits.mean().abs() ** self.power\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    loss, resolved = build_loss({"terms": [
        {"name": "NSGAN"}, {"name": "my_losses:Centering", "power": 1, "weight": 0.25}]})
    assert resolved["terms"][1] == {"name": "my_losses:Centering", "power": 1, "weight": 0.25}
    batch = _batch()
    d, _ = _values(loss)
    assert d["centering"] == pytest.approx(0.25 * float(batch.fake_logits.detach().mean().abs()))
    with pytest.raises(ConfigError, match=r"'loss': my_losses:Centering: .*unexpected keyword"):
        build_loss({"name": "my_losses:Centering", "pow": 1})
    sys.modules.pop("my_losses", None)
