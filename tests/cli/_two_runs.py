"""Two tiny runs for the sample and export tests: the ring and a conditional DCGAN."""

from __future__ import annotations

from pathlib import Path

from gankit.cli.main import main

COND = """\
[data]
name = "digits"
size = 8

[generator]
name = "DCGANGenerator"
latent_dim = 8
base_channels = 4
num_classes = 10

[discriminator]
name = "DCGANDiscriminator"
base_channels = 4
num_classes = 10

[loss]
name = "NSGAN"

[trainer]
steps = 2
batch_size = 16
noise = "uniform"
progress_bar = false

[callbacks.samples]
enabled = false

[callbacks.loss_plot]
enabled = false

[eval]
enabled = false
"""




def train_ring_and_conditional(root: Path, ring_config: str) -> dict[str, Path]:
    """Train both runs into ``root``; their ``last.pt`` checkpoints by name."""
    (root / "ring.toml").write_text(ring_config)
    (root / "cond.toml").write_text(COND)
    assert main(["train", str(root / "ring.toml"), "--out", str(root / "ring"),
                 "--steps", "3"]) == 0
    assert main(["train", str(root / "cond.toml"), "--out", str(root / "cond")]) == 0
    return {"ring": root / "ring/checkpoints/last.pt", "cond": root / "cond/checkpoints/last.pt"}
