"""The samplers that ship under the name "truncation trick" (BigGAN, Brock et al. 2019, sec. 3.1).

They are different distributions, and the IS/FID curves of notebook 09 differ with them:
- "resample": the paper's. z ~ N(0, I) with every |z_i| > threshold redrawn: the normal truncated to
  [-threshold, threshold], exactly (`losses.truncated_z`).
- "scale-std": BigGAN-PyTorch's own truncation sweep (`sample.py --sample_trunc_curves`): `z_var` is
  passed to `Tensor.normal_(mean, std)` as the *std*, so z ~ N(0, threshold^2 I): a Gaussian, narrower.
- "tfhub": the TF Hub / pytorch-pretrained-BigGAN port, `truncation * truncnorm(-2, 2)`: a normal
  truncated at +-2, then scaled, so |z_i| <= 2 x threshold.
- "clamp": z ~ N(0, I) clamped to [-threshold, threshold]: the mass beyond sits on the bounds.
threshold None (or inf) is the untruncated N(0, I) for every variant.
"""
from __future__ import annotations

import math

import torch

from gan_repro.losses import truncated_z

TRUNCATIONS = ("resample", "scale-std", "tfhub", "clamp")


def truncated_noise(variant: str, n: int, dim: int, threshold: float | None,
                    generator: torch.Generator) -> torch.Tensor:
    """(n, dim) latent codes from `variant` (see the module docstring) at `threshold` (> 0, or None)."""
    if variant not in TRUNCATIONS:
        raise ValueError(f"unknown truncation variant {variant!r}; valid: {', '.join(TRUNCATIONS)}")
    if threshold is None or threshold == math.inf:
        return torch.randn(n, dim, generator=generator)
    if not threshold > 0:
        raise ValueError(f"a truncation threshold must be > 0 (None = no truncation), got {threshold}")
    if variant == "resample":
        return truncated_z(n, dim, threshold, generator)
    if variant == "scale-std":
        return threshold * torch.randn(n, dim, generator=generator)
    if variant == "tfhub":
        return threshold * truncated_z(n, dim, 2.0, generator)
    return torch.randn(n, dim, generator=generator).clamp(-threshold, threshold)
