"""BigGAN's analyses (Brock et al. 2019; PAPERS.md section B). So far: the truncation sweep of claim B1.

Every study returns a table; every verdict is computed from it, with the criterion in its docstring.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats
import torch

from gan_repro.analysis.how_good import draw
from gan_repro.claims import record as _claim
from gan_repro.data import ImageSet
from gan_repro.metrics import evaluate, extract_features, feature_stats, frechet_distance
from gan_repro.metrics.prdc import prdc
from gan_repro.truncation import TRUNCATIONS, truncated_noise

# the sweep; None = no truncation. The paper's Figure 4(b) sweeps 2.0 down to 0.04.
THRESHOLDS = (None, 2.0, 1.5, 1.0, 0.75, 0.5, 0.25, 0.1, 0.04)


@dataclass(frozen=True)
class SweepBudget:
    """Sizes of notebook 09's sweep for one profile."""
    name: str
    thresholds: tuple
    n: int                      # samples per point (FID and precision/recall against n real test features)
    seeds: tuple                # sample seeds of the paper's (resampling) curve: mean and standard error
    variant_seeds: tuple        # sample seeds of the other variants' curves
    k: int = 3                  # precision/recall neighbourhood (Kynkaanniemi et al. 2019)


SWEEPS = {
    "smoke": SweepBudget("smoke", (None, 1.0, 0.1), n=32, seeds=(0,), variant_seeds=(0,)),
    "cpu": SweepBudget("cpu", THRESHOLDS, n=500, seeds=(0, 1, 2), variant_seeds=(0,)),
    "paper": SweepBudget("paper", THRESHOLDS, n=10000, seeds=(0, 1, 2), variant_seeds=(0, 1, 2)),
}


def get_sweep(profile: str) -> SweepBudget:
    if profile not in SWEEPS:
        raise ValueError(f"no truncation sweep for profile {profile!r}; valid: {', '.join(SWEEPS)}")
    return SWEEPS[profile]


def sample_truncated(trainer, n: int, variant: str, threshold: float | None, seed: int,
                     batch: int = 500) -> ImageSet:
    """n samples with z from `variant` at `threshold` (classes cycled 0..K-1), in batches. One seed gives
    the same z for every threshold of a variant, up to what the variant redraws."""
    z = truncated_noise(variant, n, trainer.z_dim, threshold, torch.Generator().manual_seed(seed))  # (n, z_dim)
    return draw(trainer, n, seed, batch, z)


def score_point(images: torch.Tensor, real_feats: torch.Tensor, extractor, scorer, k: int, seed: int) -> dict:
    """FID and precision/recall against the first len(images) real features, and IS from `scorer`."""
    n = len(images)
    feats = extract_features(images, extractor, progress=False)
    fid = frechet_distance(*feature_stats(feats), *feature_stats(real_feats[:n])).value
    pr = prdc(real_feats[:n], feats, k)
    is_ = evaluate(images, None, ["is"], classifier=scorer, progress=False, seed=seed)
    return {"fid": fid, "is": is_["is"], "is_std": is_.get("is_std", float("nan")),
            "precision": pr["precision"], "recall": pr["recall"]}


def truncation_sweep(trainer, model: str, budget: SweepBudget, real_feats: torch.Tensor, extractor, scorer,
                     variants=TRUNCATIONS) -> pd.DataFrame:
    """One row per (variant, threshold, seed): FID, IS, precision, recall at budget.n samples."""
    rows = []
    for variant in variants:
        seeds = budget.seeds if variant == "resample" else budget.variant_seeds
        for thr in budget.thresholds:
            for seed in seeds:
                imgs = sample_truncated(trainer, budget.n, variant, thr, seed).images
                rows.append({"model": model, "variant": variant, "threshold": thr, "seed": seed, "n": budget.n,
                             **score_point(imgs, real_feats, extractor, scorer, budget.k, seed)})
    return pd.DataFrame(rows)


def curve(df: pd.DataFrame, variant: str = "resample") -> pd.DataFrame:
    """Per threshold (None first, then falling): mean and standard error over seeds of each measure."""
    d = df[df.variant == variant].assign(t=lambda x: x.threshold.fillna(math.inf))
    g = d.groupby("t", sort=False)[["fid", "is", "precision", "recall"]]
    out = g.mean().join(g.sem().fillna(0.0), rsuffix="_se").sort_index(ascending=False)
    return out.rename_axis("threshold").reset_index()


def b1(df: pd.DataFrame, rho_max: float = -0.9, worse_by: float = 0.05) -> list:
    """Per model, on the paper's (resampling) curve: (a) IS rises as the threshold shrinks, Spearman
    rho(threshold, IS) <= rho_max (no truncation ranked as the largest threshold), and (b) FID is
    U-shaped: its minimum is at an interior threshold and the smallest threshold's FID exceeds it by
    more than worse_by (relative) and by more than 2 standard errors of the difference."""
    out = []
    for model, d in df.groupby("model", sort=False):
        c = curve(d)
        rho = float(scipy.stats.spearmanr(c.threshold, c["is"]).statistic)
        i = int(np.argmin(c.fid.to_numpy()))
        last = c.iloc[-1]
        best = c.iloc[i]
        gap = last.fid - best.fid
        se = math.hypot(last.fid_se, best.fid_se)
        interior = 0 < i < len(c) - 1
        u_shape = bool(interior and gap > worse_by * best.fid and gap > 2 * se)
        name = lambda t: "none" if math.isinf(t) else f"{t:g}"
        ev = (f"Spearman rho(threshold, IS) {rho:.2f}; IS {c['is'].iloc[0]:.2f} (none) -> {c['is'].max():.2f} "
              f"(max, at {name(c.threshold[c['is'].idxmax()])}); FID min {best.fid:.1f} at {name(best.threshold)}, "
              f"{last.fid:.1f} at {name(last.threshold)} (+{gap:.1f}, 2 SE {2 * se:.1f}); n {int(d.n.iloc[0])}, "
              f"{d.seed.nunique()} seed(s)")
        out.append(_claim("B1", model, f"IS rises as the threshold falls (rho <= {rho_max:g}) and FID is U-shaped",
                          bool(rho <= rho_max and u_shape), ev))
    return out
