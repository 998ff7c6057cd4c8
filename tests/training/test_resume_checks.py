"""Resuming with settings that differ from the checkpoint's stops with one line (item 8, 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from gankit import CheckpointError, Trainer
from gankit.losses import NSGAN, WGANGP, R1Penalty
from gankit.models import DCGANGenerator, MLPDiscriminator, MLPGenerator


def make(**kwargs: object) -> Trainer:
    torch.manual_seed(0)
    G = kwargs.pop("G", None) or MLPGenerator(2, (2,), hidden=(8,))
    D = kwargs.pop("D", None) or MLPDiscriminator((2,), hidden=(8,))
    loss = kwargs.pop("loss", None) or NSGAN() + 0.1 * R1Penalty()
    return Trainer(G, D, loss, progress_bar=False, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    trainer = make()
    trainer.fit(torch.randn(64, 2), steps=2, batch_size=16)
    return trainer.save_checkpoint(tmp_path / "ck.pt")


@pytest.mark.parametrize(("setting", "kwargs", "old", "new"), [
    ("d_steps", {"d_steps": 3}, "1", "3"),
    ("noise", {"noise": "uniform"}, "'normal'", "'uniform'"),
    ("loss", {"loss": NSGAN() + 1.0 * R1Penalty()},
     "'NSGAN() + 0.1 * R1Penalty()'", "'NSGAN() + 1.0 * R1Penalty()'"),
])
def test_a_changed_setting_stops_with_one_line_naming_both_values(
        saved: Path, setting: str, kwargs: dict[str, object], old: str, new: str) -> None:
    trainer = make(**kwargs)
    with pytest.raises(CheckpointError) as info:
        trainer.load_checkpoint(saved)
    message = str(info.value)
    assert "\n" not in message
    assert f"{setting} was {old} in the run that wrote it and is {new} here" in message
    assert f"allow_mismatch=['{setting}']" in message and f"--allow-mismatch {setting}" in message
    assert trainer.step == 0  # nothing was loaded


def test_an_explicit_override_lets_the_resume_go_on(saved: Path) -> None:
    trainer = make(d_steps=3)
    trainer.load_checkpoint(saved, allow_mismatch=["d_steps"])
    assert trainer.step == 2
    trainer.fit(torch.randn(64, 2), steps=3, batch_size=16)
    with pytest.raises(ValueError, match="unknown settings"):
        make().load_checkpoint(saved, allow_mismatch=["lr"])


def test_a_checkpoint_of_another_model_class_says_what_it_holds(saved: Path) -> None:
    G = DCGANGenerator(2, (1, 8, 8), base_channels=4)
    D = MLPDiscriminator((1, 8, 8), hidden=(8,))
    with pytest.raises(CheckpointError) as info:
        Trainer(G, D, NSGAN() + 0.1 * R1Penalty(), progress_bar=False).load_checkpoint(saved)
    message = str(info.value)
    assert "\n" not in message and len(message) < 1200
    assert "it holds a generator MLPGenerator(latent_dim=2" in message
    assert "this run builds DCGANGenerator(latent_dim=2" in message


def test_a_changed_config_key_is_named_alone(saved: Path) -> None:
    with pytest.raises(CheckpointError) as info:
        make(G=MLPGenerator(2, (2,), hidden=(16,))).load_checkpoint(saved)
    message = str(info.value)
    assert "it holds a generator MLPGenerator with hidden=[8], this run builds one with " \
           "hidden=[16]" in message
    assert "size mismatch" not in message  # not torch's wall of state_dict errors


def test_unregistered_models_are_compared_by_class_and_tensor_shapes(tmp_path: Path) -> None:
    class MyD(nn.Module):
        def __init__(self, width: int) -> None:
            super().__init__()
            self.net = nn.Sequential(nn.Linear(2, width), nn.ReLU(), nn.Linear(width, 1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net(x).squeeze(1)

    a = make(D=MyD(8))
    path = a.save_checkpoint(tmp_path / "mine.pt")
    make(D=MyD(8)).load_checkpoint(path)  # same class, same shapes: fine
    with pytest.raises(CheckpointError, match=r"tensor 'net.0.weight' has shape \(8, 2\) in the "
                                              r"checkpoint and \(4, 2\) here"):
        make(D=MyD(4)).load_checkpoint(path)


def test_wgangp_and_its_weight_are_part_of_the_loss_setting(tmp_path: Path) -> None:
    a = make(loss=WGANGP(), d_steps=5)
    path = a.save_checkpoint(tmp_path / "w.pt")
    make(loss=WGANGP(), d_steps=5).load_checkpoint(path)
    with pytest.raises(CheckpointError, match="loss was"):
        make(loss=WGANGP(weight=1.0), d_steps=5).load_checkpoint(path)


def test_checkpoints_without_recorded_settings_still_load(saved: Path, tmp_path: Path) -> None:
    from gankit.training.checkpoint import load_checkpoint_file, save_checkpoint_file

    ckpt = load_checkpoint_file(saved)
    del ckpt["trainer"]["loss"]  # as written before the loss was recorded
    old = save_checkpoint_file(ckpt, tmp_path / "old.pt")
    make(loss=NSGAN()).load_checkpoint(old)  # loss not recorded: not checked


def test_a_checkpoint_saved_before_the_coefficient_rename_resumes() -> None:
    from gankit.training._resume_checks import check_resume

    # Written before R1Penalty's gamma became weight: the same loss.
    saved = {"loss": "NSGAN() + R1Penalty(gamma=0.1)"}
    check_resume(saved, {"loss": repr(NSGAN() + R1Penalty(weight=0.1))}, path="old.pt")


def test_a_config_saved_before_a_model_gained_an_argument_resumes() -> None:
    """An older DCGAN config lacks attention_resolution: it means the default, no mismatch."""
    from gankit.training._resume_checks import check_resume, model_settings

    current = model_settings(DCGANGenerator(8, (1, 8, 8), base_channels=4))
    old = {**current, "config": {k: v for k, v in current["config"].items()
                                 if k != "attention_resolution"}}
    check_resume({"generator": old}, {"generator": current}, path="old.pt")
    attention = model_settings(DCGANGenerator(8, (1, 8, 8), base_channels=4,
                                              attention_resolution=4))
    with pytest.raises(CheckpointError, match="attention_resolution"):
        check_resume({"generator": old}, {"generator": attention}, path="old.pt")
