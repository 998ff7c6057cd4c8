"""A tiny ring config that trains in well under a second."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = """\
[data]
name = "ring"

[generator]
name = "MLPGenerator"
latent_dim = 2
hidden = [16, 16]
norm_layer = "none"
output_activation = "none"

[discriminator]
name = "MLPDiscriminator"
hidden = [16, 16]

[loss]
terms = [{name = "NSGAN"}, {name = "R1Penalty", weight = 0.1}]

[optimizer.generator]
lr = 1e-3

[optimizer.discriminator]
lr = 1e-3

[trainer]
steps = 20
batch_size = 32
seed = 7
device = "cpu"
progress_bar = false

[callbacks.csv]
every = 2

[callbacks.checkpoint]
every = 5
keep_last = 2

# Pictures are slow to draw: off here, on in the tests that look at them.
[callbacks.loss_plot]
enabled = false
plot_every = "none"

[callbacks.samples]
enabled = false
every = 10
n = 64

[callbacks.ema]
decay = 0.9

[eval]
num_samples = 500
plot = false
"""


@pytest.fixture(scope="session")
def tiny_text() -> str:
    """The tiny config's TOML text."""
    return TINY


@pytest.fixture
def tiny_config(tmp_path: Path) -> Path:
    """Write the tiny config to ``tmp_path/tiny.toml``."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path
