"""Score the generator every N steps: one callback for every metric, during and after training.

:class:`Evaluation` calls metric functions ``trainer -> number | {name: value}``
and publishes the numbers with ``trainer.log`` under ``eval/...``, so every
logger records them, in whatever order the callbacks were given. Any
streaming :class:`gankit.metrics.Metric` becomes such a function with
:class:`~gankit.callbacks.MetricEval`, which samples the generator from fixed
noise. ``gankit train``'s ``[eval]`` section and ``gankit evaluate`` build
this same callback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import Any

import torch
from torch import Tensor

from gankit._atomic import atomic_write
from gankit._validation import check_path, check_positive_int
from gankit.callbacks._trainer_view import TrainerView
from gankit.callbacks.base import Callback, Metrics

__all__ = ["EvalFn", "EvalValue", "Evaluation"]

#: One result: a number (ints stay ints: counts), or a list of numbers (per-mode counts).
EvalValue = float | int | list[Any] | dict[str, Any]

#: A metric function: the trainer in, a number or a mapping of names to values out.
EvalFn = Callable[[TrainerView], float | Tensor | Mapping[str, Any]]


def _flatten(name: str | None, value: object) -> list[tuple[str, EvalValue]]:
    """``[(key, value)]`` of one metric's result; a mapping's keys go under ``name/``."""
    if isinstance(value, Mapping):
        prefix = "" if name is None else f"{name}/"
        return [(prefix + str(k), v) for k, v in _flatten_items(value)]
    if isinstance(value, (Real, Tensor)) and not isinstance(value, bool):
        if name is None:
            raise TypeError(
                "a metric given in a sequence must return a mapping of names to numbers, "
                f"got {type(value).__name__}; name it instead: Evaluation({{'name': fn}})"
            )
        return [(name, _number(value))]
    raise TypeError(
        f"metric {name!r} must return a number or a mapping of names to numbers, "
        f"got {type(value).__name__}"
    )


def _flatten_items(value: Mapping[Any, Any]) -> list[tuple[str, EvalValue]]:
    out: list[tuple[str, EvalValue]] = []
    for key, item in value.items():
        if isinstance(item, Tensor) and item.dim() > 0:
            out.append((str(key), item.tolist()))
        elif isinstance(item, (list, tuple)) and _numeric_list(item):
            out.append((str(key), list(item)))
        elif isinstance(item, Mapping) and _table_of_figures(item):  # e.g. a real-data floor
            out.append((str(key), {str(k): v if v is None or isinstance(v, bool) else _number(v)
                                   for k, v in item.items()}))
        elif isinstance(item, bool) or not isinstance(item, (Real, Tensor)):
            raise TypeError(
                f"metric value {key!r} must be a number, a list of numbers or a table of "
                "numbers, "
                f"got {type(item).__name__}"
            )
        else:
            out.append((str(key), _number(item)))
    return out


def _numeric_list(value: object) -> bool:
    """Whether ``value`` is a list of numbers, or of such lists (a matrix)."""
    if isinstance(value, (list, tuple)):
        return all(_numeric_list(v) for v in value)
    return isinstance(value, Real) and not isinstance(value, bool)


def _table_of_figures(value: Mapping[Any, Any]) -> bool:
    """Whether every value is a number, a bool or ``None`` (kept as a dict, not logged)."""
    return all(v is None or isinstance(v, (bool, Real)) or (isinstance(v, Tensor) and v.dim() == 0)
               for v in value.values())


def _number(value: Any) -> float | int:
    """An int stays an int (a count); every other number becomes a float."""
    number = value.item() if isinstance(value, Tensor) else value
    return number if isinstance(number, int) else float(number)


def _step_of(line: str) -> float:
    """The ``step`` of a JSON line; ``inf`` (dropped on resume) if the line is damaged."""
    try:
        return float(json.loads(line)["step"])
    except (ValueError, KeyError, TypeError):
        return float("inf")


class Evaluation(Callback):
    """Run metric functions every ``every`` steps; log them as ``eval/<name>``.

    Each metric function takes the trainer and returns a number or a mapping
    of names to values (numbers, or lists of numbers such as per-mode
    counts); :class:`~gankit.callbacks.MetricEval` makes one of any streaming
    :class:`gankit.metrics.Metric`. Given as a mapping ``{name: fn}``, a number
    is logged as ``eval/<name>`` and a mapping as ``eval/<name>/<key>``; given
    as a sequence ``[fn, ...]``, each function must return a mapping and its
    keys are logged as ``eval/<key>``. Duplicate keys are an error.

    On an evaluation step the numbers are published with ``trainer.log``, so
    every logger (:class:`~gankit.callbacks.CSVLogger`,
    :class:`~gankit.callbacks.TensorBoardLogger`, ...) records the
    ``eval/...`` keys in its ``on_log``, wherever it stands in the list of
    callbacks. Every result, lists included, is kept in :attr:`latest` and
    :attr:`history` (saved in checkpoints) and, with ``path``, appended as one
    JSON line per evaluation (``{"step": ..., "epoch": ..., "eval/...": ...}``).

    Metric functions run under ``torch.no_grad()`` and inside
    ``torch.random.fork_rng``, so evaluating never changes the training run's
    random numbers. At fit start, history entries and JSON lines after
    ``trainer.step`` are dropped, so a resumed run writes each step once.

    Args:
        metrics: ``{name: fn}`` or a sequence of functions returning mappings.
        every: Evaluate every ``every`` steps; ``None``: only at the end.
        at_fit_end: Also evaluate when the fit ends, unless that step was just
            evaluated (no logger sees this one; it goes to :attr:`latest`,
            :attr:`history` and ``path``).
        path: A ``.jsonl`` file to append the results to.
        prefix: Prepended to every key.

    Attributes:
        latest (dict[str, EvalValue]): The results of the last evaluation.
        history (list[dict[str, EvalValue]]): Every evaluation, with ``step`` and ``epoch``.

    Raises:
        TypeError: If ``metrics`` is neither a mapping of callables nor a sequence
            of callables, or an argument has the wrong type; when evaluating, if a
            result is not a number or mapping of numbers.
        ValueError: If ``metrics`` is empty or ``every < 1``; when evaluating, if
            two metrics produce the same key.

    Example:
        >>> from types import SimpleNamespace
        >>> evaluation = Evaluation({"answer": lambda trainer: 42.0}, every=2)
        >>> logged = {}
        >>> trainer = SimpleNamespace(step=0, epoch=0, device=torch.device("cpu"),
        ...                           log=lambda name, value: logged.update({name: value}))
        >>> for trainer.step in (1, 2, 3, 4):
        ...     evaluation.on_step_end(trainer, {"d/loss": 0.5})
        >>> logged
        {'eval/answer': 42.0}
        >>> [entry["step"] for entry in evaluation.history]
        [2, 4]
    """

    rank_zero_only = True  # evaluates and writes once, on rank 0, in distributed runs

    def __init__(
        self,
        metrics: Mapping[str, EvalFn] | Sequence[EvalFn],
        every: int | None = 1000,
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
        self.every = None if every is None else check_positive_int(every, "every")
        self.at_fit_end = bool(at_fit_end)
        self.path = None if path is None else check_path(path, "path")
        self.prefix = str(prefix)
        self.latest: dict[str, EvalValue] = {}
        self.history: list[dict[str, Any]] = []

    def evaluate(self, trainer: TrainerView) -> dict[str, EvalValue]:
        """Run every metric function now; record and return ``{"eval/<key>": value}``.

        Raises:
            TypeError: If a result is not a number or a mapping of numbers.
            ValueError: If two metrics produce the same key.
        """
        device = getattr(trainer, "device", torch.device("cpu"))
        devices = [device.index or 0] if device.type == "cuda" else []
        results: dict[str, EvalValue] = {}
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

    def on_fit_start(self, trainer: TrainerView) -> None:
        """Drop history entries and JSON lines after ``trainer.step`` (a resume point)."""
        self.history = [e for e in self.history if e["step"] <= trainer.step]
        if self.path is None or not self.path.is_file():
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if _step_of(line) <= trainer.step]
        if len(kept) < len(lines):
            with atomic_write(self.path, "w", encoding="utf-8") as f:
                f.writelines(line + "\n" for line in kept)

    def reads_diagnostics(self, step: int) -> bool:
        """Never: this callback reads no metric."""
        return False

    def on_step_end(self, trainer: TrainerView, metrics: Metrics) -> None:
        """Every ``every`` steps, evaluate and publish the numbers with ``trainer.log``."""
        if self.every is None or trainer.step % self.every != 0:
            return
        for key, value in self.evaluate(trainer).items():
            if not isinstance(value, (list, dict)):  # the loggers take numbers
                trainer.log(key, value)

    def on_fit_end(self, trainer: TrainerView) -> None:
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


_MOVED = ("DensityCoverageEval", "FrechetEval", "ModeCoverageEval", "PrecisionRecallEval")


def __getattr__(name: str) -> Any:
    if name in _MOVED:  # 0.1.0 defined these here; they build a MetricEval now
        from gankit.callbacks import metric_eval

        return getattr(metric_eval, name)  # calling one warns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
