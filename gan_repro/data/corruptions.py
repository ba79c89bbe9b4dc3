"""Pure, seeded corruptions of uint8 NCHW images (How good is my GAN?, claims A4 and A5).

Each takes uint8 images and a torch.Generator and returns new uint8 images; the input is not modified.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from gan_repro.data.images import check_uint8_images


def salt_and_pepper(x: torch.Tensor, p: float, generator: torch.Generator) -> torch.Tensor:
    """Set exactly round(p * H * W) pixel positions per image to black or white (all channels).

    Salt and pepper are equally likely per chosen position. Exact count, so p = 0.05 on 32x32 changes
    round(51.2) = 51 positions of every image.
    """
    check_uint8_images(x)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"salt_and_pepper: p must be in [0, 1], got {p}")
    n, c, h, w = x.shape
    k = round(p * h * w)
    out = x.clone().view(n, c, h * w)
    # per image, the first k positions of a random permutation: (N, k)
    pos = torch.argsort(torch.rand(n, h * w, generator=generator), dim=1)[:, :k]
    val = (torch.rand(n, k, generator=generator) < 0.5).to(torch.uint8) * 255     # (N, k)
    out.scatter_(2, pos[:, None, :].expand(n, c, k), val[:, None, :].expand(n, c, k))
    return out.view(n, c, h, w)


def gaussian_noise(x: torch.Tensor, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """Add N(0, sigma^2) noise on the 0-255 scale, round to nearest, clip to [0, 255]."""
    check_uint8_images(x)
    if sigma < 0:
        raise ValueError(f"gaussian_noise: sigma must be >= 0, got {sigma}")
    noise = torch.randn(x.shape, generator=generator) * sigma
    return (x.float() + noise).round().clamp(0, 255).to(torch.uint8)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur, kernel 2*ceil(3 sigma)+1 taps, reflect padding, rounded to uint8.

    Deterministic, so it takes no generator. sigma = 0 returns a copy.
    """
    check_uint8_images(x)
    if sigma < 0:
        raise ValueError(f"gaussian_blur: sigma must be >= 0, got {sigma}")
    if sigma == 0:
        return x.clone()
    r = int(math.ceil(3 * sigma))
    t = torch.arange(-r, r + 1, dtype=torch.float64)
    k = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = (k / k.sum()).float()                                   # (2r+1,)
    n, c, h, w = x.shape
    if r >= min(h, w):
        raise ValueError(f"gaussian_blur: sigma={sigma} needs a radius {r} < image size {min(h, w)}")
    y = x.float().reshape(n * c, 1, h, w)
    y = F.conv2d(F.pad(y, (r, r, 0, 0), mode="reflect"), k.view(1, 1, 1, -1))
    y = F.conv2d(F.pad(y, (0, 0, r, r), mode="reflect"), k.view(1, 1, -1, 1))
    return y.round().clamp(0, 255).to(torch.uint8).view(n, c, h, w)


CORRUPTIONS = {"salt_and_pepper": salt_and_pepper, "gaussian_noise": gaussian_noise,
               "gaussian_blur": gaussian_blur}


def corrupt(x: torch.Tensor, name: str, level: float, generator: torch.Generator) -> torch.Tensor:
    """Apply the named corruption at `level` (p, sigma or blur sigma); blur ignores the generator."""
    if name not in CORRUPTIONS:
        raise ValueError(f"unknown corruption {name!r}; valid: {', '.join(CORRUPTIONS)}")
    if name == "gaussian_blur":
        return gaussian_blur(x, level)
    return CORRUPTIONS[name](x, level, generator)
