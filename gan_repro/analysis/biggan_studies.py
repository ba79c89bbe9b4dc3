"""BigGAN's analyses (Brock et al. 2019; PAPERS.md section B). So far: the truncation sweep of claim B1
(notebook 09); its figures are in `biggan_plots`.

Every study returns a table; every verdict is computed from it, with the criterion in its docstring.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats
import torch
from tqdm.auto import tqdm

from gan_repro.analysis.how_good import draw
from gan_repro.claims import record as _claim
from gan_repro.data import ImageSet
from gan_repro.metrics import evaluate, extract_features, feature_stats, frechet_distance
from gan_repro.metrics.prdc import prdc
from gan_repro.profiles import budget_for
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
    variant_thresholds: tuple   # their thresholds (no None: untruncated, every variant draws the same z)
    k: int = 3                  # precision/recall neighbourhood (Kynkaanniemi et al. 2019)


# cpu: one point (500 images through Inception) takes ~50 s on 2 cores, so the three other variants get
# five thresholds and one seed: 27 + 15 points, ~35 min per model.
SWEEPS = {
    "smoke": SweepBudget("smoke", (None, 1.0, 0.1), n=16, seeds=(0,), variant_seeds=(0,), variant_thresholds=(0.1,)),
    "cpu": SweepBudget("cpu", THRESHOLDS, n=500, seeds=(0, 1, 2), variant_seeds=(0,),
                       variant_thresholds=(2.0, 1.0, 0.5, 0.25, 0.04)),
    "paper": SweepBudget("paper", THRESHOLDS, n=10000, seeds=(0, 1, 2), variant_seeds=(0, 1, 2),
                         variant_thresholds=THRESHOLDS[1:]),
}

# The paper's side of B1 (ImageNet 128x128, BigGAN; the figure's numbers are not in the seed text).
PAPER = {"B1": "ImageNet 128x128: IS rises monotonically as the threshold falls, FID is U-shaped (Fig. 4b); "
               "best FID 7.4 at IS 166.5 with truncation (abstract)"}


def threshold_label(t: float | None) -> str:
    """'none' for no truncation (None, or inf / NaN as tables store it), else the threshold as written: '0.5'."""
    return "none" if t is None or math.isinf(t) or math.isnan(t) else f"{t:g}"


def get_sweep(profile: str) -> SweepBudget:
    return budget_for(SWEEPS, profile, "truncation sweep")


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


def sweep_points(budget: SweepBudget, variants=TRUNCATIONS) -> list:
    """(variant, threshold, seed) of every point; the untruncated point appears once per variant."""
    pts = []
    for variant in variants:
        paper = variant == "resample"
        thresholds = budget.thresholds if paper else (None, *budget.variant_thresholds)
        pts += [(variant, t, s) for t in thresholds for s in (budget.seeds if paper else budget.variant_seeds)]
    return pts


def truncation_sweep(trainer, model: str, budget: SweepBudget, real_feats: torch.Tensor, extractor, scorer,
                     variants=TRUNCATIONS) -> pd.DataFrame:
    """One row per (variant, threshold, seed): FID, IS, precision, recall at budget.n samples.

    Untruncated, every variant draws the same z for a seed (`truncated_noise`), so that point is scored
    once per seed and shared; `shared` marks the copies."""
    rows, done = [], {}
    for variant, thr, seed in tqdm(sweep_points(budget, variants), desc=f"truncation sweep {model}"):
        key = (None, seed) if thr is None else (variant, thr, seed)
        shared = key in done
        if not shared:
            imgs = sample_truncated(trainer, budget.n, variant, thr, seed).images
            done[key] = score_point(imgs, real_feats, extractor, scorer, budget.k, seed)
        rows.append({"model": model, "variant": variant, "threshold": thr, "seed": seed, "n": budget.n,
                     "shared": shared, **done[key]})
    return pd.DataFrame(rows)


def sample_grid(trainer, thresholds, per_class: int, seed: int, variant: str = "resample") -> dict:
    """{threshold: uint8 (K * per_class, C, H, W)}, class by row. Every threshold starts from the same
    seed, so a column keeps its code, redrawn only where a coordinate falls outside the threshold."""
    k = trainer.n_classes or 1
    labels = torch.arange(k).repeat_interleave(per_class) if trainer.n_classes else None   # (K * per_class,)
    out = {}
    for thr in thresholds:
        g = torch.Generator().manual_seed(seed)
        base = truncated_noise(variant, per_class, trainer.z_dim, thr, g)                 # (per_class, z_dim)
        out[thr] = trainer.sample(k * per_class, g, labels, base.repeat(k, 1))[0]
    return out


@dataclass
class Scoring:
    """How a BigGAN study scores samples of one dataset; `note` states it for the notebook."""
    scorer: object              # the IS classifier (classifiers.Scorer)
    real_feats: torch.Tensor    # (n, 2048) Inception pool3 features of the first n real test images
    cards: tuple                # train and test dataset cards
    real_acc: float             # the classifier's real-test accuracy
    note: str


def scoring(dataset: str, profile, seed: int, extractor, n: int) -> Scoring:
    """The IS scorer (the in-project reference classifier of notebooks 03-08, cached) and Inception
    features of n real test images."""
    from gan_repro.analysis import how_good
    from gan_repro.classifiers import Scorer
    from gan_repro.data import load_dataset
    train, test = load_dataset(dataset, "train"), load_dataset(dataset, "test")
    tc = how_good.table_config(dataset, profile, train, seed)
    clf, acc = how_good.reference(tc, train, test)
    scorer = Scorer(clf, f"{tc.classifier.arch} trained on {dataset} train")
    n = min(n, len(test))
    feats = extract_features(test.images[:n], extractor, desc=f"{dataset} real test features")
    note = (f"FID and precision/recall against the first {n} real test images ({test.card.source}); IS from "
            f"{scorer.name} (real-test accuracy {acc:.3f}), not Inception")
    return Scoring(scorer, feats, (train.card, test.card), acc, note)


@dataclass
class SweepModel(Scoring):
    """A model to sweep and its `Scoring`; `note` names both."""
    trainer: object = None


def setup(dataset: str, profile, seed: int, extractor, n: int) -> SweepModel:
    """The zoo's BigGAN on `dataset` (loaded; trained only where no finished run exists) and its `scoring`."""
    from gan_repro.analysis import zoo
    trainer, _ = zoo.train_or_load("biggan", dataset, profile, seed)
    sc = scoring(dataset, profile, seed, extractor, n)
    note = f"{dataset}: BigGAN from the zoo ({trainer.step:,} it, width {trainer.cfg.width}); {sc.note}"
    return SweepModel(**{**vars(sc), "note": note}, trainer=trainer)


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
        ev = (f"Spearman rho(threshold, IS) {rho:.2f}; IS {c['is'].iloc[0]:.2f} (none) -> {c['is'].max():.2f} "
              f"(max, at {threshold_label(c.threshold[c['is'].idxmax()])}); FID min {best.fid:.1f} at {threshold_label(best.threshold)}, "
              f"{last.fid:.1f} at {threshold_label(last.threshold)} (+{gap:.1f}, 2 SE {2 * se:.1f}); n {int(d.n.iloc[0])}, "
              f"{d.seed.nunique()} seed(s)")
        out.append(_claim("B1", model, f"IS rises as the threshold falls (rho <= {rho_max:g}) and FID is U-shaped",
                          bool(rho <= rho_max and u_shape), ev))
    return out
