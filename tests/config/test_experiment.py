"""Whole configs: required sections, trainer keys, and the resolved config round trip."""

from __future__ import annotations

import copy
import inspect
from pathlib import Path
from typing import Any

import pytest
import torch

import gankit.training
from gankit.config import ConfigError, build_experiment, dumps_toml, loads_toml
from gankit.config.experiment import NOT_TRAINER_ARGUMENTS, TRAINER_FIELDS
from gankit.training import Trainer


def tiny() -> dict[str, Any]:
    return {
        "data": {"name": "ring"},
        "generator": {"name": "MLPGenerator", "latent_dim": 2, "hidden": [8],
                      "output_activation": "none"},
        "discriminator": {"name": "MLPDiscriminator", "hidden": [8]},
        "loss": {"name": "NSGAN"},
        "trainer": {"steps": 3, "batch_size": 16, "progress_bar": False, "seed": 5},
    }


def test_build_experiment_wires_everything(tmp_path: Path) -> None:
    config = tiny()
    config["optimizer"] = {"discriminator": {"name": "SGD", "lr": 0.1}}
    config["trainer"].update(d_steps=2, noise="uniform", grad_clip=1.0, accumulate=2)
    exp = build_experiment(config, tmp_path)
    t = exp.trainer
    assert t.d_steps == 2 and t.noise == "uniform" and t.grad_clip == 1.0 and t.accumulate == 2
    assert isinstance(t.d_optimizer, torch.optim.SGD) and t.d_optimizer.defaults["lr"] == 0.1
    assert isinstance(t.g_optimizer, torch.optim.Adam)
    assert exp.fit_kwargs == {"steps": 3, "epochs": None, "batch_size": 16}
    assert exp.config["generator"]["out_shape"] == [2]
    assert exp.config["trainer"]["seed"] == 5
    assert not tmp_path.joinpath("log.csv").exists()  # building writes nothing


def test_same_seed_same_initial_weights(tmp_path: Path) -> None:
    a = build_experiment(tiny(), tmp_path).trainer.generator.state_dict()
    b = build_experiment(tiny(), tmp_path).trainer.generator.state_dict()
    other = tiny()
    other["trainer"]["seed"] = 6
    c = build_experiment(other, tmp_path).trainer.generator.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_resolved_config_round_trips_through_toml(tmp_path: Path) -> None:
    config = tiny()
    config["loss"] = {"terms": [{"name": "NSGAN", "weight": 2}, {"name": "R1Penalty", "weight": 1}]}
    config["callbacks"] = {"ema": {"decay": 0.9}, "checkpoint": {"keep_last": "none"}}
    config["trainer"].update(grad_clip="none", distributed=False, channels_last=True)
    first = build_experiment(config, tmp_path).config
    reread = loads_toml(dumps_toml(first))
    second = build_experiment(reread, tmp_path).config
    assert loads_toml(dumps_toml(second)) == reread


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.pop("loss"), r"'loss': missing required section \[loss\]; a config needs "
                                  r"\['data', 'generator', 'discriminator', 'loss'\]"),
        (lambda c: c.pop("data"), r"missing required section \[data\]"),
        (lambda c: c.update(trainr={}), r"'trainr': unknown section 'trainr' \(did you mean "
                                        r"'trainer'\?\)"),
        (lambda c: c["trainer"].update(d_step=2), r"'trainer\.d_step': unknown key 'd_step' "
                                                  r"\(did you mean 'd_steps'\?\)"),
        (lambda c: c["trainer"].pop("steps"), r"'trainer\.steps': missing; give trainer\.steps "
                                              r"or trainer\.epochs"),
        (lambda c: c["trainer"].update(steps=None, epochs=2),
         r"'trainer\.steps': expected an int >= 0"),
        (lambda c: (c["trainer"].pop("steps"), c["trainer"].update(epochs=2)),
         r"'trainer\.epochs': the data is an infinite sampler"),
        (lambda c: c["trainer"].update(device="gpu0"), r"'trainer': device must be"),
        (lambda c: c["trainer"].update(precision="fp8"), r"'trainer\.precision': expected one "
                                                         r"of 'fp32', 'bf16', 'fp16'"),
        (lambda c: c.update(optimizer={"gen": {}}), r"'optimizer\.gen': unknown key 'gen'"),
        (lambda c: c.update(optimizer=3), r"'optimizer': expected a table"),
        (lambda c: c["eval"].update(num_samples=0) if "eval" in c else c.update(
            eval={"num_samples": 0}), r"'eval\.num_samples': expected an int >= 1"),
    ],
)
def test_config_mistakes_name_the_key(tmp_path: Path, edit: Any, message: str) -> None:
    config = copy.deepcopy(tiny())
    edit(config)
    with pytest.raises(ConfigError, match=message):
        build_experiment(config, tmp_path)


def test_a_config_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="a config must be a table of sections"):
        build_experiment([1], tmp_path)  # type: ignore[arg-type]


def test_every_trainer_argument_is_a_trainer_key() -> None:
    # The models, the loss, the optimizers, the callbacks and the augmentation have their
    # own sections.
    own_sections = {"generator", "discriminator", "loss", "g_optimizer", "d_optimizer",
                    "callbacks", "augment"}
    arguments = set(inspect.signature(Trainer).parameters) - own_sections
    assert arguments == set(TRAINER_FIELDS) - set(NOT_TRAINER_ARGUMENTS)


def test_every_trainer_key_reaches_the_trainer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Spy(Trainer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.update(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(gankit.training, "Trainer", Spy)
    config = tiny()
    given = {"d_steps": 2, "device": "cpu", "seed": 7, "noise": "uniform", "precision": "bf16",
             "grad_clip": 0.5, "compile": False, "divergence_guard": False,
             "progress_bar": False, "distributed": False, "sync_batchnorm": False,
             "channels_last": True, "handle_signals": False}
    config["trainer"].update(given)
    trainer = build_experiment(config, tmp_path).trainer
    assert {k: seen[k] for k in given} == given
    assert trainer.channels_last is True and trainer.handle_signals is False
    assert trainer.dist.enabled is False


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("sync_batchnorm", True, r"'trainer': sync_batchnorm=True needs CUDA"),
        ("handle_signals", 1, r"'trainer\.handle_signals': expected a bool"),
        ("distributed", "yes", r"'trainer\.distributed': expected a bool \(true or false\) or "
                               r"'none'"),
    ],
)
def test_new_trainer_keys_are_checked(tmp_path: Path, key: str, value: Any, message: str) -> None:
    if key == "sync_batchnorm" and torch.cuda.is_available():
        pytest.skip("sync_batchnorm works on CUDA")
    config = tiny()
    config["trainer"][key] = value
    with pytest.raises(ConfigError, match=message):
        build_experiment(config, tmp_path)


def test_distributed_none_means_auto(tmp_path: Path) -> None:
    config = tiny()
    config["trainer"]["distributed"] = "none"
    exp = build_experiment(config, tmp_path)
    assert exp.config["trainer"]["distributed"] is None and not exp.trainer.dist.enabled


def test_an_augment_section_reaches_the_trainer(tmp_path: Path) -> None:
    from gankit.augment import AdaptiveAugment

    config = {"data": {"name": "digits", "size": 8},
              "generator": {"name": "DCGANGenerator", "latent_dim": 4, "base_channels": 4},
              "discriminator": {"name": "DCGANDiscriminator", "base_channels": 4},
              "loss": {"name": "NSGAN"},
              "augment": {"name": "AdaptiveAugment", "target": 0.6, "interval": 2},
              "trainer": {"steps": 4, "batch_size": 8, "progress_bar": False}}
    exp = build_experiment(config, tmp_path)
    assert isinstance(exp.trainer.augment, AdaptiveAugment)
    assert exp.config["augment"]["interval"] == 2 and exp.config["augment"]["p"] == 0.0
    exp.trainer.fit(exp.data.data, **exp.fit_kwargs)
    assert "augment/p" in exp.trainer.callback_metrics
    config["augment"] = {"name": "DiffAugment", "polcy": "translation"}
    with pytest.raises(ConfigError, match=r"'augment\.polcy': unknown key 'polcy' "
                                          r"\(did you mean 'policy'\?\)"):
        build_experiment(config, tmp_path)
