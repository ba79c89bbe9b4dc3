"""gan_repro: models, metrics and layer-wise inversion for reproducing how GANs are judged."""
__version__ = "0.1.0"
