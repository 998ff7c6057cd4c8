"""Turn a whole config into a ready-to-fit :class:`~gankit.Trainer`.

A config has these sections, each mapping onto the Python API:

==================  ==========================================================
``[data]``          a :mod:`gankit.data` loader and its arguments
``[generator]``     a registered model class (``name``) and its arguments
``[discriminator]`` likewise
``[loss]``          a loss, or ``terms`` to sum (see :mod:`gankit.config.losses`)
``[optimizer]``     ``[optimizer.generator]`` and ``[optimizer.discriminator]``
``[trainer]``       :class:`~gankit.Trainer` arguments and ``fit`` lengths
``[augment]``       a :mod:`gankit.augment` class for the discriminator's input
``[callbacks]``     logging, checkpoints, sample pictures, EMA
``[eval]``          the evaluation callback: ``metrics.json`` at the end, ``every`` N steps
==================  ==========================================================

``[data]``, ``[generator]``, ``[discriminator]`` and ``[loss]`` are required.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gankit.callbacks import Evaluation
from gankit.callbacks._tracker import TrackerLogger
from gankit.config.augment import build_augment_section
from gankit.config.callbacks import build_callbacks
from gankit.config.data import DataSpec, build_data
from gankit.config.errors import ConfigError, format_value, unknown_name_error
from gankit.config.evaluation import EVAL_FIELDS, build_evaluation
from gankit.config.losses import build_loss
from gankit.config.models import build_model_section
from gankit.config.optimizers import build_optimizer
from gankit.config.schema import Field, check_table, join_path

__all__ = [
    "EVAL_FIELDS",
    "NOT_TRAINER_ARGUMENTS",
    "SECTIONS",
    "TRAINER_FIELDS",
    "Experiment",
    "build_experiment",
]

#: The top-level sections and whether each is required.
SECTIONS: dict[str, bool] = {
    "data": True,
    "generator": True,
    "discriminator": True,
    "loss": True,
    "optimizer": False,
    "trainer": False,
    "augment": False,
    "callbacks": False,
    "eval": False,
}

#: The keys of ``[trainer]``: every :class:`~gankit.Trainer` argument but the
#: models, the loss, the optimizers and the callbacks (their own sections), and
#: the lengths of the run.
TRAINER_FIELDS: dict[str, Field] = {
    "steps": Field("int", None, "generator updates to train (counted from the start)",
                   minimum=0),
    "epochs": Field("int", None, "passes over finite data (instead of or with steps)",
                    minimum=0),
    "batch_size": Field("int", 64, "samples per batch", minimum=1),
    "d_steps": Field("int", 1, "discriminator updates per generator update", minimum=1),
    "accumulate": Field("int", 1, "micro-batches of batch_size per update (gradient "
                        "accumulation: one optimizer step on accumulate x batch_size samples)",
                        minimum=1),
    "seed": Field("int", 0, "seeds Python's, NumPy's and torch's RNGs"),
    "device": Field("str", "auto", "'auto', 'cpu', 'cuda', 'cuda:1', ..."),
    "noise": Field("str", "normal", "latent distribution", choices=("normal", "uniform")),
    "precision": Field("str", "fp32", "autocast precision", choices=("fp32", "bf16", "fp16")),
    "grad_clip": Field("float", None, "clip each network's gradient norm", minimum=0.0,
                       nullable=True),
    "compile": Field("bool", False, "compile the loss computations with torch.compile"),
    "divergence_guard": Field("bool", True, "stop with an error on a non-finite loss"),
    "progress_bar": Field("bool", True, "show a progress bar on a terminal"),
    "threads": Field("int", None, "torch CPU threads (torch.set_num_threads)", minimum=1),
    "distributed": Field("bool", None, "train data-parallel over a torchrun process group "
                         "(default: when torchrun started the run)", nullable=True),
    "sync_batchnorm": Field("bool", False, "convert BatchNorm layers to SyncBatchNorm (CUDA)"),
    "channels_last": Field("bool", False, "channels-last memory format for convolutions"),
    "handle_signals": Field("bool", True, "Ctrl-C or SIGTERM finishes the step and stops "
                            "with a checkpoint (a second one aborts)"),
}

#: The keys of ``[trainer]`` that are not :class:`~gankit.Trainer` arguments:
#: the lengths passed to ``fit`` and the process-wide thread count.
NOT_TRAINER_ARGUMENTS: tuple[str, ...] = ("steps", "epochs", "batch_size", "threads")

@dataclass
class Experiment:
    """Everything a run needs, built from a config; nothing is written yet.

    Attributes:
        trainer: The trainer, with models, loss, optimizers and callbacks.
        data: The data to fit on.
        config: The resolved config: every section validated and every
            default filled in; :func:`gankit.config.dumps_toml` writes it.
        out_dir: The output folder the callbacks write into.
        evaluation: The ``[eval]`` section's callback (one of the trainer's),
            or ``None`` when evaluation is off or nothing applies to the data.
    """

    trainer: Any
    data: DataSpec
    config: dict[str, Any]
    out_dir: Path
    evaluation: Evaluation | None = None

    @property
    def fit_kwargs(self) -> dict[str, Any]:
        """The arguments of :meth:`gankit.Trainer.fit`: ``steps``, ``epochs``, ``batch_size``."""
        t = self.config["trainer"]
        return {"steps": t.get("steps"), "epochs": t.get("epochs"), "batch_size": t["batch_size"]}


def _check_sections(config: Any) -> None:
    if not isinstance(config, dict):
        raise ConfigError("", f"a config must be a table of sections, got {format_value(config)}")
    for key in config:
        if key not in SECTIONS:
            raise unknown_name_error(key, key, SECTIONS, "section")
    for key, required in SECTIONS.items():
        if required and key not in config:
            raise ConfigError(
                key, f"missing required section [{key}]; a config needs "
                f"{[k for k, r in SECTIONS.items() if r]}"
            )


def _check_trainer(section: Any, data: DataSpec) -> dict[str, Any]:
    t = check_table(section or {}, TRAINER_FIELDS, "trainer")
    if t.get("steps") is None and t.get("epochs") is None:
        raise ConfigError("trainer.steps", "missing; give trainer.steps or trainer.epochs")
    if t.get("epochs") is not None and t.get("steps") is None and not data.finite:
        raise ConfigError(
            "trainer.epochs", "the data is an infinite sampler: give trainer.steps, or "
            "data.fixed_size to train on a fixed set of points"
        )
    return t


def build_experiment(config: dict[str, Any], out_dir: str | Path) -> Experiment:
    """Validate a raw config and build the trainer and data it describes.

    Args:
        config: The raw config (from :func:`gankit.config.load_config`, with
            any overrides applied).
        out_dir: The output folder for logs, checkpoints and pictures.

    Returns:
        The :class:`Experiment`.

    Raises:
        ConfigError: If any section is invalid; the message names the key path.
        FileNotFoundError: If the data's files are missing.

    Example:
        >>> cfg = {"data": {"name": "ring"},
        ...        "generator": {"name": "MLPGenerator", "latent_dim": 2, "hidden": [16]},
        ...        "discriminator": {"name": "MLPDiscriminator", "hidden": [16]},
        ...        "loss": {"name": "NSGAN"}, "trainer": {"steps": 5, "progress_bar": False}}
        >>> exp = build_experiment(cfg, "runs/example")
        >>> exp.fit_kwargs, exp.config["discriminator"]["in_shape"]
        ({'steps': 5, 'epochs': None, 'batch_size': 64}, [2])
    """
    from gankit.training import Trainer, seed_everything

    _check_sections(config)
    out = Path(out_dir)
    raw_trainer = config.get("trainer") or {}
    seed = check_table(raw_trainer, TRAINER_FIELDS, "trainer")["seed"]
    data, data_cfg = build_data(config["data"], seed)
    trainer_cfg = _check_trainer(raw_trainer, data)
    eval_cfg = check_table(config.get("eval") or {}, EVAL_FIELDS, "eval")
    if trainer_cfg.get("threads") is not None:
        torch.set_num_threads(trainer_cfg["threads"])
    seed_everything(seed)  # before the models: their initialisation is reproducible
    generator, g_cfg = build_model_section(config["generator"], "generator", data.sample_shape)
    discriminator, d_cfg = build_model_section(
        config["discriminator"], "discriminator", data.sample_shape
    )
    loss, loss_cfg = build_loss(config["loss"])
    optim = config.get("optimizer") or {}
    if not isinstance(optim, dict):
        raise ConfigError("optimizer", f"expected a table, got {format_value(optim)}")
    for key in optim:
        if key not in ("generator", "discriminator"):
            raise unknown_name_error(join_path("optimizer", key), key,
                                     ["discriminator", "generator"], "key")
    g_opt, g_opt_cfg = build_optimizer(optim.get("generator"), "optimizer.generator")
    d_opt, d_opt_cfg = build_optimizer(optim.get("discriminator"), "optimizer.discriminator")
    augment, augment_cfg = (None, None) if config.get("augment") is None else \
        build_augment_section(config["augment"])
    callbacks, cb_cfg = build_callbacks(config.get("callbacks"), out, data)
    evaluation = build_evaluation(eval_cfg, data)
    if evaluation is not None:  # before the loggers' files are closed at fit end
        callbacks.insert(0, evaluation)
    kwargs = {k: v for k, v in trainer_cfg.items() if k not in NOT_TRAINER_ARGUMENTS}
    try:
        trainer = Trainer(generator, discriminator, loss, g_optimizer=g_opt,
                          d_optimizer=d_opt, callbacks=callbacks, augment=augment, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError("trainer", str(exc)) from None
    resolved = {
        "data": data_cfg,
        "generator": g_cfg,
        "discriminator": d_cfg,
        "loss": loss_cfg,
        "optimizer": {"generator": g_opt_cfg, "discriminator": d_opt_cfg},
        "trainer": trainer_cfg,
        **({} if augment_cfg is None else {"augment": augment_cfg}),
        "callbacks": cb_cfg,
        "eval": eval_cfg,
    }
    for callback in callbacks:  # W&B and MLflow record the resolved config
        if isinstance(callback, TrackerLogger) and callback.config is None:
            callback.config = resolved
    return Experiment(trainer, data, resolved, out, evaluation)
