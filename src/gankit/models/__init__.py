"""Generators and discriminators: MLP, DCGAN and ResNet, conditional, packed, spectrally normalised.

Every generator has ``latent_dim``, ``out_shape`` and ``num_classes``; every
discriminator has ``in_shape``, ``num_classes`` and ``pack`` and returns logits
of shape ``(N // pack,)``. Every model has ``get_config()`` (plain values) and is
registered by class name, so ``build_model(name, config)`` rebuilds it, and
``save_pretrained``/``from_pretrained`` write and read it as a folder of
``config.json``, ``model.safetensors`` and ``README.md``.

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
from gankit.models.hub import download_pretrained, push_to_hub
from gankit.models.initialization import INIT_SCHEMES, init_weights
from gankit.models.latent_mixture import LatentMixture
from gankit.models.latent_prior import LatentPrior, NormalPrior, UniformPrior, latent_prior
from gankit.models.maxout import Maxout
from gankit.models.mlp_discriminator import MLPDiscriminator
from gankit.models.mlp_generator import MLPGenerator
from gankit.models.model_card import ModelCard, render_model_card
from gankit.models.pretrained import (
    PretrainedError,
    from_pretrained,
    load_pretrained_config,
    pretrained_config,
    save_pretrained,
)
from gankit.models.pretrained_mixin import PretrainedMixin
from gankit.models.resnet_discriminator import ResNetDiscriminator
from gankit.models.resnet_generator import ResNetGenerator
from gankit.models.self_attention import SelfAttention2d
from gankit.models.serving import SERVING_FORMATS, export_onnx, export_torchscript

__all__ = [
    "INIT_SCHEMES",
    "SERVING_FORMATS",
    "ConditionalBatchNorm2d",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "LatentMixture",
    "LatentPrior",
    "MLPDiscriminator",
    "MLPGenerator",
    "Maxout",
    "ModelCard",
    "NormalPrior",
    "PretrainedError",
    "PretrainedMixin",
    "ResNetDiscriminator",
    "ResNetGenerator",
    "SelfAttention2d",
    "UniformPrior",
    "build_model",
    "download_pretrained",
    "export_onnx",
    "export_torchscript",
    "from_pretrained",
    "get_model_class",
    "init_weights",
    "latent_prior",
    "list_models",
    "load_pretrained_config",
    "pretrained_config",
    "push_to_hub",
    "register_model",
    "render_model_card",
    "save_pretrained",
]
