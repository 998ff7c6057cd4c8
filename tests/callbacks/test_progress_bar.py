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
        bar.on_log(trainer, {"d/loss": 0.5, "g/loss": 2.25})
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
        bar.on_log(trainer, {"d/loss": 0.5, "g/loss": 2.25})
    assert bar._bar.n == 0  # not refreshed between logging steps
    trainer.step = 10
    bar.on_log(trainer, {"d/loss": 0.5, "g/loss": 2.25})
    assert bar._bar.n == 10
    trainer.step = 13
    bar.on_fit_end(trainer)
    out = terminal.getvalue()
    assert "10/20" in out and "13/20" in out
    assert "d/loss=0.5" in out and "g/loss=2.25" in out


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


def test_plain_lines_every_n_steps_or_after_the_interval(make_trainer, capsys,
                                                         monkeypatch) -> None:
    import gankit.callbacks.progress as progress

    clock = iter([0.0] + [float(t) for t in range(1, 100)])  # 1 s per step
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    trainer = make_trainer()
    trainer.max_steps = 40
    bar = ProgressBar(log_every=10, log_seconds=25.0)
    bar.on_fit_start(trainer)
    for trainer.step in range(1, 41):
        bar.on_log(trainer, {"d/loss": 1.5, "g/loss": 0.25})
    lines = capsys.readouterr().out.splitlines()
    # every 10 steps; the 25 s interval never comes first at 1 step per second
    assert [x.split("  ")[0] for x in lines] == [
        "step 10/40 (25%)", "step 20/40 (50%)", "step 30/40 (75%)", "step 40/40 (100%)"]
    assert lines[0] == "step 10/40 (25%)  d/loss 1.5  g/loss 0.25  epoch 0  1.0 steps/s  ETA 30s"


def test_the_interval_prints_a_line_before_n_steps(make_trainer, capsys, monkeypatch) -> None:
    import gankit.callbacks.progress as progress

    clock = iter([0.0] + [10.0 * t for t in range(1, 100)])  # 10 s per step
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    trainer = make_trainer()
    trainer.max_steps = None
    bar = ProgressBar(log_every=500, log_seconds=30.0)
    bar.on_fit_start(trainer)
    for trainer.step in range(1, 7):
        bar.on_log(trainer, {"d/loss": 1.0})
    lines = capsys.readouterr().out.splitlines()
    assert [x.split("  ")[0] for x in lines] == ["step 3", "step 6"]
    assert "ETA" not in lines[0] and "0.1 steps/s" in lines[0]


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"log_every": 0}, ValueError), ({"log_seconds": 0.0}, ValueError),
    ({"log_seconds": "30"}, TypeError), ({"log_every": 2.5}, TypeError)])
def test_bad_line_settings_are_named(kwargs, error) -> None:
    with pytest.raises(error, match="log_"):
        ProgressBar(**kwargs)
