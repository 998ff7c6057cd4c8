"""gankit: small, correct, tested building blocks for GANs on PyTorch.

The stable names are re-exported here; each subpackage holds one layer:
``gankit.functional`` (pure loss functions), ``gankit.losses`` (composable
loss objects), ``gankit.augment`` (differentiable augmentations of the
discriminator's input), ``gankit.models``, ``gankit.training`` (the :class:`Trainer`
and checkpoints), ``gankit.callbacks``, ``gankit.data``, ``gankit.metrics``
and ``gankit.theory``.
"""

from gankit._version import __version__
from gankit.losses import (
    LSGAN,
    MMGAN,
    NSGAN,
    WGAN,
    WGANGP,
    GradientPenalty,
    Hinge,
    Loss,
    LossTerm,
    R1Penalty,
)
from gankit.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
    ModelCard,
    PretrainedError,
    build_model,
    from_pretrained,
    list_models,
    push_to_hub,
    save_pretrained,
)
from gankit.training._rng import seed_everything
from gankit.training.checkpoint import CheckpointError, load_generator
from gankit.training.trainer import Trainer, TrainingInterrupted

__all__ = [
    "LSGAN",
    "MMGAN",
    "NSGAN",
    "WGAN",
    "WGANGP",
    "CheckpointError",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "GradientPenalty",
    "Hinge",
    "Loss",
    "LossTerm",
    "MLPDiscriminator",
    "MLPGenerator",
    "ModelCard",
    "PretrainedError",
    "R1Penalty",
    "Trainer",
    "TrainingInterrupted",
    "__version__",
    "build_model",
    "from_pretrained",
    "list_models",
    "load_generator",
    "push_to_hub",
    "save_pretrained",
    "seed_everything",
]
