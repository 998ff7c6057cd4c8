"""The built-in digits classifier: deterministic training, the cache, accuracy, features."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch

from gankit.metrics import digits_model as module
from gankit.metrics import extract_features
from gankit.metrics.digits_model import (
    DigitsClassifier,
    digits_classifier,
    digits_feature_extractor,
)

pytest.importorskip("sklearn")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The same folder name as tests/benchmarks/test_digits_quality_smoke.py: trained once a session.
    return tmp_path_factory.getbasetemp() / "digits-classifier-cache"


@pytest.fixture(scope="session")
def trained(cache_dir: Path) -> DigitsClassifier:
    return digits_classifier(8, cache_dir=cache_dir)


@pytest.fixture
def fast_training(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace training by a seeded untrained model; return the list of trained sizes."""
    calls: list[int] = []

    def fake_train(model: DigitsClassifier) -> None:
        calls.append(model.size)
        with torch.no_grad():
            model.head.bias.fill_(float(model.size))  # "trained": differs from a fresh model

    monkeypatch.setattr(module, "_train", fake_train)
    return calls


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_two_fresh_trainings_give_identical_weights(trained: DigitsClassifier,
                                                    tmp_path: Path) -> None:
    torch.manual_seed(123)
    rng_before, threads_before = torch.get_rng_state(), torch.get_num_threads()
    fresh = digits_classifier(8, cache_dir=tmp_path, retrain=True)
    assert _same_weights(fresh, trained)
    # The caller's RNG stream and thread count are untouched by the training.
    assert torch.equal(torch.get_rng_state(), rng_before)
    assert torch.get_num_threads() == threads_before
    assert not torch.are_deterministic_algorithms_enabled()


def test_cached_load_equals_trained_and_does_not_train(
    trained: DigitsClassifier, cache_dir: Path, fast_training: list[int]
) -> None:
    files = list(cache_dir.glob("digits_classifier_8px_*.pt"))
    assert len(files) == 1
    state = torch.load(files[0], weights_only=True)  # a plain state_dict
    assert set(state) == set(trained.state_dict())
    loaded = digits_classifier(8, cache_dir=cache_dir)
    assert fast_training == []
    assert _same_weights(loaded, trained)
    assert not loaded.training
    assert not any(p.requires_grad for p in loaded.parameters())


def test_held_out_accuracy_is_at_least_95_percent(trained: DigitsClassifier) -> None:
    from gankit.data import digits

    test = digits("test")
    with torch.no_grad():
        accuracy = (trained(test.images).argmax(dim=1) == test.labels).double().mean()
    assert float(accuracy) >= 0.95


def test_feature_extractor_gives_the_classifier_features(
    trained: DigitsClassifier, cache_dir: Path
) -> None:
    from gankit.data import digits

    images = digits("test").images
    extractor = digits_feature_extractor(8, cache_dir=cache_dir)
    features = extract_features(extractor, images, batch_size=128)
    assert features.shape == (300, 128) and features.dtype == torch.float64
    assert float(features.abs().max()) < 1.0  # tanh features
    with torch.no_grad():
        expected = trained.features(images).double()
    torch.testing.assert_close(features, expected)
    # Full rank: no dead feature among 128 on 300 images.
    assert int(torch.linalg.matrix_rank(torch.cov(features.T))) == 128


@pytest.mark.parametrize("size", [8, 16, 32])
def test_architecture_shapes(size: int) -> None:
    model = DigitsClassifier(size, feature_dim=64)
    x = torch.zeros(3, 1, size, size)
    assert model(x).shape == (3, 10)
    assert model.features(x).shape == (3, 64)


def test_wrong_input_shape_is_refused() -> None:
    expected = r"images must have shape \('N', 1, 8, 8\), got \(2, 1, 16, 16\)"
    with pytest.raises(ValueError, match=expected):
        DigitsClassifier(8).features(torch.zeros(2, 1, 16, 16))


@pytest.mark.parametrize("size", [7, 64, 8.0, True])
def test_bad_size_is_refused(size: object, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size must be 8, 16 or 32"):
        digits_classifier(size, cache_dir=tmp_path)  # type: ignore[arg-type]


def test_bad_cache_dir_is_refused() -> None:
    with pytest.raises(TypeError, match="cache_dir must be a path or None, got int"):
        digits_classifier(8, cache_dir=3)  # type: ignore[arg-type]


def test_default_cache_dir_is_gankit_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_training: list[int]
) -> None:
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    digits_feature_extractor(16)
    assert fast_training == [16]
    assert len(list((tmp_path / "cache").glob("digits_classifier_16px_*.pt"))) == 1
    digits_feature_extractor(16)  # now from the cache
    assert fast_training == [16]
    assert not list((tmp_path / "cache").glob("*.tmp"))  # atomic write left no temp file


def test_file_name_is_keyed_by_size_and_recipe(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    name8 = module._cache_file(8, tmp_path).name
    assert name8 != module._cache_file(16, tmp_path).name
    monkeypatch.setitem(module._RECIPE, "epochs", 11)
    assert module._cache_file(8, tmp_path).name != name8


def test_retrain_overwrites_the_cache(tmp_path: Path, fast_training: list[int]) -> None:
    digits_classifier(8, cache_dir=tmp_path)
    digits_classifier(8, cache_dir=tmp_path, retrain=True)
    assert fast_training == [8, 8]


def test_corrupt_cache_warns_and_retrains(tmp_path: Path, fast_training: list[int]) -> None:
    path = module._cache_file(8, tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a checkpoint")
    with pytest.warns(RuntimeWarning, match="unreadable digits classifier cache"):
        model = digits_classifier(8, cache_dir=tmp_path)
    assert fast_training == [8]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rewritten cache loads cleanly
        assert _same_weights(digits_classifier(8, cache_dir=tmp_path), model)


@pytest.mark.slow
@pytest.mark.parametrize("size", [16, 32])
def test_held_out_accuracy_at_larger_sizes(size: int, tmp_path: Path) -> None:
    from gankit.data import digits

    model = digits_classifier(size, cache_dir=tmp_path)
    test = digits("test", size=size)
    with torch.no_grad():
        accuracy = (model(test.images).argmax(dim=1) == test.labels).double().mean()
    assert float(accuracy) >= 0.95


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode"])
def test_first_use_inside_an_evaluation_still_trains(tmp_path: Path, mode: str) -> None:
    # gankit train's evaluation calls for the classifier under no_grad: training must not care.
    context = torch.no_grad() if mode == "no_grad" else torch.inference_mode()
    with context:
        model = digits_classifier(8, cache_dir=tmp_path / mode)
    assert torch.is_grad_enabled()
    assert _same_weights(model, digits_classifier(8, cache_dir=tmp_path / mode))
