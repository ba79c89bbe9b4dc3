"""Training presets named after their papers: model family, loss, optimiser and critic schedule.

The profile sets iterations, batch size and width; a preset sets what the paper set.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from gan_repro.models import MODELS, build_models


@dataclass(frozen=True)
class Preset:
    name: str
    family: str                 # key of gan_repro.models.MODELS
    loss: str                   # ns | hinge | wasserstein (gan_repro.losses)
    optimizer: str              # adam | rmsprop
    g_lr: float
    d_lr: float
    betas: tuple = (0.5, 0.999)
    n_critic: int = 1           # D steps per G step
    gp_weight: float = 0.0      # WGAN-GP lambda
    clip: float = 0.0           # WGAN weight-clipping bound c
    ortho_beta: float = 0.0     # BigGAN modified orthogonal regularisation on G
    ema_decay: float = 0.0      # EMA of G's weights (0 = off)
    ema_start: int = 0          # the EMA copies G's weights until this step, then averages
    model: dict = field(default_factory=dict)   # overrides of the family's config


PRESETS = {p.name: p for p in (
    # Radford et al. 2016: Adam 2e-4, beta1 0.5, non-saturating loss
    Preset("dcgan", "dcgan", "ns", "adam", 2e-4, 2e-4, (0.5, 0.999)),
    # Arjovsky et al. 2017: RMSProp 5e-5, c = 0.01, 5 critic steps, DCGAN critic with BN
    Preset("wgan-clip", "dcgan", "wasserstein", "rmsprop", 5e-5, 5e-5, n_critic=5, clip=0.01),
    # Gulrajani et al. 2017: Adam 1e-4 (0, 0.9), lambda 10, n_critic 5; CIFAR ResNet, no norm in D
    Preset("wgan-gp", "resnet", "wasserstein", "adam", 1e-4, 1e-4, (0.0, 0.9), n_critic=5, gp_weight=10.0,
           model={"use_sn_d": False}),
    Preset("wgan-gp-dcgan", "dcgan", "wasserstein", "adam", 1e-4, 1e-4, (0.0, 0.9), n_critic=5,
           gp_weight=10.0, model={"d_norm": "none"}),
    # Miyato et al. 2018 (CIFAR ResNet): hinge, Adam 2e-4 (0, 0.9), n_dis 5, SN in D
    Preset("sngan", "resnet", "hinge", "adam", 2e-4, 2e-4, (0.0, 0.9), n_critic=5, model={"use_sn_d": True}),
    # Brock et al. 2019: hinge, G 1e-4 / D 4e-4, Adam (0, 0.999), 2 D steps, ortho 1e-4, EMA 0.9999.
    # The EMA starts at step 1000 as in the BigGAN CIFAR configs (DiffAugment-biggan-cifar, mmgen's
    # 32 px BigGAN): before that it copies G, since a 0.9999 average of the first steps is still the init.
    Preset("biggan", "biggan", "hinge", "adam", 1e-4, 4e-4, (0.0, 0.999), n_critic=2, ortho_beta=1e-4,
           ema_decay=0.9999, ema_start=1000),
)}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; valid: {', '.join(PRESETS)}")
    return PRESETS[name]


def model_config(preset: Preset, image_size: int, channels: int, n_classes: int, width: int):
    """The family's config for this data and width, with the preset's overrides."""
    cfg_cls = MODELS[preset.family][0]
    return replace(cfg_cls(image_size=image_size, channels=channels, n_classes=n_classes, width=width),
                   **preset.model)


def make_gan(preset: Preset, image_size: int, channels: int, n_classes: int, width: int) -> tuple:
    return build_models(preset.family, model_config(preset, image_size, channels, n_classes, width))


def with_model(preset: Preset, field_name: str, value, what: str) -> Preset:
    """The preset with one field of its family's model config set; an error for a family without it."""
    if field_name not in MODELS[preset.family][0].__dataclass_fields__:
        raise ValueError(f"preset {preset.name!r} (family {preset.family!r}) has no {what} ({field_name})")
    return replace(preset, model={**preset.model, field_name: value})


def model_field(preset: Preset, field_name: str):
    """The value the preset's model config takes for field_name (its own, else the family's default);
    None for a family without that field."""
    fields = MODELS[preset.family][0].__dataclass_fields__
    return preset.model.get(field_name, fields[field_name].default) if field_name in fields else None


def with_sn(preset: Preset, net: str, on: bool) -> Preset:
    """The preset with spectral norm in net ("g" or "d") switched on or off; an error for a family without
    that switch (use_sn_g / use_sn_d)."""
    return with_model(preset, f"use_sn_{net}", on, f"spectral-norm switch for {net.upper()}")
