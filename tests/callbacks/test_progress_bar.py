from __future__ import annotations

import io
import sys

import pytest

from gankit.callbacks import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def drive(bar: ProgressBar, trainer, steps: range) -> None:
    bar.on_fit_start(trainer)
    for step in steps:
        trainer.step = step
        bar.on_step_end(trainer, {"d_loss": 0.5, "g_loss": 2.25})
    bar.on_fit_end(trainer)


def test_silent_when_stderr_is_not_a_terminal(make_trainer, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # not even imported
    trainer = make_trainer()
    trainer.max_steps = 20
    bar = ProgressBar(every=5)
    drive(bar, trainer, range(1, 21))
    assert not bar.enabled
    assert capsys.readouterr() == ("", "")


def test_shows_step_and_losses_on_a_terminal(make_trainer, monkeypatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    trainer = make_trainer()
    trainer.max_steps = 20
    bar = ProgressBar(every=10)
    bar.on_fit_start(trainer)
    assert bar.enabled and bar._bar.total == 20
    for step in range(1, 10):
        trainer.step = step
        bar.on_step_end(trainer, {"d_loss": 0.5, "g_loss": 2.25})
    assert bar._bar.n == 0  # not refreshed between logging steps
    trainer.step = 10
    bar.on_step_end(trainer, {"d_loss": 0.5, "g_loss": 2.25})
    assert bar._bar.n == 10
    trainer.step = 13
    bar.on_fit_end(trainer)
    out = terminal.getvalue()
    assert "10/20" in out and "13/20" in out
    assert "d_loss=0.5" in out and "g_loss=2.25" in out


def test_resumed_bar_starts_at_the_step(make_trainer, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stderr", Terminal())
    trainer = make_trainer()
    trainer.step, trainer.max_steps = 30, 50
    bar = ProgressBar(every=10)
    bar.on_fit_start(trainer)
    assert bar._bar.n == 30
    bar.on_exception(trainer, KeyboardInterrupt())
    assert bar._bar is None


def test_missing_tqdm_on_a_terminal(make_trainer, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(ImportError, match=r'needs tqdm: pip install "gankit\[extras\]"'):
        ProgressBar().on_fit_start(make_trainer())
