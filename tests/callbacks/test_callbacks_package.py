from __future__ import annotations

import subprocess
import sys

import gankit.callbacks
import gankit.visualize
from gankit.callbacks import HOOKS, Callback


def isort_key(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS, then CamelCase, then the rest."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_importable() -> None:
    for module in (gankit.callbacks, gankit.visualize):
        assert module.__all__ == sorted(module.__all__, key=isort_key)
        for name in module.__all__:
            assert hasattr(module, name)


def test_every_builtin_is_a_callback_that_overrides_a_hook() -> None:
    classes = [
        obj
        for obj in (getattr(gankit.callbacks, name) for name in gankit.callbacks.__all__)
        if isinstance(obj, type) and issubclass(obj, Callback) and obj is not Callback
    ]
    assert sorted(c.__name__ for c in classes) == [
        "CSVLogger", "CollapseMonitor", "DivergenceGuard", "EMA", "Evaluation", "LossPlot",
        "MLflowLogger", "ModelCheckpoint", "ProgressBar", "SampleGrid", "TensorBoardLogger",
        "WandbLogger",
    ]
    for cls in classes:
        assert any(getattr(cls, hook) is not getattr(Callback, hook) for hook in HOOKS), cls


def test_import_pulls_in_no_optional_dependency() -> None:
    code = (
        "import sys, torch, numpy\n"
        "before = set(sys.modules)\n"
        "import gankit.callbacks, gankit.visualize\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new & {'tqdm', 'matplotlib', 'PIL', 'tensorboard', 'wandb', 'mlflow'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class Unreadable:
    """A metric value that fails if converted, to catch per-step device syncs."""

    def __float__(self) -> float:
        raise AssertionError("converted on a step that does not log")


def test_loggers_read_metrics_only_on_logging_steps(tmp_path, make_trainer, monkeypatch) -> None:
    import io

    from gankit.callbacks import CSVLogger, LossPlot, ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    trainer = make_trainer()
    callbacks = [CSVLogger(tmp_path / "log.csv", every=5),
                 LossPlot(tmp_path / "loss.png", every=5, plot_every=None), ProgressBar(every=5)]
    for cb in callbacks:
        cb.on_fit_start(trainer)
    for step in range(1, 5):
        trainer.step = step
        for cb in callbacks:
            cb.on_log(trainer, {"d/loss": Unreadable(), "g/loss": Unreadable()})
    trainer.step = 5
    for cb in callbacks:
        cb.on_log(trainer, {"d/loss": 1.0, "g/loss": 2.0})
        cb.on_exception(trainer, RuntimeError())
    assert (tmp_path / "log.csv").read_text().splitlines()[1] == "5,0,1.0,2.0"
