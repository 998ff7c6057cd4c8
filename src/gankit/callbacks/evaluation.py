"""Compute evaluation metrics every N steps and hand them to the loggers.

:class:`Evaluation` calls metric functions ``trainer -> float | {name: float}``
and writes the results into the metrics of ``on_step_end`` under ``eval/...``,
so loggers placed after it (CSV, TensorBoard, progress bar) record them. Four
ready-made metric functions sample the generator from fixed noise:
:class:`ModeCoverageEval` (2-D mixtures), and :class:`FrechetEval`,
:class:`PrecisionRecallEval`, :class:`DensityCoverageEval` (on features, for
example those of :func:`gankit.metrics.digits_model.digits_feature_extractor`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor, nn

from gankit._validation import check_path, check_positive_int
from gankit.callbacks.base import Callback, Metrics
from gankit.metrics.density_coverage import density_coverage
from gankit.metrics.features import extract_features
from gankit.metrics.frechet import frechet_distance
from gankit.metrics.mode_coverage import ModeCoverage
from gankit.metrics.precision_recall import precision_recall

if TYPE_CHECKING:
    from gankit.training.trainer import Trainer

__all__ = [
    "DensityCoverageEval",
    "EvalFn",
    "Evaluation",
    "FrechetEval",
    "ModeCoverageEval",
    "PrecisionRecallEval",
]

#: A metric function: the trainer in, a number or a mapping of names to numbers out.
EvalFn = Callable[["Trainer"], float | Tensor | Mapping[str, float | Tensor]]


def _flatten(name: str | None, value: object) -> list[tuple[str, float]]:
    """``[(key, float)]`` of one metric's result; a mapping's keys go under ``name/``."""
    if isinstance(value, Mapping):
        prefix = "" if name is None else f"{name}/"
        return [(prefix + str(k), v) for k, v in _flatten_items(value)]
    if isinstance(value, (Real, Tensor)) and not isinstance(value, bool):
        if name is None:
            raise TypeError(
                "a metric given in a sequence must return a mapping of names to numbers, "
                f"got {type(value).__name__}; name it instead: Evaluation({{'name': fn}})"
            )
        return [(name, float(value))]
    raise TypeError(
        f"metric {name!r} must return a number or a mapping of names to numbers, "
        f"got {type(value).__name__}"
    )


def _flatten_items(value: Mapping[Any, Any]) -> list[tuple[str, float]]:
    out = []
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, (Real, Tensor)):
            raise TypeError(f"metric value {key!r} must be a number, got {type(item).__name__}")
        out.append((str(key), float(item)))
    return out


def _step_of(line: str) -> float:
    """The ``step`` of a JSON line; ``inf`` (dropped on resume) if the line is damaged."""
    try:
        return float(json.loads(line)["step"])
    except (ValueError, KeyError, TypeError):
        return float("inf")


class Evaluation(Callback):
    """Run metric functions every ``every`` steps; log them as ``eval/<name>``.

    Each metric function takes the trainer and returns a number or a mapping
    of names to numbers. Given as a mapping ``{name: fn}``, a number is logged
    as ``eval/<name>`` and a mapping as ``eval/<name>/<key>``; given as a
    sequence ``[fn, ...]``, each function must return a mapping and its keys
    are logged as ``eval/<key>``. Duplicate keys are an error.

    On an evaluation step the results are written into the ``metrics`` dict
    that the trainer passes on to the following callbacks' ``on_step_end``
    (the :class:`~gankit.Trainer` passes a plain mutable dict), so **place this
    callback before the loggers** (:class:`~gankit.callbacks.CSVLogger`,
    :class:`~gankit.callbacks.TensorBoardLogger`, ...) to have them record the
    ``eval/...`` keys. The results are also kept in :attr:`latest` and
    :attr:`history` (saved in checkpoints) and, with ``path``, appended as one
    JSON line per evaluation (``{"step": ..., "epoch": ..., "eval/...": ...}``).

    Metric functions run under ``torch.no_grad()`` and inside
    ``torch.random.fork_rng``, so evaluating never changes the training run's
    random numbers. At fit start, history entries and JSON lines after
    ``trainer.step`` are dropped, so a resumed run writes each step once.

    Args:
        metrics: ``{name: fn}`` or a sequence of functions returning mappings.
        every: Evaluate every ``every`` steps.
        at_fit_end: Also evaluate when the fit ends, unless that step was just
            evaluated (no logger sees this one; it goes to ``history`` and ``path``).
        path: A ``.jsonl`` file to append the results to.
        prefix: Prepended to every key.

    Attributes:
        latest (dict[str, float]): The results of the last evaluation.
        history (list[dict[str, float]]): Every evaluation, with ``step`` and ``epoch``.

    Raises:
        TypeError: If ``metrics`` is neither a mapping of callables nor a sequence
            of callables, or an argument has the wrong type; when evaluating, if a
            result is not a number or mapping of numbers.
        ValueError: If ``metrics`` is empty or ``every < 1``; when evaluating, if
            two metrics produce the same key.

    Example:
        >>> from types import SimpleNamespace
        >>> evaluation = Evaluation({"answer": lambda trainer: 42.0}, every=2)
        >>> trainer = SimpleNamespace(step=0, epoch=0, device=torch.device("cpu"))
        >>> logged = []
        >>> for trainer.step in (1, 2, 3, 4):
        ...     metrics = {"d_loss": 0.5}
        ...     evaluation.on_step_end(trainer, metrics)  # a logger after it sees:
        ...     logged.append(sorted(metrics))
        >>> logged[0], logged[1]
        (['d_loss'], ['d_loss', 'eval/answer'])
        >>> [entry["step"] for entry in evaluation.history]
        [2, 4]
    """

    rank_zero_only = True  # evaluates and writes once, on rank 0, in distributed runs

    def __init__(
        self,
        metrics: Mapping[str, EvalFn] | Sequence[EvalFn],
        every: int = 1000,
        *,
        at_fit_end: bool = True,
        path: str | os.PathLike[str] | None = None,
        prefix: str = "eval/",
    ) -> None:
        if isinstance(metrics, Mapping):
            named: list[tuple[str | None, EvalFn]] = list(metrics.items())
        elif isinstance(metrics, Sequence) and not isinstance(metrics, str):
            named = [(None, fn) for fn in metrics]
        else:
            raise TypeError(
                "metrics must be a mapping {name: fn} or a sequence of functions, "
                f"got {type(metrics).__name__}"
            )
        if not named:
            raise ValueError("metrics must hold at least one metric function, got none")
        for name, fn in named:
            if (name is not None and not isinstance(name, str)) or not callable(fn):
                raise TypeError(
                    f"metrics must map str names to callables, got {name!r}: {type(fn).__name__}"
                )
        self.metrics = named
        self.every = check_positive_int(every, "every")
        self.at_fit_end = bool(at_fit_end)
        self.path = None if path is None else check_path(path, "path")
        self.prefix = str(prefix)
        self.latest: dict[str, float] = {}
        self.history: list[dict[str, float]] = []

    def evaluate(self, trainer: Trainer) -> dict[str, float]:
        """Run every metric function now; record and return ``{"eval/<key>": value}``.

        Raises:
            TypeError: If a result is not a number or a mapping of numbers.
            ValueError: If two metrics produce the same key.
        """
        device = getattr(trainer, "device", torch.device("cpu"))
        devices = [device.index or 0] if device.type == "cuda" else []
        results: dict[str, float] = {}
        with torch.random.fork_rng(devices=devices), torch.no_grad():
            for name, fn in self.metrics:
                for key, value in _flatten(name, fn(trainer)):
                    if self.prefix + key in results:
                        raise ValueError(
                            f"two metrics produce the key {self.prefix + key!r}; "
                            "give them distinct names with Evaluation({name: fn, ...})"
                        )
                    results[self.prefix + key] = value
        self.latest = results
        entry = {"step": trainer.step, "epoch": trainer.epoch, **results}
        self.history.append(entry)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
        return results

    def on_fit_start(self, trainer: Trainer) -> None:
        """Drop history entries and JSON lines after ``trainer.step`` (a resume point)."""
        self.history = [e for e in self.history if e["step"] <= trainer.step]
        if self.path is None or not self.path.is_file():
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if _step_of(line) <= trainer.step]
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in kept)
        os.replace(tmp, self.path)

    def on_step_end(self, trainer: Trainer, metrics: Metrics) -> None:
        """Every ``every`` steps, evaluate and add the results to ``metrics`` when it is mutable."""
        if trainer.step % self.every != 0:
            return
        results = self.evaluate(trainer)
        if isinstance(metrics, MutableMapping):
            metrics.update(results)

    def on_fit_end(self, trainer: Trainer) -> None:
        """Evaluate once more, unless disabled or this step was just evaluated."""
        if self.at_fit_end and not (self.history and self.history[-1]["step"] == trainer.step):
            self.evaluate(trainer)

    def state_dict(self) -> dict[str, Any]:
        """Return ``latest`` and ``history``."""
        return {"latest": dict(self.latest), "history": [dict(e) for e in self.history]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore ``latest`` and ``history``."""
        self.latest = dict(state.get("latest", {}))
        self.history = [dict(e) for e in state.get("history", [])]


class _SampleEval:
    """Draws ``n`` samples from fixed noise (seeded once), in batches, in eval mode."""

    def __init__(self, n: int, seed: int, batch_size: int) -> None:
        self.n = check_positive_int(n, "n")
        self.batch_size = check_positive_int(batch_size, "batch_size")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        self.seed = seed
        self._noise: Tensor | None = None

    def samples(self, trainer: Trainer) -> Tensor:
        """The generator's ``(n, *S)`` samples of the fixed noise (labels ``arange(n) % K``)."""
        if self._noise is None:
            gen = torch.Generator(device=trainer.device).manual_seed(self.seed)
            self._noise = trainer.sample_noise(self.n, generator=gen)  # (n, latent)
        labels = None
        if trainer.num_classes is not None:
            labels = torch.arange(self.n, device=trainer.device) % trainer.num_classes
        chunks = [
            trainer.sample(
                len(z), None if labels is None else labels[i : i + len(z)], noise=z
            )
            for i, z in zip(range(0, self.n, self.batch_size), self._noise.split(self.batch_size))
        ]
        return torch.cat(chunks)


class ModeCoverageEval(_SampleEval):
    """Mode coverage of ``n`` samples on a Gaussian mixture (:func:`~gankit.metrics.mode_coverage`).

    Returns ``{"modes_covered", "high_quality_fraction", "reverse_kl"}`` (PacGAN's
    protocol: a sample is high quality within ``threshold``·σ of its nearest mode).

    Args:
        means: The mixture's mode centres ``(K, d)``, e.g. ``ring().means``.
        std: The modes' standard deviation σ.
        n: Samples per evaluation (PacGAN: 2,500).
        threshold: High-quality radius in units of σ.
        seed: Seed of the fixed noise.
        batch_size: Samples per generator call.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``means`` is not ``(K, d)``, ``std`` or ``threshold`` is
            not ``> 0``, or ``n < 1``.

    Shape:
        - means: ``(K, d)``; samples: ``(n, d)``.

    Example:
        >>> from types import SimpleNamespace
        >>> trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=None,
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 2, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: torch.zeros(n, 2))  # one mode only
        >>> ModeCoverageEval(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), std=0.1)(trainer)
        {'modes_covered': 1.0, 'high_quality_fraction': 1.0, 'reverse_kl': 0.693...}
    """

    def __init__(
        self,
        means: Tensor | np.ndarray,
        std: float,
        n: int = 2500,
        threshold: float = 3.0,
        seed: int = 0,
        batch_size: int = 2500,
    ) -> None:
        super().__init__(n, seed, batch_size)
        self._metric = ModeCoverage(means, std, threshold)  # validates the arguments

    def __call__(self, trainer: Trainer) -> dict[str, float]:
        """Return the mode coverage of the trainer's samples."""
        self._metric.reset()
        self._metric.update(self.samples(trainer).reshape(self.n, -1))  # (n, d)
        result = self._metric.compute()
        return {
            "modes_covered": float(result.modes_covered),
            "high_quality_fraction": result.high_quality_fraction,
            "reverse_kl": result.reverse_kl,
        }


class _FeatureEval(_SampleEval):
    """Real and generated features: ``feature_extractor``, or flattened samples if ``None``."""

    def __init__(
        self,
        real: Tensor,
        feature_extractor: nn.Module | None = None,
        n: int | None = None,
        seed: int = 0,
        batch_size: int = 256,
    ) -> None:
        if not isinstance(real, Tensor):
            raise TypeError(f"real must be a torch.Tensor (N, *S), got {type(real).__name__}")
        if real.dim() < 2 or len(real) < 2:
            raise ValueError(f"real must have shape (N, *S) with N >= 2, got {tuple(real.shape)}")
        if feature_extractor is not None and not isinstance(feature_extractor, nn.Module):
            raise TypeError(
                f"feature_extractor must be an nn.Module or None, got "
                f"{type(feature_extractor).__name__}"
            )
        super().__init__(len(real) if n is None else n, seed, batch_size)
        self.real = real
        self.feature_extractor = feature_extractor
        self._real_features: Tensor | None = None

    def _features(self, x: Tensor) -> Tensor:
        if self.feature_extractor is None:
            return x.reshape(len(x), -1).to(device="cpu", dtype=torch.float64)  # (N, prod(S))
        return extract_features(self.feature_extractor, x, batch_size=self.batch_size)

    def features(self, trainer: Trainer) -> tuple[Tensor, Tensor]:
        """``(real (N, d), fake (n, d))`` float64 features; the real ones are computed once."""
        if self._real_features is None:
            self._real_features = self._features(self.real)
        return self._real_features, self._features(self.samples(trainer))


class FrechetEval(_FeatureEval):
    r"""Fréchet distance of features (:func:`~gankit.metrics.frechet_distance`), lower is better.

    Returns ``{"frechet_distance": value}``. With ``feature_extractor=None``
    the flattened samples are the features. The real features are computed
    once; the generated samples come from the same fixed noise every time.

    .. math::
        d^2 = \|\mu_r - \mu_g\|^2 + \operatorname{Tr}\big(\Sigma_r + \Sigma_g
              - 2 (\Sigma_r \Sigma_g)^{1/2}\big)

    Args:
        real: Real data ``(N, *S)`` (for example held-out images).
        feature_extractor: Maps ``(B, *S)`` to ``(B, d)``; ``None`` flattens.
        n: Generated samples per evaluation; default ``N``.
        seed: Seed of the fixed noise.
        batch_size: Samples per generator and extractor call.

    Raises:
        TypeError: If ``real`` is not a tensor or ``feature_extractor`` not a module.
        ValueError: If ``real`` is not ``(N, *S)`` with ``N >= 2``, or ``n < 1``.

    Shape:
        - real: ``(N, *S)``; samples: ``(n, *S)``; features ``(·, d)``.

    Example:
        >>> from types import SimpleNamespace
        >>> trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=None,
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 2, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: noise + 3.0)
        >>> real = torch.randn(5000, 2, generator=torch.Generator().manual_seed(1))
        >>> round(FrechetEval(real)(trainer)["frechet_distance"])  # ‖(3, 3)‖² = 18
        18
    """

    def __call__(self, trainer: Trainer) -> dict[str, float]:
        """Return the Fréchet distance of real and generated features."""
        return {"frechet_distance": frechet_distance(*self.features(trainer))}


class PrecisionRecallEval(_FeatureEval):
    """Precision and recall with ``k`` neighbours (:func:`~gankit.metrics.precision_recall`).

    Returns ``{"precision", "recall"}`` (Kynkäänniemi et al. 2019; higher is better).

    Args:
        real: Real data ``(N, *S)``.
        feature_extractor: Maps ``(B, *S)`` to ``(B, d)``; ``None`` flattens.
        n: Generated samples per evaluation; default ``N``.
        k: The neighbour whose distance sets each ball's radius.
        seed: Seed of the fixed noise.
        batch_size: Samples per generator and extractor call.

    Raises:
        TypeError: If ``real`` is not a tensor or ``feature_extractor`` not a module.
        ValueError: If ``real`` is not ``(N, *S)`` with ``N >= 2``, or ``n``, ``k`` ``< 1``.

    Shape:
        - real: ``(N, *S)``; samples: ``(n, *S)``.

    Example:
        >>> from types import SimpleNamespace
        >>> trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=None,
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 2, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: noise + 100.0)  # far from the data
        >>> PrecisionRecallEval(torch.randn(50, 2))(trainer)
        {'precision': 0.0, 'recall': 0.0}
    """

    def __init__(
        self,
        real: Tensor,
        feature_extractor: nn.Module | None = None,
        n: int | None = None,
        k: int = 3,
        seed: int = 0,
        batch_size: int = 256,
    ) -> None:
        super().__init__(real, feature_extractor, n, seed, batch_size)
        self.k = check_positive_int(k, "k")

    def __call__(self, trainer: Trainer) -> dict[str, float]:
        """Return precision and recall of generated features against real ones."""
        result = precision_recall(*self.features(trainer), k=self.k)
        return {"precision": result.precision, "recall": result.recall}


class DensityCoverageEval(_FeatureEval):
    """Density and coverage with ``k`` neighbours (:func:`~gankit.metrics.density_coverage`).

    Returns ``{"density", "coverage"}`` (Naeem et al. 2020; higher is better).

    Args:
        real: Real data ``(N, *S)``.
        feature_extractor: Maps ``(B, *S)`` to ``(B, d)``; ``None`` flattens.
        n: Generated samples per evaluation; default ``N``.
        k: The neighbour whose distance sets each ball's radius.
        seed: Seed of the fixed noise.
        batch_size: Samples per generator and extractor call.

    Raises:
        TypeError: If ``real`` is not a tensor or ``feature_extractor`` not a module.
        ValueError: If ``real`` is not ``(N, *S)`` with ``N >= 2``, or ``n``, ``k`` ``< 1``.

    Shape:
        - real: ``(N, *S)``; samples: ``(n, *S)``.

    Example:
        >>> from types import SimpleNamespace
        >>> trainer = SimpleNamespace(device=torch.device("cpu"), num_classes=None,
        ...     sample_noise=lambda n, generator=None: torch.randn(n, 2, generator=generator),
        ...     sample=lambda n, labels=None, *, noise: noise + 100.0)  # far from the data
        >>> DensityCoverageEval(torch.randn(50, 2))(trainer)
        {'density': 0.0, 'coverage': 0.0}
    """

    def __init__(
        self,
        real: Tensor,
        feature_extractor: nn.Module | None = None,
        n: int | None = None,
        k: int = 5,
        seed: int = 0,
        batch_size: int = 256,
    ) -> None:
        super().__init__(real, feature_extractor, n, seed, batch_size)
        self.k = check_positive_int(k, "k")

    def __call__(self, trainer: Trainer) -> dict[str, float]:
        """Return density and coverage of generated features against real ones."""
        result = density_coverage(*self.features(trainer), k=self.k)
        return {"density": result.density, "coverage": result.coverage}
