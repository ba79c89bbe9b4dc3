"""Segment statistics and the Fréchet Segmentation Distance (Bau et al., ICCV 2019, sec. 3.1).

features   : per image, the pixel count of every class, a K-vector (`class_counts`), from masks (N, H, W);
statistics : per set, the mean pixel fraction and the presence rate of every class, and the mean and
             covariance of the per-image fractions x 100 (`segment_stats`);
metric     : FSD = ||mu_g - mu_t||^2 + Tr(S_g + S_t - 2 (S_g S_t)^{1/2}), FID's formula on those vectors,
             through the shared `frechet_distance` (`fsd`).

ganseeing's `seeing/fsd.py` tallies `bincount(segmentation) / (H * W)` per image and feeds `tally * 100`
to its Fréchet distance, with 10,000 images per side. We use the same statistic (fraction x 100); at a
fixed image size that is the count vector times the constant 100 / (H W). N is the caller's, and stated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from gan_repro.metrics.frechet import FrechetResult, frechet_distance


def class_counts(masks: torch.Tensor, n_classes: int) -> np.ndarray:
    """(N, H, W) integer class ids -> (N, K) int64 pixel counts; every id must be in [0, K)."""
    m = torch.as_tensor(masks)
    if m.ndim != 3 or m.is_floating_point():
        raise ValueError(f"masks must be integer (N, H, W), got {m.dtype} {tuple(m.shape)}")
    if len(m) == 0:
        raise ValueError("masks: need at least one image")
    flat = m.reshape(len(m), -1).long()
    if flat.min() < 0 or flat.max() >= n_classes:
        raise ValueError(f"mask ids must lie in [0, {n_classes}), got [{int(flat.min())}, {int(flat.max())}]")
    offsets = torch.arange(len(m))[:, None] * n_classes               # one bincount for the whole batch
    return torch.bincount((flat + offsets).flatten(), minlength=len(m) * n_classes).reshape(len(m), n_classes).numpy()


@dataclass(frozen=True)
class SegmentStats:
    n: int                      # images
    pixels: int                 # pixels per image (H W)
    mean_fraction: np.ndarray   # (K,) mean share of the pixels of each class
    se_fraction: np.ndarray     # (K,) its standard error over images (ddof=1)
    presence: np.ndarray        # (K,) share of images in which the class has at least one pixel
    mu: np.ndarray              # (K,) mean of the per-image fractions x 100 (ganseeing's FSD vectors)
    sigma: np.ndarray           # (K, K) their covariance, ddof=1


def stats_from_counts(counts: np.ndarray, pixels: int) -> SegmentStats:
    """(N, K) pixel counts of images of `pixels` pixels -> SegmentStats."""
    c = np.asarray(counts, np.float64)
    if c.ndim != 2 or len(c) < 2:
        raise ValueError(f"need the counts of at least 2 images, shape (N, K), got {c.shape}")
    frac = c / pixels                                                   # (N, K)
    return SegmentStats(len(c), pixels, frac.mean(0), frac.std(0, ddof=1) / np.sqrt(len(c)),
                        (c > 0).mean(0), 100 * frac.mean(0), np.cov(100 * frac, rowvar=False))


def segment_stats(masks: torch.Tensor, n_classes: int) -> SegmentStats:
    """Masks (N, H, W) of class ids -> SegmentStats."""
    return stats_from_counts(class_counts(masks, n_classes), masks.shape[1] * masks.shape[2])


def fsd(generated: SegmentStats, real: SegmentStats) -> FrechetResult:
    """Fréchet Segmentation Distance, with its mean and covariance terms (ganseeing returns the same three)."""
    if generated.mu.shape != real.mu.shape:
        raise ValueError(f"class counts differ: {generated.mu.shape[0]} vs {real.mu.shape[0]}")
    return frechet_distance(generated.mu, generated.sigma, real.mu, real.sigma)


def ratio_table(generated: SegmentStats, real: SegmentStats, classes) -> pd.DataFrame:
    """Per class: real and generated pixel shares and presence rates, their ratio, and the gap in SEs.

    `gap_se` = (generated - real share) / sqrt(se_g^2 + se_r^2): below -1 means under-drawn by more than
    one standard error. A class absent from the real set has no ratio (NaN).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(real.mean_fraction > 0, generated.mean_fraction / real.mean_fraction, np.nan)
        se = np.sqrt(generated.se_fraction ** 2 + real.se_fraction ** 2)
        gap = np.where(se > 0, (generated.mean_fraction - real.mean_fraction) / se, np.nan)
    return pd.DataFrame({"class": list(classes), "real_share": real.mean_fraction,
                         "gen_share": generated.mean_fraction, "ratio": ratio, "gap_se": gap,
                         "real_presence": real.presence, "gen_presence": generated.presence})
