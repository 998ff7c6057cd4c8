"""Generators and discriminators: MLP, DCGAN and ResNet, conditional, packed, spectrally normalised.

Every generator has ``latent_dim``, ``out_shape`` and ``num_classes``; every
discriminator has ``in_shape``, ``num_classes`` and ``pack`` and returns logits
of shape ``(N // pack,)``. Every model has ``get_config()`` (plain values) and is
registered by class name, so ``build_model(name, config)`` rebuilds it.

Example:
    >>> import torch
    >>> g = build_model("MLPGenerator", {"latent_dim": 2, "out_shape": (2,), "hidden": (8,)})
    >>> d = MLPDiscriminator((2,), hidden=(5, 3), act_layer=torch.nn.Tanh)
    >>> d(g(torch.randn(4, 2))).shape
    torch.Size([4])
"""

from gankit.models._registry import build_model, get_model_class, list_models, register_model
from gankit.models.conditional_batch_norm import ConditionalBatchNorm2d
from gankit.models.dcgan_discriminator import DCGANDiscriminator
from gankit.models.dcgan_generator import DCGANGenerator
from gankit.models.initialization import INIT_SCHEMES, init_weights
from gankit.models.latent_mixture import LatentMixture
from gankit.models.latent_prior import LatentPrior, NormalPrior, UniformPrior, latent_prior
from gankit.models.maxout import Maxout
from gankit.models.mlp_discriminator import MLPDiscriminator
from gankit.models.mlp_generator import MLPGenerator
from gankit.models.resnet_discriminator import ResNetDiscriminator
from gankit.models.resnet_generator import ResNetGenerator
from gankit.models.self_attention import SelfAttention2d

__all__ = [
    "INIT_SCHEMES",
    "ConditionalBatchNorm2d",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "LatentMixture",
    "LatentPrior",
    "MLPDiscriminator",
    "MLPGenerator",
    "Maxout",
    "NormalPrior",
    "ResNetDiscriminator",
    "ResNetGenerator",
    "SelfAttention2d",
    "UniformPrior",
    "build_model",
    "get_model_class",
    "init_weights",
    "latent_prior",
    "list_models",
    "register_model",
]
