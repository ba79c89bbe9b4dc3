"""SSIM (Wang et al. 2004) and MS-SSIM (Wang et al. 2003), and MS-SSIM as a diversity score.

SSIM uses a Gaussian window over the valid region (no padding), K1 = 0.01, K2 = 0.03, data range 255.
MS-SSIM = prod_{j<M} cs_j^{b_j} * ssim_M^{b_M}, 2x2 average pooling between scales, negative terms
clipped to 0 before the powers (as TF's ssim_multiscale does, so unrelated pairs give no NaN).

Small images: torchmetrics and piq reject images under ~160 px for the 5-scale, 11-tap setting. For
28-32 px we state a reduction: SMALL = 3 scales (32 -> 16 -> 8), a 7-tap window with sigma 1.5, and the
first three standard weights (0.0448, 0.2856, 0.3001) renormalised to sum to 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gan_repro.data import check_uint8_images


@dataclass(frozen=True)
class SSIMConfig:
    kernel_size: int = 11
    sigma: float = 1.5
    betas: tuple = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


STANDARD = SSIMConfig()
_b3 = (0.0448, 0.2856, 0.3001)
SMALL = SSIMConfig(kernel_size=7, sigma=1.5, betas=tuple(b / sum(_b3) for b in _b3))
K1, K2, DATA_RANGE = 0.01, 0.03, 255.0


def _window(cfg: SSIMConfig, channels: int) -> torch.Tensor:
    t = torch.arange(cfg.kernel_size, dtype=torch.float64) - (cfg.kernel_size - 1) / 2
    g = torch.exp(-t ** 2 / (2 * cfg.sigma ** 2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).expand(channels, 1, -1, -1).contiguous()   # (C, 1, k, k)


def ssim_terms(x: torch.Tensor, y: torch.Tensor, cfg: SSIMConfig = STANDARD) -> tuple:
    """Per-image mean SSIM and mean contrast-structure term cs over the valid region: (N,), (N,).

    x, y: float64 (N, C, H, W) on the 0-255 scale.
    """
    c = x.shape[1]
    w = _window(cfg, c)
    mu_x, mu_y = F.conv2d(x, w, groups=c), F.conv2d(y, w, groups=c)
    sxx = F.conv2d(x * x, w, groups=c) - mu_x ** 2
    syy = F.conv2d(y * y, w, groups=c) - mu_y ** 2
    sxy = F.conv2d(x * y, w, groups=c) - mu_x * mu_y
    c1, c2 = (K1 * DATA_RANGE) ** 2, (K2 * DATA_RANGE) ** 2
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    lum = (2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1)
    return (lum * cs).flatten(1).mean(1), cs.flatten(1).mean(1)


def _prepare(x, y):
    check_uint8_images(x, "first")
    check_uint8_images(y, "second")
    if x.shape != y.shape:
        raise ValueError(f"SSIM needs equal shapes, got {tuple(x.shape)} and {tuple(y.shape)}")
    return x.double(), y.double()


def ssim(x: torch.Tensor, y: torch.Tensor, cfg: SSIMConfig = STANDARD) -> torch.Tensor:
    """Per-pair SSIM of uint8 images: (N, C, H, W) x 2 -> (N,)."""
    x, y = _prepare(x, y)
    return ssim_terms(x, y, cfg)[0]


def ms_ssim(x: torch.Tensor, y: torch.Tensor, cfg: SSIMConfig = STANDARD) -> torch.Tensor:
    """Per-pair MS-SSIM of uint8 images: (N, C, H, W) x 2 -> (N,). cfg=SMALL for 28-32 px."""
    x, y = _prepare(x, y)
    m = len(cfg.betas)
    smallest = min(x.shape[-2:]) // 2 ** (m - 1)
    if smallest < cfg.kernel_size:
        raise ValueError(f"MS-SSIM with {m} scales and a {cfg.kernel_size}-tap window needs images of "
                         f"at least {cfg.kernel_size * 2 ** (m - 1)} px, got {min(x.shape[-2:])}; "
                         "use gan_repro.metrics.ssim.SMALL for 28-32 px")
    terms = []
    for j in range(m):
        s, cs = ssim_terms(x, y, cfg)
        terms.append(s if j == m - 1 else cs)
        x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    stack = torch.stack(terms).clamp(min=0.0)                         # (M, N)
    betas = torch.tensor(cfg.betas, dtype=torch.float64)[:, None]
    return (stack ** betas).prod(0)


def ms_ssim_diversity(images: torch.Tensor, labels: torch.Tensor | None, n_pairs: int,
                      generator: torch.Generator, cfg: SSIMConfig = SMALL) -> float:
    """Mean MS-SSIM of random distinct pairs, drawn within class when labels are given.

    Lower means more diverse (Odena et al. 2017 use it to detect intra-class collapse).
    """
    check_uint8_images(images)
    labels = torch.zeros(len(images), dtype=torch.long) if labels is None else torch.as_tensor(labels)
    groups = [torch.nonzero(labels == c).flatten() for c in torch.unique(labels)]
    groups = [g for g in groups if len(g) >= 2]
    if not groups:
        raise ValueError("MS-SSIM diversity needs a class with at least 2 images")
    gi = torch.randint(len(groups), (n_pairs,), generator=generator)
    a, b = [], []
    for k in gi.tolist():
        pick = groups[k][torch.randperm(len(groups[k]), generator=generator)[:2]]
        a.append(pick[0])
        b.append(pick[1])
    return float(ms_ssim(images[torch.stack(a)], images[torch.stack(b)], cfg).mean())
