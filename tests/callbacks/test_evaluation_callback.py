"""The Evaluation callback and its metric functions, driven by a fake and a real trainer."""

from __future__ import annotations

import json
import math
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from gankit import Trainer
from gankit.callbacks import (
    Callback,
    DensityCoverageEval,
    Evaluation,
    FrechetEval,
    MetricEval,
    ModeCoverageEval,
    PrecisionRecallEval,
)
from gankit.losses import NSGAN
from gankit.metrics import (
    DensityCoverage,
    FrechetDistance,
    KernelDistance,
    ModeCoverage,
    PrecisionRecall,
)
from gankit.models import MLPDiscriminator, MLPGenerator


class Recorder(Callback):
    """A logger: keeps a copy of the metrics each on_log receives."""

    def __init__(self) -> None:
        self.seen: dict[int, dict[str, Any]] = {}

    def on_log(self, trainer: Any, metrics: Any) -> None:
        self.seen[trainer.step] = dict(metrics)


def _trainer(callbacks: list[Callback], seed: int = 0) -> Trainer:
    torch.manual_seed(seed)  # the models' initial weights
    g = MLPGenerator(2, (2,), hidden=(8,), output_activation=None)
    d = MLPDiscriminator((2,), hidden=(8,))
    return Trainer(g, d, NSGAN(), callbacks=callbacks, seed=seed, device="cpu",
                   progress_bar=False)


def _data() -> torch.Tensor:
    return torch.randn(128, 2, generator=torch.Generator().manual_seed(0))


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("logger_first", [False, True])
def test_runs_every_n_steps_and_every_logger_sees_the_keys(
        tmp_path: Path, logger_first: bool) -> None:
    path = tmp_path / "eval" / "metrics.jsonl"
    evaluation = Evaluation({"step_squared": lambda t: float(t.step**2)}, every=3, path=path)
    recorder = Recorder()
    callbacks: list[Callback] = [recorder, evaluation] if logger_first else [evaluation, recorder]
    _trainer(callbacks).fit(_data(), steps=7, batch_size=16)

    with_eval = sorted(s for s, m in recorder.seen.items() if "eval/step_squared" in m)
    assert with_eval == [3, 6]
    assert recorder.seen[6]["eval/step_squared"] == 36.0
    assert "d/loss" in recorder.seen[6]  # the trainer's own metrics are still there
    # The fit's end adds step 7, which no logger sees but the history and the file keep.
    assert [e["step"] for e in evaluation.history] == [3, 6, 7]
    assert evaluation.latest == {"eval/step_squared": 49.0}
    assert _lines(path) == evaluation.history
    assert _lines(path)[0] == {"step": 3, "epoch": 0, "eval/step_squared": 9.0}


def test_no_extra_evaluation_when_the_last_step_was_evaluated(make_trainer: Callable) -> None:
    trainer = make_trainer()
    evaluation = Evaluation({"one": lambda t: 1.0}, every=2)
    trainer.step = 2
    evaluation.on_step_end(trainer, {})
    evaluation.on_fit_end(trainer)
    assert [e["step"] for e in evaluation.history] == [2]
    off = Evaluation({"one": lambda t: 1.0}, every=2, at_fit_end=False)
    trainer.step = 3
    off.on_fit_end(trainer)
    assert off.history == []


def test_evaluation_does_not_change_the_training_run() -> None:
    def noisy(trainer: Any) -> float:
        return float(torch.randn(1000).mean() + trainer.sample(100).mean())  # draws from the RNG

    # Each trainer seeds the global RNG when built, so build each just before its fit.
    plain = _trainer([]).fit(_data(), steps=6, batch_size=16)
    evaluated = _trainer([Evaluation({"noisy": noisy}, every=2)])
    evaluated.fit(_data(), steps=6, batch_size=16)
    assert len(evaluated.callbacks[1].history) == 3  # type: ignore[attr-defined]
    for a, b in zip(plain.generator.parameters(), evaluated.generator.parameters()):
        assert torch.equal(a, b)


def test_mapping_results_are_nested_and_sequence_results_flat(make_trainer: Callable) -> None:
    trainer = make_trainer()
    trainer.step = 5
    nested = Evaluation({"pair": lambda t: {"a": 1.0, "b": torch.tensor(2.0)}}, every=5)
    flat = Evaluation([lambda t: {"a": 1, "b": 2.5}], every=5)
    nested.on_step_end(trainer, {})
    flat.on_step_end(trainer, {})
    logged = trainer.callback_metrics
    assert logged == {"eval/pair/a": 1.0, "eval/pair/b": 2.0, "eval/a": 1.0, "eval/b": 2.5}
    assert type(logged["eval/a"]) is float  # logged values are floats; the record keeps the int
    assert nested.latest["eval/pair/b"] == 2.0 and flat.latest["eval/a"] == 1


def test_lists_are_kept_but_only_numbers_are_logged(make_trainer: Callable) -> None:
    trainer = make_trainer()
    trainer.step = 1
    evaluation = Evaluation({"m": lambda t: {"counts": torch.tensor([3, 0, 2]), "share": 0.5}},
                            every=1)
    frozen = types.MappingProxyType({"d/loss": 0.1})
    evaluation.on_step_end(trainer, frozen)  # the step's own mapping is not written to
    assert dict(frozen) == {"d/loss": 0.1}
    assert evaluation.latest == {"eval/m/counts": [3, 0, 2], "eval/m/share": 0.5}
    assert trainer.callback_metrics == {"eval/m/share": 0.5}


def test_state_round_trip(make_trainer: Callable) -> None:
    trainer = make_trainer()
    evaluation = Evaluation({"step": lambda t: float(t.step)}, every=1)
    for trainer.step in (1, 2):
        evaluation.on_step_end(trainer, {})
    restored = Evaluation({"step": lambda t: float(t.step)}, every=1)
    restored.load_state_dict(evaluation.state_dict())
    assert restored.latest == {"eval/step": 2.0}
    assert restored.history == evaluation.history
    assert restored.history is not evaluation.history


def test_resume_from_a_checkpoint_writes_each_step_once(tmp_path: Path) -> None:
    path, ckpt = tmp_path / "metrics.jsonl", tmp_path / "ckpt.pt"
    first = _trainer([Evaluation({"step": lambda t: float(t.step)}, every=2, path=path)])
    first.fit(_data(), steps=4, batch_size=16)
    first.save_checkpoint(ckpt)
    first.fit(_data(), steps=6, batch_size=16)
    assert [line["step"] for line in _lines(path)] == [2, 4, 6]

    evaluation = Evaluation({"step": lambda t: float(t.step)}, every=2, path=path)
    second = _trainer([evaluation], seed=1)
    second.load_checkpoint(ckpt)
    assert [e["step"] for e in evaluation.history] == [2, 4]
    with path.open("a") as f:
        f.write('{"step": 5, "damag')  # a line cut short by a crash is dropped too
    second.fit(_data(), steps=6, batch_size=16)
    assert [line["step"] for line in _lines(path)] == [2, 4, 6]
    assert [e["step"] for e in evaluation.history] == [2, 4, 6]


def test_mode_coverage_eval_against_a_hand_computed_case(make_trainer: Callable) -> None:
    means = torch.tensor([[math.cos(2 * math.pi * i / 8), math.sin(2 * math.pi * i / 8)]
                          for i in range(8)])

    class ThreeModes(nn.Module):
        def forward(self, z: torch.Tensor) -> torch.Tensor:
            # Samples on modes 0, 1, 2 in turn (plus a small offset within 3σ).
            return means[torch.arange(len(z)) % 3] + 0.01

    trainer = make_trainer(ThreeModes(), latent_dim=2)
    result = MetricEval(ModeCoverage(means, std=0.01), n=300, batch_size=300)(trainer)
    assert result["modes_covered"] == 3 and result["num_modes"] == 8
    assert result["counts"] == [100, 100, 100, 0, 0, 0, 0, 0]
    assert result["high_quality_fraction"] == 1.0
    assert result["reverse_kl"] == pytest.approx(math.log(8 / 3), abs=1e-12)  # ln K − ln 3


def test_frechet_eval_matches_a_numpy_reference(make_trainer: Callable) -> None:
    scipy_linalg = pytest.importorskip("scipy.linalg")
    trainer = make_trainer(latent_dim=4)  # generator: nn.Linear(4, 2)
    real = torch.randn(400, 2, generator=torch.Generator().manual_seed(3)) * 2.0 + 1.0
    value = MetricEval(FrechetDistance(), real=real, n=500, seed=7, batch_size=64)(trainer)
    value = value["frechet_distance"]

    z = torch.randn(500, 4, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        fake = trainer.generator(z).double().numpy()
    r = real.double().numpy()
    mu1, mu2 = r.mean(0), fake.mean(0)
    s1, s2 = np.cov(r, rowvar=False), np.cov(fake, rowvar=False)
    root = scipy_linalg.sqrtm(s1 @ s2).real
    expected = float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * root))
    assert value == pytest.approx(expected, rel=1e-6)  # float32 samples, chunked


def test_feature_evals_on_samples_identical_to_the_data(make_trainer: Callable) -> None:
    trainer = make_trainer(latent_dim=4)
    z = torch.randn(200, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        real = trainer.generator(z)  # exactly the samples the evals will draw
    extractor = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    def score(metric: Any) -> dict[str, Any]:
        return MetricEval(metric, real=real, feature_extractor=extractor, seed=0)(trainer)

    pr = score(PrecisionRecall(k=3))
    dc = score(DensityCoverage(k=5))
    fd = score(FrechetDistance())
    kid = score(KernelDistance(num_subsets=4, subset_size=50))
    assert pr == {"precision": 1.0, "recall": 1.0}
    assert dc["coverage"] == 1.0 and dc["density"] >= 1.0
    assert fd["frechet_distance"] == pytest.approx(0.0, abs=1e-10)
    assert set(kid) == {"mean", "std"} and all(math.isfinite(v) for v in kid.values())


def test_the_0_1_0_adaptors_warn_and_give_the_same_keys(make_trainer: Callable) -> None:
    trainer = make_trainer(latent_dim=4)
    real = torch.randn(50, 2, generator=torch.Generator().manual_seed(0))
    means = torch.zeros(1, 2)
    cases = [
        (lambda: ModeCoverageEval(means, std=1.0, n=20),
         {"modes_covered", "high_quality_fraction", "reverse_kl"}),
        (lambda: FrechetEval(real), {"frechet_distance"}),
        (lambda: PrecisionRecallEval(real), {"precision", "recall"}),
        (lambda: DensityCoverageEval(real), {"density", "coverage"}),
    ]
    for make, keys in cases:
        with pytest.warns(DeprecationWarning, match="is deprecated .* use MetricEval"):
            adaptor = make()
        assert isinstance(adaptor, MetricEval)
        assert set(adaptor(trainer)) == keys


def test_conditional_generators_get_cycling_labels(make_trainer: Callable) -> None:
    class LabelEcho(nn.Module):
        def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            return torch.stack([labels.float(), torch.zeros(len(z))], dim=1)  # (N, 2)

    trainer = make_trainer(LabelEcho(), latent_dim=2, num_classes=3)
    means = torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    result = MetricEval(ModeCoverage(means, std=0.1), n=7, batch_size=3)(trainer)  # 0120120
    assert result["modes_covered"] == 3
    assert result["reverse_kl"] == pytest.approx(
        math.log(3) + sum(p * math.log(p) for p in (3 / 7, 2 / 7, 2 / 7))
    )


def test_errors(make_trainer: Callable) -> None:
    trainer = make_trainer()
    trainer.step = 1
    with pytest.raises(ValueError, match="at least one metric function"):
        Evaluation({})
    with pytest.raises(TypeError, match="must map str names to callables"):
        Evaluation({"x": 3.0})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"mapping \{name: fn\} or a sequence"):
        Evaluation(lambda t: 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="every must be a positive int"):
        Evaluation({"x": lambda t: 1.0}, every=0)
    with pytest.raises(TypeError, match="must return a mapping of names to numbers, got float"):
        Evaluation([lambda t: 1.0], every=1).on_step_end(trainer, {})
    with pytest.raises(TypeError, match="metric 'x' must return a number or a mapping"):
        Evaluation({"x": lambda t: "high"}, every=1).on_step_end(trainer, {})
    with pytest.raises(ValueError, match="two metrics produce the key 'eval/a'"):
        Evaluation([lambda t: {"a": 1.0}, lambda t: {"a": 2.0}], every=1).on_step_end(trainer, {})
    with pytest.raises(TypeError, match="metric value 'v' must be a number, a list of num"):
        Evaluation({"x": lambda t: {"v": ["a"]}}, every=1).on_step_end(trainer, {})
    with pytest.raises(TypeError, match=r"metric value 'v' must be .* a table of numbers"):
        Evaluation({"x": lambda t: {"v": {"fd": "low"}}}, every=1).on_step_end(trainer, {})
    with pytest.raises(TypeError, match=r"must be a gankit\.metrics\.Metric, or a .* got function"):
        MetricEval(lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"real must be a torch\.Tensor"):
        MetricEval(FrechetDistance(), real=[[0.0, 1.0]])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"real must have shape \(N, \*S\) with N >= 2"):
        MetricEval(FrechetDistance(), real=torch.zeros(1, 2))
    with pytest.raises(TypeError, match=r"feature_extractor must be an nn\.Module"):
        MetricEval(FrechetDistance(), real=torch.zeros(4, 2),
                   feature_extractor=lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be a positive int"):
        MetricEval(FrechetDistance(), n=0)


def test_parzen_carries_the_samples_and_scores_held_out_data(make_trainer: Callable) -> None:
    from gankit.metrics import ParzenLogLikelihood, parzen_log_likelihood

    trainer = make_trainer(latent_dim=4)  # generator: nn.Linear(4, 2)
    held_out = torch.randn(300, 2, generator=torch.Generator().manual_seed(5))
    parzen = MetricEval(lambda fake: ParzenLogLikelihood(fake, sigma=0.5), real=held_out,
                        n=200, seed=2)
    result = parzen(trainer)
    z = torch.randn(200, 4, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        fake = trainer.generator(z)
    expected = parzen_log_likelihood(fake, held_out, sigma=0.5)
    assert result == {"mean": pytest.approx(expected.mean),
                      "stderr": pytest.approx(expected.stderr), "sigma": 0.5}


def test_a_table_of_figures_is_kept_but_not_logged(make_trainer: Callable) -> None:
    trainer = make_trainer()
    trainer.step = 2
    logged: dict[str, Any] = {}
    trainer.log = lambda name, value: logged.__setitem__(name, value)
    table = {"fd": torch.tensor(1.5), "memorizing": False, "p_value": None, "n": 3}
    evaluation = Evaluation([lambda t: {"fd": 2.0, "floor": table}], every=1)
    evaluation.on_step_end(trainer, {})
    assert logged == {"eval/fd": 2.0}  # the loggers take numbers only
    assert evaluation.latest["eval/floor"] == {"fd": 1.5, "memorizing": False, "p_value": None,
                                               "n": 3}
