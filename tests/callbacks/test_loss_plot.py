from __future__ import annotations

import io
from pathlib import Path

import pytest
import torch
from PIL import Image

from gankit.callbacks import LossPlot


def drive(plot: LossPlot, trainer, steps: range, offset: float = 0.0) -> None:
    for step in steps:
        trainer.step = step
        metrics = {
            "d/loss": torch.tensor(step + offset),
            "g/loss": -float(step),
            "d/gp": torch.tensor(0.5 * step),
            "d/real_logit": 0.9,
            "g/grad_norm": torch.tensor(3.0),
        }
        plot.on_log(trainer, metrics)


def test_records_losses_every_n_steps(tmp_path: Path, make_trainer) -> None:
    plot = LossPlot(tmp_path / "loss.png", every=3, plot_every=None)
    trainer = make_trainer()
    drive(plot, trainer, range(1, 10))
    assert plot.history == {
        "d/loss": ([3, 6, 9], [3.0, 6.0, 9.0]),
        "g/loss": ([3, 6, 9], [-3.0, -6.0, -9.0]),
        "d/gp": ([3, 6, 9], [1.5, 3.0, 4.5]),
    }
    assert all(type(v) is float for _, values in plot.history.values() for v in values)
    assert not (tmp_path / "loss.png").exists()
    plot.on_fit_end(trainer)
    with Image.open(tmp_path / "loss.png") as im:
        assert im.format == "PNG" and im.size == (700, 400)


def test_plot_every(tmp_path: Path, make_trainer) -> None:
    path = tmp_path / "plots" / "loss.png"
    plot = LossPlot(path, every=1, plot_every=4)
    trainer = make_trainer()
    drive(plot, trainer, range(1, 4))
    assert not path.exists()
    drive(plot, trainer, range(4, 5))
    assert path.is_file()


def test_history_continues_after_resume(tmp_path: Path, make_trainer) -> None:
    plot = LossPlot(tmp_path / "loss.png", every=2)
    trainer = make_trainer()
    drive(plot, trainer, range(1, 7))  # records 2, 4, 6
    buffer = io.BytesIO()
    torch.save(plot.state_dict(), buffer)
    drive(plot, trainer, range(7, 11))  # the crashed run went on to 10

    buffer.seek(0)
    resumed = LossPlot(tmp_path / "loss.png", every=2)
    resumed.load_state_dict(torch.load(buffer, weights_only=True))
    trainer.step = 6
    resumed.on_fit_start(trainer)
    drive(resumed, trainer, range(7, 11), offset=100.0)
    assert resumed.history["d/loss"] == ([2, 4, 6, 8, 10], [2.0, 4.0, 6.0, 108.0, 110.0])

    # A same-process rewind: points after trainer.step are dropped at fit start.
    trainer.step = 4
    resumed.on_fit_start(trainer)
    assert resumed.history["g/loss"] == ([2, 4], [-2.0, -4.0])


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="plot_every must be a positive int"):
        LossPlot(tmp_path / "x.png", plot_every=0)
    with pytest.raises(TypeError, match="every must be a positive int, got str"):
        LossPlot(tmp_path / "x.png", every="10")  # type: ignore[arg-type]
