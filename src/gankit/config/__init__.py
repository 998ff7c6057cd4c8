"""Config files for ``gankit train``: TOML (or YAML) that maps one-to-one onto the API.

:func:`load_config` reads a file, :func:`apply_overrides` applies ``--set``
overrides, :func:`build_experiment` validates everything and builds the
trainer, and :func:`dumps_toml` writes the resolved config back out (with
``tomli-w``, from the ``extras`` extra). Every
mistake raises one :class:`ConfigError` naming the key path.

Example:
    >>> cfg = loads_toml('''
    ... [data]
    ... name = "ring"
    ... [generator]
    ... name = "MLPGenerator"
    ... latent_dim = 2
    ... [discriminator]
    ... name = "MLPDiscriminator"
    ... [loss]
    ... name = "NSGAN"
    ... [trainer]
    ... steps = 10
    ... d_step = 2
    ... ''')
    >>> build_experiment(cfg, "runs/x")
    Traceback (most recent call last):
    ...
    gankit.config.errors.ConfigError: config key 'trainer.d_step': unknown key 'd_step' \
(did you mean 'd_steps'?); allowed: ...
"""

from gankit.config.errors import ConfigError
from gankit.config.experiment import Experiment, build_experiment
from gankit.config.loading import (
    apply_overrides,
    dumps_toml,
    load_config,
    loads_toml,
    parse_override,
)

__all__ = [
    "ConfigError",
    "Experiment",
    "apply_overrides",
    "build_experiment",
    "dumps_toml",
    "load_config",
    "loads_toml",
    "parse_override",
]
