from __future__ import annotations

import math
import pickle

import pytest
import torch

from gankit.callbacks import DivergenceError, DivergenceGuard


def test_finite_losses_pass(make_trainer) -> None:
    trainer = make_trainer()
    trainer.step = 3
    metrics = {
        "d/adv": torch.tensor(0.7),
        "d/gp": torch.tensor(1e30),
        "d/loss": torch.tensor(0.8),
        "g/loss": 2.5,
        "g/adv": -4.0,
    }
    DivergenceGuard().on_step_end(trainer, metrics)  # no error


@pytest.mark.parametrize(
    ("value", "shown"),
    [(float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf")],
)
@pytest.mark.parametrize("as_tensor", [True, False])
def test_non_finite_term_is_named_with_step(make_trainer, value, shown, as_tensor) -> None:
    trainer = make_trainer()
    trainer.step = 17
    bad = torch.tensor(value) if as_tensor else value
    metrics = {"d/adv": torch.tensor(0.5), "d/gp": bad, "d/loss": bad, "g/loss": 1.0}
    expected = rf"non-finite loss at step 17: d/gp = {shown}"
    with pytest.raises(DivergenceError, match=expected) as info:
        DivergenceGuard().on_step_end(trainer, metrics)
    err = info.value
    assert isinstance(err, RuntimeError)
    assert err.step == 17 and err.term == "d/gp"
    assert math.isnan(err.value) if shown == "nan" else err.value == value
    assert err.others == ("d/loss",)  # the total is named after the term
    assert "also non-finite: d/loss" in str(err)


def test_total_alone_and_generator_terms(make_trainer) -> None:
    trainer = make_trainer()
    trainer.step = 4
    with pytest.raises(DivergenceError, match=r"step 4: g/loss = inf") as info:
        DivergenceGuard().on_step_end(trainer, {"d/loss": 0.1, "g/loss": torch.tensor(math.inf)})
    assert info.value.term == "g/loss" and info.value.others == ()
    with pytest.raises(DivergenceError, match=r"step 4: g/feature = nan"):
        DivergenceGuard().on_step_end(trainer, {"g/feature": torch.tensor([math.nan])[0]})


def test_non_loss_metrics_are_not_checked(make_trainer) -> None:
    trainer = make_trainer()
    trainer.step = 1
    metrics = {
        "d/loss": torch.tensor(1.0),
        "d/real_logit": torch.tensor(math.nan),
        "g/grad_norm": torch.tensor(math.inf),
        "d/grad_norm": math.inf,
    }
    DivergenceGuard().on_step_end(trainer, metrics)


def test_mixed_dtypes_are_checked(make_trainer) -> None:
    trainer = make_trainer()
    trainer.step = 2
    metrics = {
        "d/a": torch.tensor(1.0, dtype=torch.bfloat16),
        "d/b": torch.tensor(math.inf, dtype=torch.float64),
    }
    with pytest.raises(DivergenceError, match="d/b = inf"):
        DivergenceGuard().on_step_end(trainer, metrics)


def test_every_skips_other_steps(make_trainer) -> None:
    trainer = make_trainer()
    guard = DivergenceGuard(every=3)
    for step in (1, 2, 4, 5):
        trainer.step = step
        guard.on_step_end(trainer, {"d/loss": math.nan})
    trainer.step = 6
    with pytest.raises(DivergenceError, match="step 6"):
        guard.on_step_end(trainer, {"d/loss": math.nan})


def test_error_pickles() -> None:
    err = pickle.loads(pickle.dumps(DivergenceError(5, "d/bomb", math.inf, ("d/loss",))))
    assert (err.step, err.term, err.value, err.others) == (5, "d/bomb", math.inf, ("d/loss",))
    assert str(err).startswith("non-finite loss at step 5: d/bomb = inf")


def test_bad_every() -> None:
    with pytest.raises(ValueError, match=r"every must be a positive int \(>= 1\), got 0"):
        DivergenceGuard(every=0)
    with pytest.raises(TypeError, match="every must be a positive int, got float"):
        DivergenceGuard(every=1.5)  # type: ignore[arg-type]


def _count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    for name in ("__bool__", "__float__", "item"):
        original = getattr(torch.Tensor, name)

        def counted(self, *args, _name=name, _original=original):
            reads.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(torch.Tensor, name, counted)
    return reads


def _losses(device: str) -> dict[str, torch.Tensor]:
    metrics = {f"d/t{i}": torch.tensor(float(i), device=device) for i in range(6)}
    metrics.update({"d/loss": torch.tensor(15.0, device=device),
                    "g/loss": torch.tensor(1.0, device=device),
                    "d/real_logit": torch.tensor(0.5, device=device)})
    return metrics


def test_cpu_values_are_read_directly_without_stacking(make_trainer, monkeypatch) -> None:
    """On the CPU a read waits for nothing: each loss is read once, the logits never."""
    reads = _count_reads(monkeypatch)
    stacked = []
    monkeypatch.setattr(torch, "stack", lambda *a, **k: stacked.append(1))
    trainer = make_trainer()
    trainer.step = 1
    DivergenceGuard().on_step_end(trainer, _losses("cpu"))
    assert reads == ["item"] * 8 and not stacked


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_one_synchronisation_per_check_on_a_device(make_trainer, monkeypatch) -> None:
    reads = _count_reads(monkeypatch)
    trainer = make_trainer()
    trainer.step = 1
    DivergenceGuard().on_step_end(trainer, _losses("cuda"))
    assert reads == ["__bool__"]
