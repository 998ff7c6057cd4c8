"""trainer.callback_metrics: publishing values, and the 0.1.0 key names still reading."""

from __future__ import annotations

import pytest
import torch

from gankit import Trainer
from gankit.callbacks import Callback, LoggedMetrics, is_loss_key
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator


def test_old_keys_read_the_new_values_with_a_warning() -> None:
    logged = LoggedMetrics({"d/loss": 1.5, "g/grad_norm": 0.25, "d/real_logit": 2.0})
    for old, new in (("d_loss", "d/loss"), ("g_grad_norm", "g/grad_norm"),
                     ("d_real", "d/real_logit")):
        with pytest.warns(DeprecationWarning, match=f"{old!r} is now called {new!r}"):
            assert logged[old] == logged[new]
        with pytest.warns(DeprecationWarning):
            assert old in logged and logged.get(old) == logged[new]
    assert "d_fake" not in logged and logged.get("d_fake", 7) == 7  # renamed, but absent
    with pytest.raises(KeyError, match="nope"):
        logged["nope"]
    assert sorted(logged) == ["d/loss", "d/real_logit", "g/grad_norm"]  # no old keys listed


def test_log_takes_numbers_and_scalar_tensors_only() -> None:
    logged = LoggedMetrics()
    logged.log("eval/fid", 3)
    logged.log_dict({"eval/kid": torch.tensor(0.5)})
    assert logged == {"eval/fid": 3.0, "eval/kid": torch.tensor(0.5)}
    assert type(logged["eval/fid"]) is float
    with pytest.raises(TypeError, match=r"metric 'x' must be a number or a 0-dim tensor, got "
                       r"Tensor of shape \(2,\)"):
        logged.log("x", torch.zeros(2))
    with pytest.raises(TypeError, match=r"metric 'x' must be a number .* got bool"):
        logged.log("x", True)
    with pytest.raises(TypeError, match="a metric name must be a str, got int"):
        logged.log(3, 1.0)  # type: ignore[arg-type]


def test_loss_keys_are_terms_and_totals_but_not_diagnostics() -> None:
    assert [is_loss_key(k) for k in ("d/r1", "g/loss", "d/real_logit", "g/grad_norm",
                                     "eval/loss", "d/", "loss")] == [
        True, True, False, False, False, False, False]


def test_a_value_logged_in_on_step_end_reaches_a_logger_placed_before_it() -> None:
    seen: list[float] = []

    class Logger(Callback):
        def on_log(self, trainer, metrics):  # type: ignore[no-untyped-def]
            seen.append(float(metrics["mine"]))

    class Publisher(Callback):
        def on_step_end(self, trainer, metrics):  # type: ignore[no-untyped-def]
            trainer.log("mine", trainer.step * 10)

    torch.manual_seed(0)
    trainer = Trainer(MLPGenerator(2, (2,), hidden=(8,)), MLPDiscriminator((2,), hidden=(8,)),
                      NSGAN(), callbacks=[Logger(), Publisher()], seed=0, progress_bar=False)
    trainer.fit(torch.randn(64, 2), steps=3, batch_size=16)
    assert seen == [10.0, 20.0, 30.0]
    assert trainer.callback_metrics["mine"] == 30.0 and "d/loss" in trainer.callback_metrics
