"""What the offline feature classifiers share: deterministic training and an atomic cache.

A recipe dict holds everything that determines the trained weights; its hash
names the cache file in ``$GANKIT_CACHE`` (default ``~/.cache/gankit``), so a
changed recipe never loads stale weights. Training is bit-for-bit reproducible
on one machine: fixed seed, one thread, deterministic algorithms, a dedicated
RNG for shuffling; the caller's RNG state, thread count and determinism flag
are restored afterwards. Weights are written atomically and read with
``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit._atomic import atomic_write

__all__ = ["FeatureMap", "Probabilities", "cache_file", "load_or_train", "train_classifier"]

M = TypeVar("M", bound=nn.Module)


class FeatureMap(nn.Module):
    """A classifier's ``features(x)`` as a module's ``forward`` (for :func:`extract_features`)."""

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier.features(x)  # type: ignore[operator]


class Probabilities(nn.Module):
    """A classifier's ``softmax(logits)`` as a module's ``forward``, shape ``(N, K)``."""

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(x).double().softmax(dim=-1)


def cache_file(stem: str, recipe: dict[str, Any], cache_dir: str | os.PathLike[str] | None) -> Path:
    """``<cache_dir>/<stem>_<hash of recipe>.pt``.

    Raises:
        TypeError: If ``cache_dir`` is not a path or ``None``.
    """
    if cache_dir is None:
        cache_dir = os.environ.get("GANKIT_CACHE") or Path.home() / ".cache" / "gankit"
    elif not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(f"cache_dir must be a path or None, got {type(cache_dir).__name__}")
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"{stem}_{digest}.pt"


def train_classifier(
    model: nn.Module, images: Tensor, labels: Tensor, recipe: dict[str, Any],
    augment: Callable[[Tensor, torch.Generator], Tensor] | None = None,
) -> None:
    """Train ``model`` in place with cross-entropy, Adam and the recipe's settings.

    The recipe gives ``lr``, ``batch_size``, ``epochs``, ``seed`` and optionally
    ``weight_decay``; ``augment(batch, generator)`` transforms each batch
    with the dedicated generator. The caller seeds the initial weights.
    """
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    with torch.enable_grad():  # the first use may come from inside an evaluation (no_grad)
        _train_loop(model, images, labels, recipe, augment, threads, deterministic)


def _train_loop(
    model: nn.Module, images: Tensor, labels: Tensor, recipe: dict[str, Any],
    augment: Callable[[Tensor, torch.Generator], Tensor] | None, threads: int,
    deterministic: bool,
) -> None:
    try:
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        optimizer = torch.optim.Adam(
            model.parameters(), lr=recipe["lr"], weight_decay=recipe.get("weight_decay", 0.0)
        )
        generator = torch.Generator().manual_seed(recipe["seed"])
        batch = recipe["batch_size"]
        model.train()
        for _ in range(recipe["epochs"]):
            order = torch.randperm(len(images), generator=generator)
            for start in range(0, len(images), batch):
                idx = order[start : start + batch]
                x = images[idx] if augment is None else augment(images[idx], generator)
                loss = F.cross_entropy(model(x), labels[idx])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an advisory lock on ``<path>.lock`` (POSIX); elsewhere, no lock.

    Two processes asking for the same classifier at once then train it once.
    """
    try:
        import fcntl
    except ImportError:  # Windows: both may train; the atomic write keeps the file whole
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_or_train(
    build: Callable[[], M], train: Callable[[M], None], path: Path, *, retrain: bool, what: str
) -> M:
    """Load ``path`` into ``build()``, or train a fresh ``build()`` and cache it atomically.

    ``build`` runs under a forked RNG seeded with 0, so neither loading nor
    training disturbs the caller's random stream; an unreadable cache warns and
    is trained again. Processes asking at once wait for each other (a lock
    file beside the weights), so the first trains and the others load.

    Returns:
        The model on the CPU, in eval mode, with ``requires_grad=False``.
    """
    # Under inference mode (an evaluation's), the weights would be inference tensors.
    with _exclusive(path), torch.inference_mode(False), torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = build()
        if path.is_file() and not retrain:
            try:
                model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
                return model.eval().requires_grad_(False)
            except (RuntimeError, OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:
                warnings.warn(
                    f"ignoring the unreadable {what} cache {str(path)!r} ({exc}); "
                    "training it again",
                    RuntimeWarning,
                    stacklevel=3,
                )
                torch.manual_seed(0)
                model = build()
        train(model)
        with atomic_write(path) as f:
            torch.save(model.state_dict(), f)
    return model.eval().requires_grad_(False)
