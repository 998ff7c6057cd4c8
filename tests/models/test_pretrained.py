"""Pretrained folders: bit-for-bit round trips over the registry, atomic writes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

pytest.importorskip("safetensors")

import gankit
from gankit.models import (
    MLPDiscriminator,
    MLPGenerator,
    PretrainedError,
    PretrainedMixin,
    build_model,
    from_pretrained,
    get_model_class,
    list_models,
    load_pretrained_config,
    save_pretrained,
)
from gankit.training import CheckpointError

LATENT = 6
NUM_CLASSES = 3
TINY: dict[str, dict[str, Any]] = {
    "DCGANDiscriminator": {"base_channels": 4},
    "DCGANGenerator": {"base_channels": 4},
    "MLPDiscriminator": {"hidden": (16, 8)},
    "MLPGenerator": {"hidden": (8, 16)},
    "ResNetDiscriminator": {"base_channels": 4},
    "ResNetGenerator": {"base_channels": 4},
}
SHAPE = (1, 8, 8)


def make(name: str, num_classes: int | None) -> nn.Module:
    config: dict[str, Any] = {**TINY.get(name, {}), "num_classes": num_classes}
    if get_model_class(name).role == "generator":
        config.update(latent_dim=LATENT, out_shape=SHAPE)
    else:
        config.update(in_shape=SHAPE)
    return build_model(name, config)


def inputs(model: nn.Module, n: int = 4) -> tuple[torch.Tensor, torch.Tensor | None]:
    gen = torch.Generator().manual_seed(1)
    labels = None if model.num_classes is None else torch.arange(n) % NUM_CLASSES
    if model.role == "generator":
        return torch.randn(n, model.latent_dim, generator=gen), labels
    return torch.randn(n, *model.in_shape, generator=gen), labels


def perturb(model: nn.Module) -> None:
    """Move every floating tensor off its initial value, so a load that did nothing shows."""
    gen = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.add_(0.01 * torch.randn(tensor.shape, generator=gen))


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("name", list_models())
def test_round_trip_is_bit_for_bit(name: str, conditional: bool, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = make(name, NUM_CLASSES if conditional else None)
    perturb(model)
    model.eval()
    folder = save_pretrained(model, tmp_path / "m")
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "config.json", "model.safetensors"]
    loaded = from_pretrained(folder)
    assert type(loaded) is type(model) and not loaded.training
    assert loaded.get_config() == model.get_config()
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    x, labels = inputs(model)
    with torch.no_grad():
        assert torch.equal(loaded(x, labels), model(x, labels))


@pytest.mark.parametrize("name", list_models())
def test_methods_on_every_registered_model(name: str, tmp_path: Path) -> None:
    cls = get_model_class(name)
    assert issubclass(cls, PretrainedMixin)
    model = make(name, None).eval()
    model.save_pretrained(tmp_path)
    loaded = cls.from_pretrained(tmp_path)
    x, _ = inputs(model)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))


def test_float64_weights_come_back_in_float64(tmp_path: Path) -> None:
    g = MLPGenerator(2, (2,), hidden=(8,)).double().eval()
    loaded = from_pretrained(save_pretrained(g, tmp_path))
    z = torch.randn(3, 2, dtype=torch.float64)
    assert torch.equal(loaded(z), g(z))


def test_config_json_is_the_registry_config(tmp_path: Path) -> None:
    g = MLPGenerator(2, (2,), hidden=(8,), num_classes=3)
    save_pretrained(g, tmp_path, noise="uniform")
    doc = json.loads((tmp_path / "config.json").read_text())
    assert doc["class"] == "MLPGenerator" and doc["role"] == "generator"
    assert build_model(doc["class"], doc["config"]).get_config() == g.get_config()
    assert (doc["ema"], doc["noise"], doc["gankit_version"]) == (False, "uniform",
                                                               gankit.__version__)
    assert load_pretrained_config(tmp_path) == doc


def test_ema_weights_are_stored_when_given(tmp_path: Path) -> None:
    g = MLPGenerator(2, (2,), hidden=(8,), norm_layer=None).eval()
    ema = MLPGenerator(2, (2,), hidden=(8,), norm_layer=None).eval()
    save_pretrained(g, tmp_path, ema=ema)
    loaded = from_pretrained(tmp_path)
    z = torch.randn(5, 2)
    assert torch.equal(loaded(z), ema(z)) and not torch.equal(loaded(z), g(z))
    assert load_pretrained_config(tmp_path)["ema"] is True
    save_pretrained(g, tmp_path, ema=ema.state_dict())  # a state dict works too
    assert torch.equal(from_pretrained(tmp_path)(z), ema(z))


def test_ema_weights_that_do_not_fit_are_refused(tmp_path: Path) -> None:
    g = MLPGenerator(2, (2,), hidden=(8,))
    with pytest.raises(ValueError, match=r"does not fit MLPGenerator.*should have shape"):
        save_pretrained(g, tmp_path, ema=MLPGenerator(2, (2,), hidden=(9,)))
    assert not (tmp_path / "config.json").exists()


def test_existing_folder_keeps_its_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "README.md").write_text("old card")
    save_pretrained(MLPDiscriminator((2,), hidden=(4,)), tmp_path)
    save_pretrained(MLPDiscriminator((2,), hidden=(4,)), tmp_path)  # overwrites the three
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert (tmp_path / "README.md").read_text() != "old card"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md", "config.json", "model.safetensors", "notes.txt"]  # no temporary files


def test_unregistered_models_and_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"registered gankit model.*torch.nn.modules.linear"):
        save_pretrained(nn.Linear(2, 2), tmp_path)
    with pytest.raises(ValueError, match=r"noise must be 'normal' or 'uniform'.*discriminator"):
        save_pretrained(MLPDiscriminator((2,)), tmp_path, noise="normal")
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match=r"needs a folder.*is a file"):
        save_pretrained(MLPDiscriminator((2,)), tmp_path / "file")


# --- bad folders: each error names the file and what was expected against what was found


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return save_pretrained(MLPGenerator(2, (2,), hidden=(8,)), tmp_path / "g")


def edit_config(folder: Path, **changes: Any) -> None:
    path = folder / "config.json"
    doc = json.loads(path.read_text())
    doc.update(changes)
    path.write_text(json.dumps({k: v for k, v in doc.items() if v is not ...}))


def test_malformed_config_json_names_the_file(folder: Path) -> None:
    (folder / "config.json").write_text('{"format": "gankit-pretrained-v1", "class": ')
    with pytest.raises(PretrainedError, match=r"config\.json' is not valid JSON: Expecting"):
        from_pretrained(folder)
    (folder / "config.json").write_text("[1, 2]")
    with pytest.raises(PretrainedError, match=r"config\.json': expected a JSON object, "
                                              r"found \[1, 2\]"):
        from_pretrained(folder)


@pytest.mark.parametrize(("changes", "message"), [
    ({"class": ...}, r"config\.json' lacks the key\(s\) \['class'\]"),
    ({"extra": 1}, r"config\.json' holds unknown key\(s\) \['extra'\]"),
    ({"format": "v0"}, r"config\.json: format': expected 'gankit-pretrained-v1', found 'v0'"),
    ({"class": "StyleGAN"}, r"config\.json: class': expected a registered model class, "
                            r"one of \[.*'MLPGenerator'.*\], found 'StyleGAN'"),
    ({"config": [1]}, r"config\.json: config': expected a JSON object"),
    ({"role": "discriminator"}, r"config\.json: role': expected 'generator' \(the role of "
                                r"MLPGenerator\), found 'discriminator'"),
    ({"ema": "yes"}, r"config\.json: ema': expected true or false, found 'yes'"),
    ({"noise": "cauchy"}, r"config\.json: noise': expected one of \['normal', 'uniform'\]"),
    ({"config": {"latent_dim": 2, "out_shape": [2], "depth": 3}},
     r"config\.json': its config does not build MLPGenerator: .*\['depth'\]"),
])
def test_bad_config_is_named(folder: Path, changes: dict[str, Any], message: str) -> None:
    edit_config(folder, **changes)
    with pytest.raises(PretrainedError, match=message):
        from_pretrained(folder)


def test_wrong_role_or_class_is_named(folder: Path) -> None:
    with pytest.raises(PretrainedError, match=r"config\.json' holds a generator \(MLPGenerator\); "
                                              r"a discriminator is needed"):
        from_pretrained(folder, role="discriminator")
    with pytest.raises(PretrainedError,
                       match=r"holds a MLPGenerator; a MLPDiscriminator is needed"):
        MLPDiscriminator.from_pretrained(folder)
    with pytest.raises(PretrainedError, match=r"a DCGANGenerator is needed"):
        from_pretrained(folder, model_class="DCGANGenerator")


def test_missing_and_extra_weights_are_named(folder: Path) -> None:
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    state = load_file(path)
    first = sorted(state)[0]
    save_file({k: v for k, v in state.items() if k != first}, path)
    with pytest.raises(PretrainedError, match=rf"model\.safetensors' does not fit MLPGenerator: "
                                              rf"missing keys \['{first}'\], unexpected keys \[\]"):
        from_pretrained(folder)
    save_file({**state, "net.9.weight": torch.zeros(1)}, path)
    with pytest.raises(PretrainedError, match=r"missing keys \[\], unexpected keys "
                                              r"\['net\.9\.weight'\]"):
        from_pretrained(folder)
    save_file({**state, first: torch.zeros(1, 1)}, path)
    with pytest.raises(PretrainedError, match=rf"'{first}' should have shape \(\d+, ?\d*\), "
                                              rf"found \(1, 1\)"):
        from_pretrained(folder)


def test_missing_and_damaged_files_are_named(folder: Path, tmp_path: Path) -> None:
    (folder / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(PretrainedError, match=r"model\.safetensors' is not a readable "
                                              r"safetensors file"):
        from_pretrained(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(PretrainedError, match=r"model\.safetensors' does not exist"):
        from_pretrained(folder)
    (folder / "config.json").unlink()
    with pytest.raises(PretrainedError, match=r"config\.json' does not exist.*holds \['README"):
        from_pretrained(folder)
    with pytest.raises(PretrainedError, match=r"'\./nowhere' does not exist: expected a folder"):
        from_pretrained("./nowhere")
    assert issubclass(PretrainedError, CheckpointError)


def test_a_repo_id_is_downloaded_with_huggingface_hub(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = pytest.importorskip("huggingface_hub")
    calls: list[dict[str, Any]] = []

    def snapshot_download(**kwargs: Any) -> str:
        calls.append(kwargs)
        return str(folder)

    monkeypatch.setattr(hub, "snapshot_download", snapshot_download)
    model = gankit.from_pretrained("someone/ring-gan", revision="v1")
    assert type(model) is MLPGenerator
    assert calls == [{"repo_id": "someone/ring-gan", "revision": "v1",
                      "allow_patterns": ["config.json", "model.safetensors", "README.md"]}]

    def offline(**kwargs: Any) -> str:
        raise OSError("no network")

    monkeypatch.setattr(hub, "snapshot_download", offline)
    with pytest.raises(PretrainedError, match=r"'someone/ring-gan' is not a local folder.*"
                                              r"OSError: no network"):
        from_pretrained("someone/ring-gan")


def test_push_to_hub_uploads_the_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    hub = pytest.importorskip("huggingface_hub")
    seen: dict[str, Any] = {}

    def create_repo(self: Any, repo_id: str, **kwargs: Any) -> None:
        seen["create"] = (repo_id, kwargs)

    def upload_folder(self: Any, *, repo_id: str, folder_path: str, **kwargs: Any) -> str:
        seen["files"] = sorted(p.name for p in Path(folder_path).iterdir())
        seen["model"] = from_pretrained(folder_path)
        return f"uploaded {repo_id}"

    monkeypatch.setattr(hub.HfApi, "create_repo", create_repo)
    monkeypatch.setattr(hub.HfApi, "upload_folder", upload_folder)
    g = MLPGenerator(2, (2,), hidden=(8,)).eval()
    assert g.push_to_hub("someone/ring-gan", private=True) == "uploaded someone/ring-gan"
    assert seen["create"] == ("someone/ring-gan", {"private": True, "exist_ok": True})
    assert seen["files"] == ["README.md", "config.json", "model.safetensors"]
    z = torch.randn(3, 2)
    assert torch.equal(seen["model"](z), g(z))
