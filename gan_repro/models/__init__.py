"""Model families and their registry: MODELS[family] -> (config class, generator, discriminator)."""
from gan_repro.models.biggan import BigGANConfig, BigGANDiscriminator, BigGANGenerator
from gan_repro.models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from gan_repro.models.resnet import ResNetConfig, ResNetDiscriminator, ResNetGenerator

MODELS = {
    "dcgan": (DCGANConfig, DCGANGenerator, DCGANDiscriminator),
    "resnet": (ResNetConfig, ResNetGenerator, ResNetDiscriminator),
    "biggan": (BigGANConfig, BigGANGenerator, BigGANDiscriminator),
}


def build_models(family: str, cfg) -> tuple:
    """(G, D) of a family from its config; an unknown family lists the valid ones."""
    if family not in MODELS:
        raise ValueError(f"unknown model family {family!r}; valid: {', '.join(MODELS)}")
    cfg_cls, g_cls, d_cls = MODELS[family]
    if not isinstance(cfg, cfg_cls):
        raise TypeError(f"family {family!r} needs a {cfg_cls.__name__}, got {type(cfg).__name__}")
    return g_cls(cfg), d_cls(cfg)


__all__ = ["MODELS", "BigGANConfig", "DCGANConfig", "ResNetConfig", "build_models"]
